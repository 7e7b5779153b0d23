#!/usr/bin/env bash
# bench/thp_bloat on the simulated kernel, the command-line contract: the
# CSV row carries both runs' figures (none bloats, prefix does not), the
# flags reach the run (--max_ptes_none, --kernel_profile=linux2015's
# khugepaged path), determinism across processes, the report formats, the
# address maps of --svg_out, a dying child's maps, and bad flags (one line,
# exit 2). The exact outcome per variant, profile and max_ptes_none is
# pinned in-process by bloat_run_test.
# The simulated kernel's THP mode and vm.max_map_count are the flags'
# (madvise and 65530 by default), not this machine's, so the numbers below
# hold on any machine.
set -u
bin="${1:-$(dirname "$0")/thp_bloat}"
[ -x "$bin" ] || bin="bench/thp_bloat/thp_bloat"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

run() { local out="$1"; shift; "$bin" --kernel=sim --quiet --csv_out="$tmp/$out.csv" "$@" >"$tmp/$out.txt" ||
  { echo "FAIL: $* (exit $?)"; fail=1; }; }
# Every run below is two child processes per variant (each ~0.3 s, ~7 s under
# ASan), so only the default run has all three variants.
# The default run also draws its maps: the observers must not change a figure
# (its none row is compared with a run without them below).
run default --json_out="$tmp/default.json" --svg_out="$tmp/default.svg"
run again --variants=none
run m447 --max_ptes_none=447 --variants=none
run l2015 --kernel_profile=linux2015 --variants=none,prefix
run always --sim_thp=always --max_map_count=100000 --variants=fixed
# The Go 1.21 variants on their own heap (--heap=auto, the default), with
# the emulation working through the kernel seam as for the Go 1.5 heap, and
# --svg_out skipping their maps with a note; and none on the Go 1.21 heap,
# marked as not its release's.
run go121 --variants=hugepage_eager,collapse --svg_out="$tmp/go121.svg"
run none121 --variants=none --heap=go121

# column <csv> <variant> <key>
column() {
  awk -F, -v v="$2" -v k="$3" 'NR==1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $col["variant"] == v { print $col[k] }' "$tmp/$1.csv"
}
# expect <csv> <variant> key=value...
expect() {
  local csv="$1" v="$2"; shift 2
  for kv in "$@"; do
    local k="${kv%%=*}" want="${kv#*=}" got
    got=$(column "$csv" "$v" "$k")
    [ "$got" = "$want" ] || { echo "FAIL: $csv $v $k: got '$got', want '$want'"; fail=1; }
  done
}

# The figures themselves (every variant, both profiles, the max_ptes_none
# threshold) are pinned in-process by bloat_run_test; here, that the CSV
# row carries the two runs' figures, and that the driver takes the 2015
# kernel's khugepaged path (it has no MADV_COLLAPSE).
for csv in default l2015; do
  expect "$csv" none arena_bytes=234881024 rss_without_bytes=29310976 rss_with_bytes=234881024 \
    bloat_factor=8.013415 regions_collapsed=120 madvise_calls.DONTNEED=3571 error=
done
expect l2015 prefix bloat_factor=1.000000 regions_collapsed=7 madvise_calls.NOHUGEPAGE=3571
# Simulated collapses are not timed.
for v in none prefix fixed; do expect default "$v" collapse_count= collapse_p50_ns= ; done
# The header names the simulator's settings.
header() { head -1 "$tmp/$1.txt" | sed -n 's/.*, kernel=\(sim ([^)]*)\);.*/\1/p'; }
[ "$(header default)" = "sim (linux6, THP mode madvise, max_map_count 65530)" ] ||
  { echo "FAIL: default header '$(head -1 "$tmp/default.txt")'"; fail=1; }
[ "$(header always)" = "sim (linux6, THP mode always, max_map_count 100000)" ] ||
  { echo "FAIL: --sim_thp=always header '$(head -1 "$tmp/always.txt")'"; fail=1; }
grep -q '^none .* 8\.013x .*n/a (simulated)$' "$tmp/default.txt" || { echo "FAIL: table row"; cat "$tmp/default.txt"; fail=1; }
grep -qx 'none bloats (x8.013); prefix no bloat (x1.000); fixed no bloat (x1.000)' "$tmp/default.txt" ||
  { echo "FAIL: verdict line"; cat "$tmp/default.txt"; fail=1; }
[ "$(grep '^none,' "$tmp/default.csv")" = "$(grep '^none,' "$tmp/again.csv")" ] ||
  { echo "FAIL: two sim runs differ"; fail=1; }
if command -v python3 >/dev/null; then
  python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["variants"][0]["bloat_factor"] > 8' \
    "$tmp/default.json" || { echo "FAIL: JSON"; fail=1; }
fi

# --svg_out: per variant, the run with khugepaged at its VMA peak and at its
# end, in variant order, each title once.
svg="$tmp/default.svg"
[ "$(head -c 4 "$svg" 2>/dev/null)" = "<svg" ] || { echo "FAIL: $svg is not an SVG"; fail=1; }
grep -q '</svg>$' "$svg" || { echo "FAIL: $svg unfinished"; fail=1; }
# caption <title>: the caption drawn next to that title
caption() { awk -v t=">$1</text>" 'index($0, t) { getline; sub(/^<text[^>]*>/, ""); sub(/<\/text>$/, ""); print }' "$svg"; }
titles=$(grep -o 'font-weight="bold">[^<]*' "$svg" | sed 's/.*>//' | tail -n +2)
want=$(for v in none prefix fixed; do printf '%s\n' "$v — VMA peak" "$v — end (khugepaged emulated)"; done)
[ "$titles" = "$want" ] || { echo "FAIL: map titles:"; printf '%s\n' "$titles"; fail=1; }
for v in none prefix fixed; do
  # The peak map is taken at the VMA count the report gives as the maximum.
  got=$(caption "$v — VMA peak" | sed -n 's/^runtime VMAs: \([0-9]*\),.*/\1/p')
  want=$(column default "$v" max_vmas_runtime)
  [ -n "$got" ] && [ "$got" = "$want" ] || { echo "FAIL: $v peak map at '$got' VMAs, max $want"; fail=1; }
done
[ "$(column default prefix max_vmas_runtime)" -gt 7000 ] || { echo "FAIL: prefix's peak"; fail=1; }
# none at the end: RSS back to the whole arena, all of it huge, while its
# spans are released (the map cannot show residency; the caption does).
got=$(caption "none — end (khugepaged emulated)")
want='RSS 224.0 MiB, AnonHugePages 224.0 MiB of a 224.0 MiB arena; regions collapsed: 120; without khugepaged RSS 28.0 MiB (x8.01)'
[ "$got" = "$want" ] || { echo "FAIL: none end caption: '$got'"; fail=1; }
got=$(caption "fixed — end (khugepaged emulated)")
case "$got" in "RSS 28.0 MiB, AnonHugePages 0.0 MiB of a 224.0 MiB arena; regions collapsed: 7;"*"(x1.00)") ;;
  *) echo "FAIL: fixed end caption: '$got'"; fail=1 ;; esac
# Rectangles of one colour inside one map (from its title to the next).
rects() { awk -v t=">$1</text>" -v c="fill=\"$2\"" 'index($0, t) { on = 1; next }
  on && /font-weight="bold"/ { exit } on && index($0, c) { n++ } END { print n + 0 }' "$svg"; }
released=$(rects "none — end (khugepaged emulated)" '#f2c744')
nohuge=$(rects "none — end (khugepaged emulated)" '#d33a2c')
[ "$released" -gt 100 ] && [ "$nohuge" -eq 0 ] ||
  { echo "FAIL: none end map: $released released runs, $nohuge NOHUGEPAGE VMAs"; fail=1; }
[ "$(rects "prefix — VMA peak" '#d33a2c')" -gt 3000 ] || { echo "FAIL: prefix peak map without NOHUGEPAGE VMAs"; fail=1; }

# A child that dies of a fatal runtime error (here the arena's second mmap
# meets a 32-VMA limit) still writes its maps: the peak so far and the arena
# at the error.
"$bin" --kernel=sim --quiet --max_map_count=32 --sim_baseline=30 --child_variant=prefix \
  --child_khugepaged=true --child_result="$tmp/child.result" --child_map="$tmp/child.map" 2>"$tmp/child.err"
rc=$?
[ "$rc" -eq 2 ] && grep -qx 'fatal error: runtime: cannot allocate memory' "$tmp/child.err" ||
  { echo "FAIL: child with a 32-VMA limit: exit $rc"; cat "$tmp/child.err"; fail=1; }
[ "$(grep -c '^addrmap 1$' "$tmp/child.map" 2>/dev/null)" = 2 ] &&
  grep -qx 'title prefix — VMA peak' "$tmp/child.map" &&
  grep -qx 'title prefix — at the fatal error' "$tmp/child.map" &&
  grep -qx 'caption t=0.000s of virtual time: runtime: cannot allocate memory' "$tmp/child.map" ||
  { echo "FAIL: the dying child's maps:"; cat "$tmp/child.map"; fail=1; }

# --max_ptes_none reaches the emulation (the threshold is pinned in
# bloat_run_test): at 447 only one released region collapses again.
expect m447 none bloat_factor=1.060369 regions_collapsed=9

# --heap: the rows above name the Go 1.5 heap; the 1.21 variants run on
# theirs and complete, the emulation scanning their arena (collapse's dense
# chunks are collapsed again by it); no map is drawn for them, and none on
# go121 is marked, with no expected outcome (that is the Go 1.5 heap's).
for v in none prefix fixed; do expect default "$v" heap=go15; done
for v in hugepage_eager collapse; do
  expect go121 "$v" heap=go121 error= live_objects=100000
  [ "$(column go121 "$v" arena_bytes)" -gt 0 ] || { echo "FAIL: go121 $v arena"; fail=1; }
done
[ "$(column go121 collapse regions_collapsed)" -gt 0 ] ||
  { echo "FAIL: the emulation collapsed nothing on the go121 heap"; fail=1; }
grep -q '^hugepage_eager go121  ' "$tmp/go121.txt" && ! grep -q '\*' "$tmp/go121.txt" ||
  { echo "FAIL: go121 rows"; cat "$tmp/go121.txt"; fail=1; }
# Go 1.21 heap runs get maps too (the page allocator's page states), with
# no note about missing ones.
for t in 'hugepage_eager — VMA peak' 'hugepage_eager — end (khugepaged emulated)' \
         'collapse — VMA peak' 'collapse — end (khugepaged emulated)'; do
  grep -q ">$t<" "$tmp/go121.svg" || { echo "FAIL: go121 map '$t' missing"; fail=1; }
done
! grep -q 'no map for' "$tmp/go121.txt" "$tmp/go121.svg" || { echo "FAIL: go121 map note"; cat "$tmp/go121.txt"; fail=1; }
expect none121 none heap=go121
grep -q '^none    go121\* ' "$tmp/none121.txt" && grep -qx "\* not the heap this variant's Go release had" "$tmp/none121.txt" &&
  ! grep -q 'NOT the expected' "$tmp/none121.txt" || { echo "FAIL: none on go121"; cat "$tmp/none121.txt"; fail=1; }

. "$(dirname "$0")/../harness/cli_test_lib.sh"
expect_exit2 '--max_ptes_none=512: expected 0 to 511' --kernel=sim --max_ptes_none=512
expect_exit2 '--max_ptes_none=-1: expected 0 to 511' --kernel=sim --max_ptes_none=-1
expect_exit2 "--max_ptes_none=many: expected an integer (accepted: 0 to 511)" --kernel=sim --max_ptes_none=many
expect_exit2 'unknown variant "nohuge" (accepted: none, prefix' --kernel=sim --variants=none,nohuge
expect_exit2 '--variants=,: no variant to run' --kernel=sim --variants=,
expect_exit2 '--kernel=bsd: unknown kernel (accepted: linux, sim)' --kernel=bsd
expect_exit2 'unknown kernel profile "linux1999"' --kernel=sim --kernel_profile=linux1999
expect_exit2 '--sim_thp=sometimes: expected madvise, always, never or auto' --kernel=sim --sim_thp=sometimes
expect_exit2 '--sim_thp=always: applies to --kernel=sim only' --kernel=linux --sim_thp=always
expect_exit2 'MADV_TRY_COLLAPSE, which kernel linux does not have' --kernel=linux --variants=try_collapse
expect_exit2 'unknown flag --max_ptes' --kernel=sim --max_ptes=3
expect_exit2 'unexpected argument "none"' --kernel=sim none
expect_exit2 '--heap="go14": expected auto, go15 or go121' --kernel=sim --heap=go14
expect_exit2 '--heap=go121: variant fixed_batched batches' --kernel=sim --heap=go121 --variants=fixed_batched
expect_exit2 "--svg_out=$tmp/no/such/dir/m.svg: cannot write" --kernel=sim --quiet --variants=fixed \
  --svg_out="$tmp/no/such/dir/m.svg"
[ "$fail" -eq 0 ] && echo PASS
exit "$fail"
