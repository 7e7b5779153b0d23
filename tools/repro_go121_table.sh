#!/usr/bin/env bash
# Prints the README's table of the Go 1.5 runtime benchmarks on the Go 1.21
# heap (vma_repro --heap=go121) beside the same variants on the Go 1.5 heap
# with Go 1.21's chunk-density rule (--heap=go15, what the other drivers
# still run), real kernel and simulated linux6.
# Usage: tools/repro_go121_table.sh   (builds //bench:vma_repro first; about 3 min)
set -euo pipefail
cd "$(dirname "$0")/.."
bazel build -c opt //bench:vma_repro >/dev/null 2>&1
bin=bazel-bin/bench/vma_repro/vma_repro
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
col() {  # col <csv> <row number, from 2> <key>
  awk -F, -v r="$2" -v k="$3" 'NR==1 { for (i = 1; i <= NF; i++) c[$i] = i; next } NR==r { print $c[k] }' "$1"
}
echo "| heap | variant | kernel | max VMAs, Go-equivalent | runtime's own | heap mapped MiB | peak RSS MiB | peak AnonHugePages MiB (share of RSS) | HUGEPAGE / NOHUGEPAGE / COLLAPSE (or TRY_COLLAPSE) calls | GC cycles | scavenger passes |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for hk in go121:linux go121:sim go15:linux go15:sim; do
  h=${hk%%:*}; k=${hk##*:}
  variants=none,hugepage_eager,collapse,disablethp
  [ "$k" = sim ] && variants=$variants,try_collapse
  "$bin" --heap="$h" --kernel="$k" --variants="$variants" --jobs=2 --quiet \
    --csv_out="$tmp/$h.$k.csv" >/dev/null || true
  rows=$(($(wc -l <"$tmp/$h.$k.csv")))
  for ((r = 2; r <= rows; r++)); do
    f() { col "$tmp/$h.$k.csv" "$r" "$1"; }
    status=""; [ -n "$(f error)" ] && status=" (fatal: $(f error))"
    rss=$(f peak_rss_bytes); ahp=$(f peak_anon_huge_bytes)
    share=$(awk -v a="$ahp" -v r="$rss" 'BEGIN { if (r > 0) printf "%.0f%%", 100 * a / r; else print "-" }')
    label=$h; [ "$h" = go15 ] && [ "$(f variant)" != none ] && label="go15 (chunk rule)"
    collapses=$(( $(f madvise_calls.COLLAPSE) + $(f madvise_calls.TRY_COLLAPSE) ))
    echo "| $label | $(f variant)$status | $k | $(f max_vmas_go_equivalent) | $(f max_vmas_runtime) | $(mib "$(f heap_sys_bytes)") | $(mib "$rss") | $(mib "$ahp") ($share) | $(f madvise_calls.HUGEPAGE) / $(f madvise_calls.NOHUGEPAGE) / $collapses | $(f gc_cycles) | $(f scavenge_passes) |"
  done
done
