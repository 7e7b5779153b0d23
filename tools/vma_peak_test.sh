#!/bin/bash
# vma_peak counts a peak that lasts between two system calls without
# stopping the program (the probe of vma_watch_test), counts madvise calls
# by advice, timestamps the program's stdout, reports lost events as 0, and
# reports bad usage in one line with status 2. Skips (one line) where eBPF
# cannot be used: not root, no bpftrace, no tracefs or BTF.
set -euo pipefail
source bench/harness/cli_test_lib.sh
fail=0
peak=tools/vma_peak
probe=tools/vma_watch_probe
bin=$peak
set +e
expect_exit2 "no program to run"
expect_exit2 "unknown flag --bogus" --bogus -- "$probe"
expect_exit2 "cannot write --series_out=/nonexistent/x" --series_out=/nonexistent/x -- "$probe"
expect_exit2 "eBPF unavailable: no bpftrace at /nonexistent/bpftrace" \
  --bpftrace=/nonexistent/bpftrace -- "$probe"
set -e
[ "$fail" -eq 0 ] || exit 1

err=$("$peak" --label=probe -- true 2>&1 >/dev/null) && rc=0 || rc=$?
if [ "$rc" -eq 2 ] && grep -q "eBPF unavailable" <<<"$err"; then
  echo "SKIP: $err"
  exit 0
fi
[ "$rc" -eq 0 ] || { echo "FAIL: vma_peak -- true exited $rc: $err"; exit 1; }

out=$("$peak" --label=probe --series_out="$TEST_TMPDIR/series.tsv" \
  --calls_out="$TEST_TMPDIR/calls.tsv" --stdout_out="$TEST_TMPDIR/stdout.txt" -- "$probe")
echo "$out"
summary=$(grep '^probe ' <<<"$out")
base=$(sed -n 's/^[0-9.]*\tbaseline=//p' "$TEST_TMPDIR/stdout.txt")
[[ -n "$base" ]] || { echo "FAIL: probe printed no timestamped baseline"; cat "$TEST_TMPDIR/stdout.txt"; exit 1; }
# As in vma_watch_test: the probe's 3 VMAs are in the baseline; mprotect of
# one middle page splits (+2), restoring merges (-2), NOHUGEPAGE on two
# pages splits (+2), munmap removes all 5.
want_max=$((base + 2))
want_final=$((base - 3))
grep -q " max_vmas=$want_max " <<<"$summary" || { echo "FAIL: want max_vmas=$want_max"; exit 1; }
grep -q " final=$want_final " <<<"$summary" || { echo "FAIL: want final=$want_final"; exit 1; }
grep -q "madvise{NOHUGEPAGE=1}" <<<"$summary" || { echo "FAIL: want madvise{NOHUGEPAGE=1}"; exit 1; }
grep -q " exit=3 " <<<"$summary" || { echo "FAIL: want exit=3"; exit 1; }
grep -q " lost_events=0$" <<<"$summary" || { echo "FAIL: want lost_events=0"; exit 1; }
probe_calls=$(grep -P '\tmprotect\t|\tmadvise\t|\tmunmap\t' "$TEST_TMPDIR/calls.tsv" | tail -4)
echo "$probe_calls"
counts=$(awk -F'\t' '{print $2":"$7}' <<<"$probe_calls" | paste -sd' ')
want="mprotect:$((base + 2)) mprotect:$base madvise:$((base + 2)) munmap:$want_final"
[[ "$counts" == "$want" ]] || { echo "FAIL: calls '$counts', want '$want'"; exit 1; }
# The series holds the transient peak and shares the calls' clock.
grep -qP "^[0-9.]+\t$want_max$" "$TEST_TMPDIR/series.tsv" || { echo "FAIL: no $want_max in series"; exit 1; }
grep -q "^# vma_peak start_monotonic_ns=[0-9]*$" "$TEST_TMPDIR/series.tsv" || { echo "FAIL: no clock line"; exit 1; }
echo PASS
