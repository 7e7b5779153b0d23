#!/usr/bin/env bash
# bench/thp_bloat on the real kernel (MADV_COLLAPSE) gives the simulated
# kernel's RSS figures exactly for none (bloats) and fixed (does not), and
# times every collapse. A smoke check of the tool, not a measurement: the
# latencies are whatever this machine gives. Skips when THP mode is not
# "madvise" or the kernel has no MADV_COLLAPSE (Linux < 6.1).
set -u
bin="${1:-$(dirname "$0")/thp_bloat}"
[ -x "$bin" ] || bin="bench/thp_bloat/thp_bloat"
mode=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
if [ "$mode" != "madvise" ]; then echo "SKIP: THP mode is '$mode', not 'madvise'"; exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
"$bin" --quiet --variants=none,fixed --kernel=linux --csv_out="$tmp/linux.csv" >"$tmp/linux.txt" ||
  { echo "FAIL: linux run"; cat "$tmp/linux.txt"; fail=1; }
# The simulated kernel is compared with this one, so it takes this machine's
# THP mode (the skip above keeps that madvise, which the pinned 8.013x needs).
"$bin" --quiet --variants=none,fixed --kernel=sim --sim_thp=auto --csv_out="$tmp/sim.csv" >/dev/null ||
  { echo "FAIL: sim run"; fail=1; }
column() {
  awk -F, -v v="$2" -v k="$3" 'NR==1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $col["variant"] == v { print $col[k] }' "$tmp/$1.csv"
}
if [ "$(column linux none regions_collapsed)" = "0" ] && [ "$(column linux none collapse_failures)" != "0" ]; then
  echo "SKIP: MADV_COLLAPSE failed on every region (Linux < 6.1?)"; exit 0
fi
for v in none fixed; do
  for k in arena_bytes rss_without_bytes rss_with_bytes bloat_factor anon_huge_with_bytes \
           regions_collapsed collapse_added_bytes heap_released_bytes; do
    a=$(column linux "$v" "$k"); b=$(column sim "$v" "$k")
    [ -n "$a" ] && [ "$a" = "$b" ] || { echo "FAIL: $v $k: linux '$a' sim '$b'"; fail=1; }
  done
done
n=$(column linux none collapse_count)
[ "$n" = "$(column linux none regions_collapsed)" ] || { echo "FAIL: $n timed collapses"; fail=1; }
p50=$(column linux none collapse_p50_ns)
[ -n "$p50" ] && [ "$p50" -gt 0 ] || { echo "FAIL: p50 '$p50'"; fail=1; }
grep -q '^none .* 8\.013x .* ms$' "$tmp/linux.txt" || { echo "FAIL: table"; cat "$tmp/linux.txt"; fail=1; }
# A Go 1.21 variant on the Go 1.21 heap (--heap=auto): the same flag calls,
# VMAs and emulated collapses on both kernels.
"$bin" --quiet --variants=collapse --kernel=linux --csv_out="$tmp/linux121.csv" >/dev/null ||
  { echo "FAIL: linux go121 run"; fail=1; }
"$bin" --quiet --variants=collapse --kernel=sim --sim_thp=auto --csv_out="$tmp/sim121.csv" >/dev/null ||
  { echo "FAIL: sim go121 run"; fail=1; }
for k in heap madvise_calls.DONTNEED madvise_calls.HUGEPAGE madvise_calls.NOHUGEPAGE max_vmas_runtime \
         arena_bytes regions_collapsed heap_released_bytes; do
  a=$(column linux121 collapse "$k"); b=$(column sim121 collapse "$k")
  [ -n "$a" ] && [ "$a" = "$b" ] || { echo "FAIL: go121 collapse $k: linux '$a' sim '$b'"; fail=1; }
done
[ "$fail" -eq 0 ] && echo PASS
exit "$fail"
