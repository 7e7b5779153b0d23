#!/usr/bin/env bash
# tools/go151/hlog_summary.py: a heap log's releases and background marks by
# benchmark, and one line with exit status 2 for bad input.
set -u
bin=tools/go151/hlog_summary.py
dump=tools/heap_log_dump
. bench/harness/cli_test_lib.sh
fail=0

# The smoke log: two benchmarks, every release of the dump in one of them
# (none comes before the first bench_start).
out=$("$dump" testdata/go151_heaplog/smoke_prefix.hlog.xz | "$bin") || { echo "FAIL: exit $?"; fail=1; }
[ "$(head -1 <<<"$out")" = $'benchmark\treleases\treleased_pages\tbackground_cycles\tmark_us_median' ] ||
  { echo "FAIL: header: $(head -1 <<<"$out")"; fail=1; }
[ "$(tail -n +2 <<<"$out" | cut -f1 | tr '\n' ' ')" = "BenchmarkMalloc8 BenchmarkStackGrowth " ] ||
  { echo "FAIL: rows: $out"; fail=1; }
sum=$(awk -F'\t' 'NR > 1 { s += $2 } END { print s }' <<<"$out")
want=$("$dump" testdata/go151_heaplog/smoke_prefix.hlog.xz | grep -c ' sys_unused ')
[ "$sum" = "$want" ] || { echo "FAIL: $sum releases, the dump has $want"; fail=1; }

# A small log: records before the first benchmark are left out; a forced
# cycle is not a background one; of two marks the median is the upper; pages are
# 8 KiB; a benchmark with no background cycle has no median.
got=$(printf '%s\n' \
  '1 sys_unused v=0x1 n=8192' \
  '2 bench_start procs=2 name="BenchmarkA-2"' \
  '3 gc_start numgc=1 mode=background heap_live=1' \
  '4003 gc_mark_term heap_live=1' \
  '5000 gc_start numgc=2 mode=force_block heap_live=1' \
  '9000 gc_mark_term heap_live=1' \
  '10000 gc_start numgc=3 mode=background heap_live=1' \
  '12500 gc_mark_term heap_live=1' \
  '13000 sys_unused v=0x1 n=24576' \
  '14000 bench_start procs=2 name="BenchmarkB-2"' | "$bin" | tail -n +2 | tr '\n' ' ')
[ "$got" = $'BenchmarkA\t1\t3\t2\t4 BenchmarkB\t0\t0\t0\t ' ] || { echo "FAIL: small log gives '$got'"; fail=1; }

expect_exit2_stdin() {  # expect_exit2_stdin <input> <message>
  local err rc
  err=$(printf '%s\n' "$1" | "$bin" 2>&1 >/dev/null); rc=$?
  [ "$rc" -eq 2 ] && [ "$err" = "hlog_summary.py: <stdin>:$3: $2" ] ||
    { echo "FAIL: '$1': exit $rc, stderr '$err'"; fail=1; }
}
expect_exit2_stdin 'x bench_start name="B-2"' "bad time 'x'" 1
expect_exit2_stdin '5' "fewer than 2 fields" 1
expect_exit2_stdin $'1 bench_start name="B-2"\n2 sys_unused v=0x1' "no n= field" 2
exit $fail
