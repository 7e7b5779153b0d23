#!/usr/bin/env bash
# Prints the vma_limit tables (Markdown) for docs/the-bug.md: the fragmenting
# service under prefix and fixed on the real kernel and the simulated one at
# this machine's limit, then prefix on the simulated kernel at other
# vm.max_map_count settings (how the failure point scales).
# Usage: tools/vma_limit_table.sh   (builds //bench:vma_limit; about 4 min)
set -euo pipefail
cd "$(dirname "$0")/.."
bazel build -c opt //bench:vma_limit >/dev/null 2>&1
bin=bazel-bin/bench/vma_limit/vma_limit
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
err() { sed -n 's/.* error="\(.*\)"$/\1/p' <<<"$1"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }
row() {  # row <label> <report line>
  local l="$2"
  echo "| $1 | $(field outcome "$l") | $(field round "$l") | $(field virtual_s "$l") | $(field max_map_count_seen "$l") | $(field runtime_vmas "$l") | $(mib "$(field heap_sys "$l")") | $(mib "$(field heap_released "$l")") | $(field refused_splits "$l") | $(err "$l") |"
}
echo "| run | outcome | round | virtual s | max map_count | runtime VMAs at end | heap_sys MiB | released MiB | refused splits | fatal error |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for k in linux sim; do
  for v in prefix fixed; do
    l=$("$bin" --variant=$v --kernel=$k --quiet 2>/dev/null || true)
    row "$v, --kernel=$k" "$l"
  done
done
echo
echo "| --max_map_count (sim) | outcome | round | virtual s | max map_count | refused splits | fatal error |"
echo "|---|---|---|---|---|---|---|"
for n in 8000 16000 32000 65530 131060; do
  l=$("$bin" --variant=prefix --kernel=sim --max_map_count=$n --quiet 2>/dev/null || true)
  echo "| $n | $(field outcome "$l") | $(field round "$l") | $(field virtual_s "$l") | $(field max_map_count_seen "$l") | $(field refused_splits "$l") | $(err "$l") |"
done
