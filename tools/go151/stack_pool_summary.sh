#!/bin/bash
# thp-lab, measurement only: summarises the stderr of a runtime.test built
# with tools/go151/stackpool.patch: the Ms made (their g0 and gsignal
# pages), runtime.main's growth to 8 KiB before the first benchmark, and
# per benchmark how many order-2 pool spans were made and freed (the first
# two new-span lines are shown).
# Usage: tools/go151/stack_pool_summary.sh STDERR_FILE
if [[ $# -ne 1 || ! -r "$1" ]]; then
  echo "usage: stack_pool_summary.sh STDERR_FILE (a readable file)" >&2
  exit 2
fi
awk '
/^BENCH name=/ { if (b != "") printf "%s new_order2_spans=%d freed_order2_spans=%d\n", b, nn, nf
                 b = $2; nn = 0; nf = 0; next }
/^SPM newm/ { print "  " $0; next }
/^SPA .*order=2 .*new=true/ { nn++; if (nn <= 2) print "  " $0; next }
/^FSSFREE order=2/ { nf++; next }
/^SPW .*what=copy .*new=8192/ && b == "" { print "  " $0 }
END { if (b != "") printf "%s new_order2_spans=%d freed_order2_spans=%d\n", b, nn, nf }' "$1"
