#!/usr/bin/env bash
# tools/real_go_releases.py: a real run's MADV_DONTNEED calls split by
# benchmark at its result lines, and one line with exit status 2 for bad
# input.
set -u
bin=tools/real_go_releases.py
. bench/harness/cli_test_lib.sh
fail=0
runs=testdata/go151_real/runs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A real run: every release falls before the last result line, so the
# rows add up to the summary's DONTNEED count (9753), one row per result
# line (243), and ConvI2E holds the ~50 releases the recording also makes
# just after ConvT2ILarge ends.
r=$runs/ptrace-prefix-2026-11-22
out=$("$bin" "$r/out.txt" "$r/calls.tsv.gz") || { echo "FAIL: exit $? on $r"; fail=1; }
[ "$(head -1 <<<"$out")" = $'benchmark\treleases\treleased_pages' ] ||
  { echo "FAIL: header: $(head -1 <<<"$out")"; fail=1; }
[ "$(tail -n +2 <<<"$out" | grep -c .)" = 243 ] || { echo "FAIL: $(tail -n +2 <<<"$out" | grep -c .) rows"; fail=1; }
sum=$(awk -F'\t' 'NR > 1 { s += $2 } END { print s }' <<<"$out")
want=$(sed -n 's/.*DONTNEED=\([0-9]*\).*/\1/p' "$r/summary.txt")
[ "$sum" = "$want" ] || { echo "FAIL: $sum releases, the summary says $want"; fail=1; }
grep -qx $'BenchmarkConvI2E\t55\t876' <<<"$out" || { echo "FAIL: ConvI2E row: $(grep ConvI2E <<<"$out")"; fail=1; }

# A small pair: calls at or before a result line belong to it; later ones
# to the next; those after the last line are left out; other advice and
# other calls are not releases; sizes are in 8 KiB pages.
printf '1.0\tBenchmarkA-2\t100\t5.0 ns/op\n2.0\tBenchmarkB-2\t100\t5.0 ns/op\n' >"$tmp/out.txt"
printf '# seconds\tcall\taddr\tlen\targ\tresult\tmap_count\n0.5\tmadvise\t0x1\t8192\tDONTNEED\t0\t9\n1.0\tmadvise\t0x1\t16384\tDONTNEED\t0\t9\n1.1\tmadvise\t0x1\t8192\tNOHUGEPAGE\t0\t9\n1.2\tmunmap\t0x1\t8192\t0\t0\t8\n1.5\tmadvise\t0x1\t24576\tDONTNEED\t0\t9\n2.5\tmadvise\t0x1\t8192\tDONTNEED\t0\t9\n' |
  gzip >"$tmp/calls.tsv.gz"
got=$("$bin" "$tmp/out.txt" "$tmp/calls.tsv.gz" | tail -n +2 | tr '\n' ' ')
[ "$got" = $'BenchmarkA\t2\t3 BenchmarkB\t1\t3 ' ] || { echo "FAIL: small pair gives '$got'"; fail=1; }

printf '0.5\tmadvise\t0x1\t8192\tDONTNEED\t0\n' | gzip >"$tmp/short.tsv.gz"
printf 'x\tmadvise\t0x1\t8192\tDONTNEED\t0\t9\n' | gzip >"$tmp/badtime.tsv.gz"
printf 'PASS\n' >"$tmp/none.txt"
expect_exit2 "short.tsv.gz:1: 6 columns, wanted 7" "$tmp/out.txt" "$tmp/short.tsv.gz"
expect_exit2 "badtime.tsv.gz:1: bad seconds or length" "$tmp/out.txt" "$tmp/badtime.tsv.gz"
expect_exit2 "$tmp/none.txt: no benchmark results" "$tmp/none.txt" "$tmp/calls.tsv.gz"
expect_exit2 "$tmp/missing.txt: No such file" "$tmp/missing.txt" "$tmp/calls.tsv.gz"
expect_exit2 "out.txt: Not a gzipped file" "$tmp/out.txt" "$tmp/out.txt"
expect_exit2 "usage: real_go_releases.py" "$tmp/out.txt"
[ "$fail" -eq 0 ] && echo PASS
exit "$fail"
