#!/usr/bin/env bash
# GODEBUG=gctrace=1 through vma_repro's children, on a short run of two
# variants side by side (--jobs=2): stderr holds one block per variant, under
# its header line, and every other line is one of Go 1.5's trace lines in
# Go's exact format: gc(mode)'s line (mgc.go), forcegchelper's "GC forced"
# (proc1.go), mHeap_Scavenge's two scvg lines (mheap.go). Within a block the
# gc lines count 1, 2, 3, ... up to the child's GC cycles and the scvg stats
# lines 0, 1, 2, ... up to its scavenge passes, so no cycle or pass went
# unprinted and no other child's line fell in between. --quiet silences
# progress, not the trace; without gctrace there is no trace line at all,
# and tracing does not change a single measured number.
set -u
bin="${1:-$(dirname "$0")/vma_repro}"
[ -x "$bin" ] || bin="bench/vma_repro/vma_repro"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
args=(--workloads='Malloc|AppendGrow' --kernel=sim --variants=fixed,prefix --jobs=2 --quiet
  --benchtime=20ms)

GODEBUG=gctrace=1,scavenge=1 "$bin" "${args[@]}" --csv_out="$tmp/trace.csv" \
  >"$tmp/trace.out" 2>"$tmp/trace.err" || { echo "FAIL: gctrace run"; cat "$tmp/trace.err"; fail=1; }

# gc(mode)'s line, Go 1.5 mgc.go: cycle number, start since runtime init
# (itoaDiv, 3 decimals), utilisation; five wall-clock phase times; seven CPU
# times, the three mark components split by '/'; heap sizes, goal, GOMAXPROCS
# (2, vma_repro's default); " (forced)" unless the cycle ran in background
# mode (runtime.GC() forces one; sysmon's forced GC runs in background mode).
gc_re='^gc [0-9]+ @[0-9]+\.[0-9]{3}s [0-9]+%: '
gc_re+='[0-9.]+(\+[0-9.]+){4} ms clock, '
gc_re+='[0-9.]+(\+[0-9.]+){3}/[0-9.]+/[0-9.]+\+[0-9.]+ ms cpu, '
gc_re+='[0-9]+->[0-9]+->[0-9]+ MB, [0-9]+ MB goal, 2 P( \(forced\))?$'
# mHeap_Scavenge's two lines, Go 1.5 mheap.go.
released_re='^scvg-?[0-9]+: [0-9]+ MB released$'
stats_re='^scvg-?[0-9]+: inuse: [0-9]+, idle: [0-9]+, sys: [0-9]+, released: [0-9]+, consumed: [0-9]+ \(MB\)$'
header_re='^# gctrace of variant [a-z_]+ \(kernel sim, profile linux6\)$'

# Every line is a header or a trace line.
bad=$(grep -Ev -e "$gc_re" -e "$released_re" -e "$stats_re" -e '^GC forced$' -e "$header_re" \
  "$tmp/trace.err")
[ -z "$bad" ] || { echo "FAIL: lines that are not Go 1.5 trace lines:"; head -5 <<<"$bad"; fail=1; }
headers=$(grep -E "$header_re" "$tmp/trace.err" | sort)
want=$'# gctrace of variant fixed (kernel sim, profile linux6)\n# gctrace of variant prefix (kernel sim, profile linux6)'
[ "$headers" = "$want" ] || { echo "FAIL: headers: $headers"; fail=1; }

# column <csv> <variant> <key>
column() {
  awk -F, -v v="$2" -v k="$3" 'NR==1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $col["variant"] == v { print $col[k] }' "$1"
}
for v in fixed prefix; do
  # The block of variant v: from its header to the next header.
  awk -v h="# gctrace of variant $v " 'index($0, h) == 1 { on = 1; next } /^# / { on = 0 } on' \
    "$tmp/trace.err" >"$tmp/$v.block"
  gcs=$(column "$tmp/trace.csv" "$v" gc_cycles)
  passes=$(column "$tmp/trace.csv" "$v" scavenge_passes)
  # Checks the block's sequence; prints what is wrong, nothing if all is right.
  why=$(awk -v gcs="$gcs" -v passes="$passes" '
    function wrong(what) { print what; done = 1; exit }
    pending && !/: inuse: / { wrong("a released line not followed by its stats line") }
    /^gc / {
      n = $2 + 0; t = substr($3, 2) + 0
      if (n != gc + 1) wrong("gc " n " after gc " gc)
      if (t < last_t) wrong("gc " n " at " t "s after one at " last_t "s")
      gc = n; last_t = t; forced += / \(forced\)$/; next
    }
    /MB released$/ { k = substr($1, 5) + 0
      if (k != scvg) wrong("released line of scvg" k " where scvg" scvg + 0 " is due")
      pending = 1; released++; next }
    /^scvg/ { k = substr($1, 5) + 0
      if (k != scvg) wrong("scvg" k " where scvg" scvg + 0 " is due")
      scvg++; pending = 0; next }
    END {
      if (done) exit
      if (gc != gcs) print gc " gc lines, " gcs " GC cycles"
      if (scvg != passes) print scvg " scvg stats lines, " passes " scavenge passes"
      if (forced == 0) print "no (forced) gc line, though runtime.GC() runs before every b.N run"
      if (released == 0) print "no MB released line"
    }' "$tmp/$v.block")
  [ -n "$gcs" ] && [ "$gcs" -gt 0 ] || why="no GC cycles in the CSV ($gcs) $why"
  [ -z "$why" ] || { echo "FAIL: $v's block: $why"; fail=1; }
done

# Without gctrace: no trace line and no header; the same numbers otherwise.
GODEBUG=scavenge=1 "$bin" "${args[@]}" --csv_out="$tmp/plain.csv" >/dev/null 2>"$tmp/plain.err" ||
  { echo "FAIL: plain run"; fail=1; }
if grep -Eq -e '^gc ' -e '^scvg' -e '^GC forced' -e '^# gctrace' "$tmp/plain.err"; then
  echo "FAIL: trace lines without gctrace:"; head -3 "$tmp/plain.err"; fail=1
fi
strip() { awk -F, 'NR==1 { for (i = 1; i <= NF; i++) if ($i == "wall_ns") w = i } { $w = ""; print }' "$1"; }
if [ "$(strip "$tmp/trace.csv")" != "$(strip "$tmp/plain.csv")" ]; then
  echo "FAIL: tracing changed the run"; diff <(strip "$tmp/plain.csv") <(strip "$tmp/trace.csv"); fail=1
fi

# Without --quiet the child's progress lines come inside its block, after
# the header; on the real kernel the header names no profile.
GODEBUG=gctrace=1,scavenge=1 "$bin" --workloads='^BenchmarkMalloc8$' --kernel=linux --variants=fixed \
  --benchtime=5ms >/dev/null 2>"$tmp/linux.err" || { echo "FAIL: linux run"; fail=1; }
first=$(head -1 "$tmp/linux.err")
[ "$first" = "# gctrace of variant fixed (kernel linux)" ] || { echo "FAIL: linux header: $first"; fail=1; }
grep -q '^vma_repro: \[fixed\] 1/1 BenchmarkMalloc8 ' "$tmp/linux.err" ||
  { echo "FAIL: no progress line without --quiet"; head -3 "$tmp/linux.err"; fail=1; }
grep -Eq "$gc_re" "$tmp/linux.err" || { echo "FAIL: no gc line on the real kernel"; fail=1; }

# The Go 1.21 heap (the 1.21 variants' own): Go 1.21's gc line
# (gcMarkTermination, mgc.go: three clock phases, five CPU times, stacks and
# globals; mheap/go121/gctrace.h: an instantaneous cycle prints 0 for every
# time and 0% utilisation) and forcegchelper's "GC forced"; gc lines count
# 1, 2, ... up to the child's GC cycles, and tracing changes no number.
args121=(--workloads='Malloc|AppendGrow' --kernel=sim --variants=hugepage_eager,collapse --jobs=2
  --quiet --benchtime=20ms)
GODEBUG=gctrace=1 "$bin" "${args121[@]}" --csv_out="$tmp/t121.csv" >/dev/null 2>"$tmp/t121.err" ||
  { echo "FAIL: go121 gctrace run"; cat "$tmp/t121.err"; fail=1; }
gc121_re='^gc [0-9]+ @[0-9]+\.[0-9]{3}s 0%: 0\+0\+0 ms clock, 0\+0/0/0\+0 ms cpu, '
gc121_re+='[0-9]+->[0-9]+->[0-9]+ MB, [0-9]+ MB goal, [0-9]+ MB stacks, [0-9]+ MB globals, 2 P( \(forced\))?$'
bad=$(grep -Ev -e "$gc121_re" -e '^GC forced$' -e "$header_re" "$tmp/t121.err")
[ -z "$bad" ] || { echo "FAIL: lines that are not Go 1.21 trace lines:"; head -5 <<<"$bad"; fail=1; }
for v in hugepage_eager collapse; do
  awk -v h="# gctrace of variant $v " 'index($0, h) == 1 { on = 1; next } /^# / { on = 0 } on' \
    "$tmp/t121.err" >"$tmp/$v.block"
  gcs=$(column "$tmp/t121.csv" "$v" gc_cycles)
  why=$(awk -v gcs="$gcs" '
    /^gc / { n = $2 + 0; if (n != gc + 1) { print "gc " n " after gc " gc; exit } gc = n
             forced += / \(forced\)$/ }
    END { if (gc != gcs) print gc " gc lines, " gcs " GC cycles"
          if (forced == 0) print "no (forced) gc line" }' "$tmp/$v.block")
  [ -n "$gcs" ] && [ "$gcs" -gt 0 ] || why="no GC cycles in the CSV ($gcs) $why"
  [ -z "$why" ] || { echo "FAIL: go121 $v's block: $why"; fail=1; }
done
"$bin" "${args121[@]}" --csv_out="$tmp/p121.csv" >/dev/null 2>"$tmp/p121.err" || { echo "FAIL: go121 plain run"; fail=1; }
! grep -Eq -e '^gc ' -e '^GC forced' "$tmp/p121.err" || { echo "FAIL: go121 trace lines without gctrace"; fail=1; }
[ "$(strip "$tmp/t121.csv")" = "$(strip "$tmp/p121.csv")" ] || { echo "FAIL: go121 tracing changed the run"; fail=1; }

# GODEBUG=scavtrace=1: printScavTrace's line (mgcscavenge.go) from the Go 1.21
# heap runs, at each sweep drain (and forced at scavengeAll); the Go 1.5 heap
# has no such line, so fixed's block is empty. Tracing changes no number.
GODEBUG=scavtrace=1 "$bin" "${args121[@]}" --variants=hugepage_eager,collapse,fixed \
  --csv_out="$tmp/s121.csv" >/dev/null 2>"$tmp/s121.err" || { echo "FAIL: scavtrace run"; fail=1; }
scav_re='^scav [0-9]+ KiB work \(bg\), [0-9]+ KiB work \(eager\), [0-9]+ KiB now, [0-9]+% util( \(forced\)| \[controller reset\])?$'
bad=$(grep -Ev -e "$scav_re" -e "$header_re" "$tmp/s121.err")
[ -z "$bad" ] || { echo "FAIL: lines that are not scavtrace lines:"; head -5 <<<"$bad"; fail=1; }
for v in hugepage_eager collapse fixed; do
  n=$(awk -v h="# gctrace of variant $v " 'index($0, h) == 1 { on = 1; next } /^# / { on = 0 } on' \
    "$tmp/s121.err" | grep -c '^scav ')
  case "$v:$n" in fixed:0) ;; fixed:*) echo "FAIL: scav lines from the Go 1.5 heap"; fail=1 ;;
    *:0) echo "FAIL: no scav line from $v"; fail=1 ;; esac
done
"$bin" "${args121[@]}" --variants=hugepage_eager,collapse,fixed --csv_out="$tmp/ps121.csv" \
  >/dev/null 2>/dev/null || { echo "FAIL: plain run for scavtrace"; fail=1; }
[ "$(strip "$tmp/s121.csv")" = "$(strip "$tmp/ps121.csv")" ] || { echo "FAIL: scavtrace changed the run"; fail=1; }

[ "$fail" -eq 0 ] && echo PASS
exit "$fail"
