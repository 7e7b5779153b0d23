#!/usr/bin/env bash
# Prints the README's per-run table (Markdown): the modelled Go 1.5 suite
# driven by each real run's own timings, beside that run's maximum VMAs and
# its releases (MADV_DONTNEED calls: sysUnused makes one per span the
# scavenger releases, in both builds).
# For every pair of real runs counted the same way on the same date
# (testdata/go151_real/runs.tsv: one go1.5.1, one with 44078a3, same
# counter, both recorded or both not), tools/real_run_timings.py turns their
# benchmark output into a timings file (final b.N and ns/op of each
# benchmark), and vma_repro (sim kernel, linux6 profile) runs prefix on the
# go1.5.1 run's timings and fixed on the 44078a3 run's (--timings=fix). The
# real maxima and the benchmark each fell in come from the runs' summary and
# series (tools/real_go_per_benchmark.py), the real releases from the
# summary's madvise count; Matmult's final b.N is printed beside them, since
# the real maxima follow it (each unrecorded run peaks in Matmult, the
# recorded one in IfaceCmp100, the benchmark after it, 41 ms after Matmult's
# result line). The last row is the main job's own timings file, from a run
# whose VMAs were not counted.
# Usage: tools/real_run_model_table.sh   (builds //bench:vma_repro first; about 3 min)
set -euo pipefail
cd "$(dirname "$0")/.."
bazel build -c opt //bench:vma_repro >/dev/null 2>&1
bin=bazel-bin/bench/vma_repro/vma_repro
runs=testdata/go151_real/runs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

model() {  # model <timings tsv> <variant> <go151|fix>: "max (benchmark)<TAB>releases"
  "$bin" --kernel=sim --kernel_profile=linux6 --variants="$2" --timings_file="$1" --timings="$3" \
    --jobs=1 --quiet --json_out="$tmp/m.json" >/dev/null
  python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))["variants"][0]
print("%d (%s)\t%d" % (v["max_vmas_go_equivalent"], v["max_at_benchmark"].replace("Benchmark", ""),
                        v["madvise_calls.DONTNEED"]))' "$tmp/m.json"
}
real() {  # real <run>: "max (benchmark)<TAB>releases"
  local max; max=$(sed -n 's/.* max_vmas=\([0-9]*\) .*/\1/p' "$runs/$1/summary.txt")
  local at; at=$(python3 tools/real_go_per_benchmark.py "$runs/$1/out.txt" "$runs/$1/series.tsv" |
    awk -F'\t' 'NR > 1 && $4 > m { m = $4; b = $1 } END { sub(/^Benchmark/, "", b); print b }')
  local rel; rel=$(sed -n 's/.*DONTNEED=\([0-9]*\).*/\1/p' "$runs/$1/summary.txt")
  printf '%s (%s)\t%s\n' "$max" "$at" "$rel"
}
matmult_n() {  # matmult_n <timings tsv> <column 2|4>
  awk -F'\t' -v c="$2" '$1 == "BenchmarkMatmult" { print $c }' "$1"
}

echo "| timings from | counter | Matmult b.N, go1.5.1 / 44078a3 | prefix max VMAs, real / model | prefix releases, real / model | fixed max VMAs, real / model | fixed releases, real / model |"
echo "|---|---|---|---|---|---|---|"
# eBPF pairs first, then ptrace's; by date within each.
pairs=$(awk -F'\t' '!/^#/ && NF == 6 && $1 != "run" { print $3 "\t" $6 "\t" $4 "\t" $5 }' testdata/go151_real/runs.tsv |
  sort -u | sort -t$'\t' -k1,1 -k2,2 -k3,3n)
while IFS=$'\t' read -r counter date recorded alone; do
  p=$(awk -F'\t' -v c="$counter" -v d="$date" -v r="$recorded" '$2 == "prefix" && $3 == c && $4 == r && $6 == d { print $1 }' testdata/go151_real/runs.tsv)
  f=$(awk -F'\t' -v c="$counter" -v d="$date" -v r="$recorded" '$2 == "fixed" && $3 == c && $4 == r && $6 == d { print $1 }' testdata/go151_real/runs.tsv)
  [ -n "$p" ] && [ -n "$f" ] || continue
  t="$tmp/$p.tsv"
  python3 tools/real_run_timings.py "$runs/$p/out.txt" "$runs/$f/out.txt" >"$t"
  label="\`$p\`, \`$f\`"
  [ "$recorded" = 1 ] && label="$label (heap-event recorder on)"
  [ "$alone" = 0 ] && label="$label (CPU shared)"
  IFS=$'\t' read -r pv pr <<<"$(real "$p")"
  IFS=$'\t' read -r pmv pmr <<<"$(model "$t" prefix go151)"
  IFS=$'\t' read -r fv fr <<<"$(real "$f")"
  IFS=$'\t' read -r fmv fmr <<<"$(model "$t" fixed fix)"
  echo "$pr $pmr $fr $fmr" >>"$tmp/releases"
  echo "| $label | $counter | $(matmult_n "$t" 2) / $(matmult_n "$t" 4) | $pv / $pmv |" \
    "$pr / $pmr | $fv / $fmv | $fr / $fmr |"
done <<<"$pairs"
t=testdata/go15_runtime_bench_ns_per_op.tsv
IFS=$'\t' read -r pmv pmr <<<"$(model "$t" prefix go151)"
IFS=$'\t' read -r fmv fmr <<<"$(model "$t" fixed fix)"
echo "| \`$t\` (the main job's; not counted) | — | $(matmult_n "$t" 2) / $(matmult_n "$t" 4) | — / $pmv |" \
  "— / $pmr | — / $fmv | — / $fmr |"
echo
awk '{ p = $2 / $1; f = $4 / $3
       if (NR == 1 || p < pl) pl = p; if (NR == 1 || p > ph) ph = p
       if (NR == 1 || f < fl) fl = f; if (NR == 1 || f > fh) fh = f }
     END { printf "Releases, model over real, in these %d pairs of runs: prefix %.2f to %.2f, fixed %.2f to %.2f.\n", NR, pl, ph, fl, fh }' \
  "$tmp/releases"
