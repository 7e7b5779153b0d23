#!/usr/bin/env bash
# Prints the pessimal-heap table (Markdown) for the README: every Go 1.5-era
# variant on the real kernel and on both simulated profiles.
# Usage: tools/pessimal_table.sh   (builds //bench:pessimal first)
set -euo pipefail
cd "$(dirname "$0")/.."
bazel build -c opt //bench:pessimal >/dev/null 2>&1
bin=bazel-bin/bench/pessimal/pessimal
gib() { awk -v b="$1" 'BEGIN { printf "%.2f GiB", b / 1073741824 }'; }
echo "| variant | kernel | profile | heap at the VMA limit | VMAs (map_count) | refusal |"
echo "|---|---|---|---|---|---|"
for v in none prefix fixed hugepage_eager disablethp; do
  for kp in linux:linux6 sim:linux6 sim:linux2015; do
    k=${kp%%:*}; p=${kp##*:}
    line=$("$bin" --variant="$v" --kernel="$k" --kernel_profile="$p" --quiet)
    vmas=$(sed -n 's/.*vmas=\([0-9]*\).*/\1/p' <<<"$line")
    if [[ "$line" == *limit=none* ]]; then
      heap=$(sed -n 's/.*heap_bytes=\([0-9]*\).*/\1/p' <<<"$line")
      echo "| $v | $k | $p | no limit up to $(gib "$heap") | $vmas | none |"
    else
      heap=$(sed -n 's/.*limit_heap_bytes=\([0-9]*\).*/\1/p' <<<"$line")
      err=$(sed -n 's/.*errno=\([A-Z]*\).*/\1/p' <<<"$line")
      echo "| $v | $k | $p | $(gib "$heap") ($heap bytes) | $vmas | $err |"
    fi
  done
done
