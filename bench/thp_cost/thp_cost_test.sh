#!/usr/bin/env bash
# thp_cost on the simulated kernel, the command-line contract: the CSV row
# carries the chunk_churn figures (pinned exactly, per variant, in-process by
# thp_cost_run_test), the flags reach the children, runs are deterministic;
# times print as n/a; try_collapse gets a row. Bad flags are
# one line with exit status 2. A small real-kernel run shows the same counts
# as the simulator and skips try_collapse with a note. --svg_out draws each
# variant's arena at the end of its workload, the same on both kernels, and a
# variant that dies still gets its map. No timing is asserted.
# The figures checked are the Go 1.5 heap's (the 1.21 variants there are the
# hybrid, mheap/go15/chunks.h), so those runs say --heap=go15; the default
# (--heap=auto) runs the 1.21 variants on the Go 1.21 heap, checked at the
# end: it completes on both kernels, names its heap, and the real kernel
# agrees with the simulator on every flag call.
set -u
bin="${1:-$(dirname "$0")/thp_cost}"
[ -x "$bin" ] || bin="bench/thp_cost/thp_cost"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
# The pinned figures are for Go's defaults: GOGC=100, GOMAXPROCS=2, and
# GODEBUG=scavenge=1, which thp_cost sets itself when GODEBUG does not say.
run() { env -u GODEBUG -u GOGC -u GOMAXPROCS "$bin" --quiet "$@"; }
probe=(--probe_mib=8 --probe_rounds=1 --heap=go15)

# The first run also draws its maps; the second, without, must agree with it.
run --kernel=sim "${probe[@]}" --csv_out="$tmp/sim.csv" --json_out="$tmp/sim.json" \
  --svg_out="$tmp/sim.svg" >"$tmp/sim.txt" || { echo "FAIL: sim run"; cat "$tmp/sim.txt"; fail=1; }
run --kernel=sim "${probe[@]}" --csv_out="$tmp/sim2.csv" >/dev/null || { echo "FAIL: sim rerun"; fail=1; }

# column <csv> <variant> <key>
column() {
  awk -F, -v v="$2" -v k="$3" 'NR==1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $col["variant"] == v { print $col[k] }' "$1"
}
expect() {  # expect <csv> <variant> <key> <value>
  local got; got=$(column "$1" "$2" "$3")
  [ "$got" = "$4" ] || { echo "FAIL: $2 $3 = '$got', want '$4' ($1)"; fail=1; }
}

# The figures per variant (calls by site under the heap lock, the heap, GCs,
# scavenger passes, coverage, the refused collapses) are pinned in-process
# by thp_cost_run_test (ChunkChurnOnTheGo15HeapPerVariant); here, that the
# CSV row carries them.
expect "$tmp/sim.csv" hugepage_eager calls_by_site \
  'sysUnused/DONTNEED=702;*grow/HUGEPAGE=1;*dense/HUGEPAGE=42;scavenge/NOHUGEPAGE=46'
expect "$tmp/sim.csv" collapse madvise_errors 'COLLAPSE/EINVAL=3'
expect "$tmp/sim.csv" fixed gc_cycles 36
# --sim_thp reaches the children (mode never is pinned in thp_cost_run_test).
run --kernel=sim "${probe[@]}" --variants=hugepage_eager --sim_thp=never \
  --csv_out="$tmp/never.csv" >"$tmp/never.txt" || { echo "FAIL: --sim_thp=never run"; fail=1; }
expect "$tmp/never.csv" hugepage_eager touch_advised_anon_huge_bytes 0
# The header names the simulator's settings, not this machine's.
grep -qx 'transparent_hugepage: enabled=always \[madvise\] never | defrag=n/a (simulated)' "$tmp/sim.txt" &&
  grep -q '^thp_cost: kernel=sim max_map_count=65530 GOMAXPROCS=2 ' "$tmp/sim.txt" ||
  { echo "FAIL: sim settings header"; head -3 "$tmp/sim.txt"; fail=1; }
grep -qx 'transparent_hugepage: enabled=always madvise \[never\] | defrag=n/a (simulated)' "$tmp/never.txt" ||
  { echo "FAIL: --sim_thp=never header"; head -3 "$tmp/never.txt"; fail=1; }

# Deterministic: a second run agrees on every figure but the times.
strip() {
  awk -F, 'NR==1 { for (i = 1; i <= NF; i++) if ($i ~ /_ns$/) drop[i] = 1 }
    { line = ""; for (i = 1; i <= NF; i++) if (!(i in drop)) line = line $i ","; print line }' "$1"
}
if [ "$(strip "$tmp/sim.csv")" != "$(strip "$tmp/sim2.csv")" ]; then
  echo "FAIL: two sim runs differ"; diff <(strip "$tmp/sim.csv") <(strip "$tmp/sim2.csv"); fail=1
fi
# The table: times are n/a on the simulator, try_collapse has a row.
grep -q '^try_collapse  *go15\*  *42  *n/a  *n/a  *n/a ' "$tmp/sim.txt" ||
  { echo "FAIL: no try_collapse row with n/a times"; cat "$tmp/sim.txt"; fail=1; }
grep -q 'times n/a: simulated kernel' "$tmp/sim.txt" || { echo "FAIL: no n/a note"; fail=1; }
grep -q '"schema": "thp-lab/thp_cost/1"' "$tmp/sim.json" || { echo "FAIL: JSON schema"; fail=1; }

# --svg_out: one map per variant, in order, at the end of the workload.
# titles <svg>: the maps' titles, one a line
titles() { grep -o 'font-weight="bold">[^<]*' "$1" | sed 's/.*>//' | tail -n +2; }
# caption <svg> <title>: the caption drawn next to that title
caption() { awk -v t=">$2</text>" 'index($0, t) { getline; sub(/^<text[^>]*>/, ""); sub(/<\/text>$/, ""); print }' "$1"; }
[ "$(head -c 4 "$tmp/sim.svg" 2>/dev/null)" = "<svg" ] || { echo "FAIL: sim.svg is not an SVG"; fail=1; }
want=$(for v in hugepage_eager collapse try_collapse fixed; do echo "$v — end of workload"; done)
[ "$(titles "$tmp/sim.svg")" = "$want" ] || { echo "FAIL: map titles:"; titles "$tmp/sim.svg"; fail=1; }
# The VMAs over the arena then: the flags hugepage_eager and fixed set split
# it into 7 and 4; collapse and try_collapse set none, so it stays one.
for vn in hugepage_eager:7 collapse:1 try_collapse:1 fixed:4; do
  v=${vn%%:*}
  got=$(caption "$tmp/sim.svg" "$v — end of workload")
  case "$got" in "VMAs over the arena: ${vn#*:}; heap_inuse 55.6 MiB, AnonHugePages "*"(not a VMA peak: no census here)") ;;
    *) echo "FAIL: $v caption '$got'"; fail=1 ;; esac
done
grep -q 'font-weight="bold">thp_cost: the arena at the end of each variant' "$tmp/sim.svg" ||
  { echo "FAIL: SVG heading"; fail=1; }
# A variant that dies (the arena's first mmap meets a 31-VMA limit) gets its
# row and a map of the arena at the error.
run --kernel=sim "${probe[@]}" --max_map_count=31 --sim_baseline=30 --variants=fixed \
  --svg_out="$tmp/fatal.svg" >"$tmp/fatal.txt" 2>"$tmp/fatal.err"
rc=$?
[ "$rc" -eq 1 ] && grep -q 'runtime: out of memory' "$tmp/fatal.txt" ||
  { echo "FAIL: fatal run: exit $rc"; cat "$tmp/fatal.txt" "$tmp/fatal.err"; fail=1; }
[ "$(titles "$tmp/fatal.svg")" = "fixed — at the fatal error" ] &&
  [ "$(caption "$tmp/fatal.svg" "fixed — at the fatal error")" = "t=0.000s of virtual time: runtime: out of memory" ] ||
  { echo "FAIL: no map at the fatal error"; titles "$tmp/fatal.svg"; fail=1; }

# Real kernel, small: same counts as the simulator for the same flags (the
# heap decides, not the kernel), try_collapse skipped with a one-line note.
small=(--chunks=2 --cycles=1 --probe_mib=4 --probe_rounds=1 --variants=fixed,collapse,try_collapse --heap=go15)
run --kernel=linux "${small[@]}" --csv_out="$tmp/linux.csv" --svg_out="$tmp/linux.svg" >"$tmp/linux.txt" ||
  { echo "FAIL: linux run"; cat "$tmp/linux.txt"; fail=1; }
run --kernel=sim "${small[@]}" --csv_out="$tmp/small_sim.csv" --svg_out="$tmp/small_sim.svg" >/dev/null ||
  { echo "FAIL: small sim run"; fail=1; }
# The maps: no try_collapse (skipped), and the same VMAs over the arena as the
# simulator's (the captions differ only in residency, which is the machine's).
want=$(printf '%s\n' "fixed — end of workload" "collapse — end of workload")
[ "$(titles "$tmp/linux.svg")" = "$want" ] || { echo "FAIL: linux map titles:"; titles "$tmp/linux.svg"; fail=1; }
for v in fixed collapse; do
  a=$(caption "$tmp/linux.svg" "$v — end of workload" | sed 's/;.*//')
  b=$(caption "$tmp/small_sim.svg" "$v — end of workload" | sed 's/;.*//')
  [ -n "$a" ] && [ "$a" = "$b" ] || { echo "FAIL: $v map: linux '$a' sim '$b'"; fail=1; }
done
for v in fixed collapse; do
  for k in calls_by_site locked_calls unlocked_calls end_heap_inuse gc_cycles scavenge_passes; do
    a=$(column "$tmp/linux.csv" "$v" "$k"); b=$(column "$tmp/small_sim.csv" "$v" "$k")
    if [ -z "$a" ] || [ "$a" != "$b" ]; then echo "FAIL: $v $k: linux '$a' sim '$b'"; fail=1; fi
  done
done
[ "$(grep -c '^skipped try_collapse: .*MADV_TRY_COLLAPSE' "$tmp/linux.txt")" = 1 ] ||
  { echo "FAIL: no skip note for try_collapse"; cat "$tmp/linux.txt"; fail=1; }
grep -q 'n/a' "$tmp/linux.txt" && { echo "FAIL: n/a on the real kernel"; fail=1; }
grep -q '^transparent_hugepage: enabled=.* | defrag=' "$tmp/linux.txt" ||
  { echo "FAIL: THP settings not printed"; fail=1; }

# --heap: every row names its heap; under --heap=go15 the 1.21 variants are
# marked as not on their release's heap, with the footnote.
for v in hugepage_eager collapse try_collapse fixed; do expect "$tmp/sim.csv" "$v" heap go15; done
grep -q '^hugepage_eager  go15\*  ' "$tmp/sim.txt" && grep -q '^fixed           go15  ' "$tmp/sim.txt" &&
  grep -qx "\* not the heap this variant's Go release had" "$tmp/sim.txt" ||
  { echo "FAIL: heap column or footnote"; cat "$tmp/sim.txt"; fail=1; }

# The default, --heap=auto: the 1.21 variants on the Go 1.21 heap, fixed on
# Go 1.5's. Its heap-locked calls are those made under the 1.21 heap's own
# lock: hugepage_eager's grow HUGEPAGE is, its scavenger's NOHUGEPAGE is not.
# --svg_out draws the Go 1.5 heap's run only, with a note for the others.
auto=(--chunks=2 --cycles=1 --probe_mib=4 --probe_rounds=1 --variants=hugepage_eager,collapse,fixed)
run --kernel=sim "${auto[@]}" --csv_out="$tmp/auto_sim.csv" --svg_out="$tmp/auto.svg" >"$tmp/auto.txt" ||
  { echo "FAIL: --heap=auto sim run"; cat "$tmp/auto.txt"; fail=1; }
expect "$tmp/auto_sim.csv" hugepage_eager heap go121
expect "$tmp/auto_sim.csv" collapse heap go121
expect "$tmp/auto_sim.csv" fixed heap go15
case "$(column "$tmp/auto_sim.csv" hugepage_eager calls_by_site)" in
  *'*grow/HUGEPAGE='*) ;; *) echo "FAIL: go121 hugepage_eager grow HUGEPAGE not heap-locked"; fail=1 ;; esac
case "$(column "$tmp/auto_sim.csv" hugepage_eager calls_by_site)" in
  *'*scavenge/'*) echo "FAIL: go121 scavenger advice counted as heap-locked"; fail=1 ;; esac
grep -q '^hugepage_eager  go121  ' "$tmp/auto.txt" && ! grep -q 'go121\*\|go15\*' "$tmp/auto.txt" ||
  { echo "FAIL: --heap=auto rows"; cat "$tmp/auto.txt"; fail=1; }
# Every variant gets its map, the Go 1.21 heap's ones too.
[ "$(titles "$tmp/auto.svg" | tr '\n' '|')" = "hugepage_eager — end of workload|collapse — end of workload|fixed — end of workload|" ] &&
  ! grep -q 'no map for' "$tmp/auto.txt" ||
  { echo "FAIL: --heap=auto maps"; titles "$tmp/auto.svg"; fail=1; }
# The same on the real kernel: every flag call, heap-locked or not, as the sim.
run --kernel=linux "${auto[@]}" --csv_out="$tmp/auto_linux.csv" >/dev/null ||
  { echo "FAIL: --heap=auto linux run"; fail=1; }
for v in hugepage_eager collapse fixed; do
  for k in heap calls_by_site locked_calls unlocked_calls end_heap_inuse gc_cycles scavenge_passes; do
    a=$(column "$tmp/auto_linux.csv" "$v" "$k"); b=$(column "$tmp/auto_sim.csv" "$v" "$k")
    if [ -z "$a" ] || [ "$a" != "$b" ]; then echo "FAIL: --heap=auto $v $k: linux '$a' sim '$b'"; fail=1; fi
  done
done

# --workload: the default is chunk_churn, whose outputs have no per-operation
# table and no workload.* columns; the issue workloads add both, and on the
# simulated kernel say their times are modelled. Counts are pinned in
# thp_cost_run_test.
grep -q '^per operation' "$tmp/sim.txt" && { echo "FAIL: per-operation table under chunk_churn"; fail=1; }
head -1 "$tmp/sim.csv" | grep -q 'workload\.' && { echo "FAIL: workload columns under chunk_churn"; fail=1; }
grep -q '"workload": {"name": "chunk_churn", "chunks": 12, "cycles": 4},' "$tmp/sim.json" ||
  { echo "FAIL: chunk_churn JSON workload"; fail=1; }
run --kernel=sim --workload=chunk_churn "${probe[@]}" >"$tmp/explicit.txt" &&
  cmp -s "$tmp/explicit.txt" "$tmp/sim.txt" || { echo "FAIL: --workload=chunk_churn is not the default"; fail=1; }
burst=(--workload=issue63334 --chunks=2 --cycles=1 --probe_mib=4 --probe_rounds=1 --variants=collapse,none)
GOMAXPROCS=4 "$bin" --quiet --kernel=sim "${burst[@]}" --csv_out="$tmp/burst.csv" \
  --json_out="$tmp/burst.json" >"$tmp/burst.txt" || { echo "FAIL: issue63334 sim run"; cat "$tmp/burst.txt"; fail=1; }
grep -q '^workload: issue63334 .*on 4 Ps, GOMEMLIMIT=' "$tmp/burst.txt" &&
  grep -q '^per operation (issue63334; MODELLED times' "$tmp/burst.txt" &&
  grep -q '^MODELLED (simulated kernel)' "$tmp/burst.txt" ||
  { echo "FAIL: issue63334 table"; cat "$tmp/burst.txt"; fail=1; }
expect "$tmp/burst.csv" collapse workload.collapses 2
expect "$tmp/burst.csv" collapse workload.refill_collapses_min 2
expect "$tmp/burst.csv" none workload.collapses 0
expect "$tmp/burst.csv" none workload.modelled_ns 1
grep -q '"times_modelled": true, "sim_cost": {"stall_ns": 1000000, "collapse_ns": 1700000, "free_huge_pages": 0}' \
  "$tmp/burst.json" || { echo "FAIL: issue63334 JSON workload"; fail=1; }
run --kernel=sim --workload=issue61718 --mib=8 --probe_mib=4 --probe_rounds=1 --variants=hugepage_eager \
  --sim_stall_us=7 --csv_out="$tmp/grow.csv" >"$tmp/grow.txt" || { echo "FAIL: issue61718 sim run"; fail=1; }
expect "$tmp/grow.csv" hugepage_eager workload.alloc_max_ns 7000
run --kernel=linux --workload=issue61718 --mib=8 --probe_mib=4 --probe_rounds=1 --variants=none \
  --csv_out="$tmp/grow_linux.csv" >"$tmp/grow_linux.txt" || { echo "FAIL: issue61718 linux run"; fail=1; }
grep -q '^per operation (issue61718; measured wall time' "$tmp/grow_linux.txt" &&
  ! grep -q 'MODELLED' "$tmp/grow_linux.txt" || { echo "FAIL: issue61718 linux table"; cat "$tmp/grow_linux.txt"; fail=1; }
expect "$tmp/grow_linux.csv" none workload.modelled_ns 0

. "$(dirname "$0")/../harness/cli_test_lib.sh"
expect_exit2 '--workload="churn": expected chunk_churn, issue63334 or issue61718' --workload=churn --kernel=sim
expect_exit2 '--sim_stall_us=-1: expected 0 to 1000000' --sim_stall_us=-1 --kernel=sim
expect_exit2 '--mib=2: expected 4 to 4096' --mib=2 --kernel=sim
expect_exit2 'unknown variant "hugepage"' --variants=hugepage_eager,hugepage --kernel=sim
expect_exit2 '--kernel=bsd: unknown kernel' --kernel=bsd
expect_exit2 '--probe_mib=6: expected a multiple of 4' --probe_mib=6
expect_exit2 '--probe_mib=0: expected 4 to 1024' --probe_mib=0
expect_exit2 '--chunks=0: expected 1 to 256' --chunks=0
expect_exit2 '--probe_rounds=x' --probe_rounds=x
expect_exit2 'unknown flag --no_such_flag' --no_such_flag
expect_exit2 '--kernel_profile=linux2015: the real kernel' --kernel_profile=linux2015
expect_exit2 '--sim_thp=sometimes: expected madvise, always, never or auto' --kernel=sim --sim_thp=sometimes
expect_exit2 '--sim_thp=never: applies to --kernel=sim only' --sim_thp=never
expect_exit2 'unexpected argument "extra"' extra
expect_exit2 '--heap="go12": expected auto, go15 or go121' --heap=go12 --kernel=sim
expect_exit2 '--heap=go121: variant fixed_batched batches' --heap=go121 --variants=fixed_batched --kernel=sim
expect_exit2 "--svg_out=$tmp/no/such/dir/m.svg: cannot write" --kernel=sim --quiet --variants=fixed \
  --probe_mib=4 --probe_rounds=1 --chunks=1 --cycles=1 --svg_out="$tmp/no/such/dir/m.svg"
[ "$fail" -eq 0 ] && echo PASS
exit "$fail"
