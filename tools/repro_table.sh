#!/usr/bin/env bash
# Prints the reproduction tables (Markdown) for the README: vma_repro over
# all 243 Go 1.5 runtime benchmarks, every variant, on the real kernel and on
# both simulated profiles, each variant on its Go release's heap (--heap=auto).
# Usage: tools/repro_table.sh   (builds //bench:vma_repro first; about 2 min)
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
echo "| variant | heap | kernel | profile | max VMAs, Go-equivalent | runtime's own | of them splits | whole process | peak RSS MiB | peak AnonHugePages MiB | HUGEPAGE / NOHUGEPAGE / COLLAPSE calls | wall s |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
headlines=()
for kp in linux:linux6 sim:linux6 sim:linux2015; do
  k=${kp%%:*}; p=${kp##*:}
  out=$("$bin" --kernel="$k" --kernel_profile="$p" --jobs=2 --quiet --csv_out="$tmp/$k.$p.csv" || true)
  headlines+=("- \`--kernel=$k --kernel_profile=$p\`: $(grep '^prefix max_vmas=' <<<"$out" || echo 'no headline')")
  rows=$(($(wc -l <"$tmp/$k.$p.csv")))
  for ((r = 2; r <= rows; r++)); do
    f() { col "$tmp/$k.$p.csv" "$r" "$1"; }
    status=""; [ -n "$(f error)" ] && status=" (fatal: $(f error))"
    echo "| $(f variant)$status | $(f heap) | $k | $p | $(f max_vmas_go_equivalent) | $(f max_vmas_runtime) | $(f max_split_vmas) | $(f max_vmas_process) | $(mib "$(f peak_rss_bytes)") | $(mib "$(f peak_anon_huge_bytes)") | $(f madvise_calls.HUGEPAGE) / $(f madvise_calls.NOHUGEPAGE) / $(f madvise_calls.COLLAPSE) | $(awk -v n="$(f wall_ns)" 'BEGIN { printf "%.1f", n / 1e9 }') |"
  done
done
echo
echo "Headline lines:"
echo
printf '%s\n' "${headlines[@]}"
