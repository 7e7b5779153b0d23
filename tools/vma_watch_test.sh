#!/bin/bash
# vma_watch catches a peak that lasts between two system calls, counts
# madvise calls by advice, writes one calls_out line per watched call, and
# reports bad usage in one line with status 2.
set -euo pipefail
source bench/harness/cli_test_lib.sh
fail=0
watch=tools/vma_watch
probe=tools/vma_watch_probe
out=$("$watch" --label=probe --calls_out="$TEST_TMPDIR/calls.tsv" -- "$probe")
echo "$out"
summary=$(grep '^probe ' <<<"$out")
base=$(sed -n 's/^baseline=//p' <<<"$out")
[[ -n "$base" ]] || { echo "FAIL: probe printed no baseline"; exit 1; }
# The probe's 3 VMAs are counted in the baseline. mprotect of one page in
# the middle splits the writable one in three (+2); restoring merges (-2);
# NOHUGEPAGE on two pages splits again (+2); munmap removes all 5.
want_max=$((base + 2))
want_final=$((base - 3))
grep -q " max_vmas=$want_max " <<<"$summary" || { echo "FAIL: want max_vmas=$want_max"; exit 1; }
grep -q " final=$want_final " <<<"$summary" || { echo "FAIL: want final=$want_final"; exit 1; }
grep -q "madvise{NOHUGEPAGE=1}" <<<"$summary" || { echo "FAIL: want madvise{NOHUGEPAGE=1}"; exit 1; }
grep -q " exit=3 " <<<"$summary" || { echo "FAIL: want exit=3"; exit 1; }
# The transient peak: map_count after the first mprotect, then after the
# second, as the calls file records them.
probe_calls=$(grep -P '\tmprotect\t|\tmadvise\t|\tmunmap\t' "$TEST_TMPDIR/calls.tsv" | tail -4)
echo "$probe_calls"
counts=$(awk -F'\t' '{print $2":"$7}' <<<"$probe_calls" | paste -sd' ')
want="mprotect:$((base + 2)) mprotect:$base madvise:$((base + 2)) munmap:$want_final"
[[ "$counts" == "$want" ]] || { echo "FAIL: calls '$counts', want '$want'"; exit 1; }

bin=$watch
set +e
expect_exit2 "no program to run"
expect_exit2 "unknown flag --bogus" --bogus -- "$probe"
expect_exit2 "cannot write --series_out=/nonexistent/x" --series_out=/nonexistent/x -- "$probe"
[ "$fail" -eq 0 ] || exit 1
echo PASS
