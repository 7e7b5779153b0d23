#!/bin/bash
# heap_log_dump prints one line per event (raw or xz logs), filters one
# benchmark, summarizes per benchmark, prints what it read before a bad
# record and then the error naming the file (exit 2: bad input), and
# reports bad usage in one line with status 2.
set -euo pipefail
source bench/harness/cli_test_lib.sh
fail=0
bin=tools/heap_log_dump
sample=testdata/fuzz/heap_event_log/seed_sample_every_kind

out=$("$bin" "$sample")
[ "$(wc -l <<<"$out")" -eq 41 ] || { echo "FAIL: want 41 lines, got $(wc -l <<<"$out")"; exit 1; }
head -1 <<<"$out" | grep -qx "0 sys_reserve v=0xc000000000 n=549755813888 p=0xc000000000 reserved=0" ||
  { echo "FAIL: first line: $(head -1 <<<"$out")"; exit 1; }
tail -1 <<<"$out" | grep -qx "[0-9]* end" || { echo "FAIL: last line: $(tail -1 <<<"$out")"; exit 1; }
"$bin" --time=none "$sample" | grep -qx "alloc npage=3 caller=large sizeclass=0" || { echo "FAIL: --time=none"; exit 1; }
"$bin" --time=abs --offsets "$sample" | head -1 | grep -q "^16 1000000000 sys_reserve " || { echo "FAIL: --offsets --time=abs"; exit 1; }
bench=$("$bin" --time=none --benchmark=BenchmarkMalloc8 "$sample")
head -1 <<<"$bench" | grep -qx 'bench_start procs=2 name="BenchmarkMalloc8-2"' || { echo "FAIL: --benchmark: $bench"; exit 1; }
summary=$("$bin" --summary "$sample")
[ "$(wc -l <<<"$summary")" -eq 2 ] || { echo "FAIL: --summary: $summary"; exit 1; }
grep -q "^BenchmarkMalloc8-2 procs=2 .* runs=1 ended=1 n=1000000 " <<<"$summary" || { echo "FAIL: summary line: $summary"; exit 1; }

# A real log, xz-compressed, read through stdin.
real=$("$bin" --summary - <testdata/go151_heaplog/smoke_prefix.hlog.xz)
grep -q "^BenchmarkStackGrowth-2 procs=2 " <<<"$real" || { echo "FAIL: real log summary: $real"; exit 1; }

# A cut log: the events before the cut, then one error line naming the offset.
head -c 200 "$sample" >"$TEST_TMPDIR/cut"
set +e
"$bin" "$TEST_TMPDIR/cut" >"$TEST_TMPDIR/cut.out" 2>"$TEST_TMPDIR/cut.err"
rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "FAIL: cut log exit $rc, want 2"; exit 1; }
[ "$(wc -l <"$TEST_TMPDIR/cut.out")" -gt 3 ] || { echo "FAIL: no events before the cut"; exit 1; }
grep -q "^heap_log_dump: $TEST_TMPDIR/cut: heap-event log offset [0-9]*: .*cut short" "$TEST_TMPDIR/cut.err" ||
  { echo "FAIL: cut log error: $(cat "$TEST_TMPDIR/cut.err")"; exit 1; }

set +e
expect_exit2 "want exactly one log file"
expect_exit2 "want exactly one log file" "$sample" "$sample"
expect_exit2 "--time=seconds is not one of rel, abs, none" --time=seconds "$sample"
expect_exit2 "cannot open /nonexistent/log" /nonexistent/log
expect_exit2 "/dev/null: heap-event log offset 0" /dev/null
expect_exit2 "$sample: no benchmark \"BenchmarkNone\"" --benchmark=BenchmarkNone "$sample"
expect_exit2 "unknown flag --bogus" --bogus "$sample"
[ "$fail" -eq 0 ] || exit 1
echo PASS
