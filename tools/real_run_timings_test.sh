#!/usr/bin/env bash
# tools/real_run_timings.py: a timings file from two real runs' benchmark
# output, in vma_repro's --timings_file format, and one line with exit
# status 2 for bad input.
set -u
bin=tools/real_run_timings.py
. bench/harness/cli_test_lib.sh
fail=0
runs=testdata/go151_real/runs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

out=$("$bin" "$runs/ebpf-prefix-2026-12-02/out.txt" "$runs/ebpf-fixed-2026-12-03/out.txt") ||
  { echo "FAIL: exit $? on two real runs"; fail=1; }
rows=$(grep -v '^#' <<<"$out" | tail -n +2)
[ "$(sed -n 2p <<<"$out")" = $'name\tN_go151\tns_per_op_go151\tN_go151_fix\tns_per_op_go151_fix' ] ||
  { echo "FAIL: header: $(sed -n 2p <<<"$out")"; fail=1; }
[ "$(grep -c . <<<"$rows")" = 243 ] || { echo "FAIL: $(grep -c . <<<"$rows") rows, wanted 243"; fail=1; }
[ "$(head -1 <<<"$rows" | cut -f1)" = BenchmarkAppend ] || { echo "FAIL: first row $(head -1 <<<"$rows")"; fail=1; }
# The go1.5.1 run's Matmult (3e8 at 6.82 ns/op) beside the other date's
# 44078a3 run's (5e8 at 2.95).
grep -qx $'BenchmarkMatmult\t300000000\t6.82\t500000000\t2.95' <<<"$rows" ||
  { echo "FAIL: Matmult row: $(grep Matmult <<<"$rows")"; fail=1; }

printf '0.1\tBenchmarkA-2\t100\t5.0 ns/op\n' >"$tmp/a.txt"
printf '0.1\tBenchmarkA-2\t100\tfast ns/op\n' >"$tmp/bad.txt"
printf '0.1\tBenchmarkB-2\t100\t5.0 ns/op\n' >"$tmp/b.txt"
printf 'PASS\n' >"$tmp/none.txt"
expect_exit2 "$tmp/bad.txt:1: not a benchmark result" "$tmp/bad.txt" "$tmp/a.txt"
expect_exit2 "$tmp/b.txt has no result for BenchmarkA" "$tmp/a.txt" "$tmp/b.txt"
expect_exit2 "$tmp/none.txt: no benchmark results" "$tmp/none.txt" "$tmp/a.txt"
expect_exit2 "$tmp/missing.txt: No such file" "$tmp/missing.txt" "$tmp/a.txt"
expect_exit2 "usage: real_run_timings.py" "$tmp/a.txt"
[ "$("$bin" "$tmp/a.txt" "$tmp/a.txt" | tail -1)" = $'BenchmarkA\t100\t5.0\t100\t5.0' ] ||
  { echo "FAIL: a one-benchmark pair"; fail=1; }
[ "$fail" -eq 0 ] && echo PASS
exit "$fail"
