#!/usr/bin/env bash
# Prints the pessimal-heap table (Markdown) for the README: each variant on
# its own heap (--heap=auto) and on the other one, on the real kernel and on
# both simulated profiles.
# Usage: tools/pessimal_table.sh   (builds //bench:pessimal first)
set -euo pipefail
cd "$(dirname "$0")/.."
bazel build -c opt //bench:pessimal >/dev/null 2>&1
bin=bazel-bin/bench/pessimal/pessimal
gib() { awk -v b="$1" 'BEGIN { printf "%.2f GiB", b / 1073741824 }'; }
# The heap a variant's Go release had (DefaultHeapOf, mheap/heap_runtime).
own_heap() { case "$1" in hugepage_eager|collapse|try_collapse|disablethp) echo go121;; *) echo go15;; esac; }
echo "| variant | heap | kernel | profile | heap at the VMA limit | VMAs (map_count) | refusal |"
echo "|---|---|---|---|---|---|---|"
for vh in none:go15 none:go121 prefix:go15 prefix:go121 fixed:go15 fixed:go121 \
          hugepage_eager:go121 hugepage_eager:go15 collapse:go121 disablethp:go121; do
  v=${vh%%:*}; h=${vh##*:}
  cell=$h; [ "$h" = "$(own_heap "$v")" ] || cell="$h*"
  for kp in linux:linux6 sim:linux6 sim:linux2015; do
    k=${kp%%:*}; p=${kp##*:}
    if ! line=$("$bin" --variant="$v" --heap="$h" --kernel="$k" --kernel_profile="$p" --quiet 2>&1); then
      # A variant the profile cannot run (collapse needs MADV_COLLAPSE, which
      # the 2015 kernel did not have) is one line and exit 2: a row says so.
      if [[ "$line" == *"needs MADV_COLLAPSE"* ]]; then
        echo "| $v | $cell | $k | $p | not run: this kernel has no MADV_COLLAPSE | — | — |"
        continue
      fi
      echo "pessimal_table: $v on $h, $k $p failed: $line" >&2
      exit 1
    fi
    vmas=$(sed -n 's/.*vmas=\([0-9]*\).*/\1/p' <<<"$line")
    if [[ "$line" == *limit=none* ]]; then
      heap=$(sed -n 's/.*heap_bytes=\([0-9]*\).*/\1/p' <<<"$line")
      echo "| $v | $cell | $k | $p | no limit up to $(gib "$heap") | $vmas | none |"
    else
      heap=$(sed -n 's/.*limit_heap_bytes=\([0-9]*\).*/\1/p' <<<"$line")
      err=$(sed -n 's/.*errno=\([A-Z]*\).*/\1/p' <<<"$line")
      echo "| $v | $cell | $k | $p | $(gib "$heap") ($heap bytes) | $vmas | $err |"
    fi
  done
done
echo
echo "\\* not the heap this variant's Go release had"
