#!/usr/bin/env bash
# vma_repro on a reduced suite (benchtime 5ms: the same 243 benchmarks with
# small b.N): the real kernel and the simulated linux6 kernel give identical
# splits, madvise calls and runtime-own VMA maxima for every variant, on
# either heap; the sim is deterministic, and running the heap once per
# variant (--heap_runs=per_variant) gives every figure the shared heap runs
# give (one per class, the rest replayed from its memory-layer stream); the
# flags reach the run; the suite's trace replays to the same figures; and
# bad flags are one line with exit status 2. The figures themselves (none
# splits nothing, prefix reaches 5x fixed's maximum on linux2015 at
# benchtime 100ms, the Go 1.21 variants' flag calls) are pinned in-process
# by suite_runner_test.
set -u
bin="${1:-$(dirname "$0")/vma_repro}"
[ -x "$bin" ] || bin="bench/vma_repro/vma_repro"
replay="${2:-$(dirname "$0")/replay}"
[ -x "$replay" ] || replay="bench/replay/replay"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
common=(--benchtime=5ms --quiet --jobs=2 --variants=none,prefix,fixed,hugepage_eager,collapse,disablethp)

"$bin" "${common[@]}" --kernel=linux --csv_out="$tmp/linux.csv" >"$tmp/linux.txt" || { echo "FAIL: linux run"; fail=1; }
"$bin" "${common[@]}" --kernel=sim --csv_out="$tmp/sim.csv" --json_out="$tmp/sim.json" >"$tmp/sim.txt" ||
  { echo "FAIL: sim run"; fail=1; }
"$bin" "${common[@]}" --kernel=sim --heap_runs=per_variant --csv_out="$tmp/sim2.csv" >/dev/null ||
  { echo "FAIL: sim rerun"; fail=1; }
"$bin" --benchtime=5ms --quiet --jobs=2 --kernel=sim --kernel_profile=linux2015 \
  --variants=none,prefix,fixed --csv_out="$tmp/l2015.csv" >/dev/null || { echo "FAIL: linux2015 run"; fail=1; }

# column <csv> <variant> <key>
column() {
  awk -F, -v v="$2" -v k="$3" 'NR==1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $col["variant"] == v { print $col[k] }' "$1"
}
# Splits, madvise calls and the runtime's own VMA counts are identical: the
# runtime's hint-less mappings (persistentalloc chunks, mmap(nil)) are placed
# in a window of their own on both kernels (hintless_window_kernel.h), so
# glibc's mappings cannot fall between two of them on Linux.
for v in none prefix fixed hugepage_eager collapse disablethp; do
  for k in max_split_vmas madvise_calls.HUGEPAGE madvise_calls.NOHUGEPAGE madvise_calls.DONTNEED \
    max_vmas_runtime max_vmas_go_equivalent final_vmas_runtime; do
    a=$(column "$tmp/linux.csv" "$v" "$k"); b=$(column "$tmp/sim.csv" "$v" "$k")
    if [ -z "$a" ] || [ "$a" != "$b" ]; then echo "FAIL: $v $k: linux '$a' sim '$b'"; fail=1; fi
  done
done
# Same numbers on the sim, a heap run per variant or shared (virtual time
# only; wall time differs).
strip() { awk -F, 'NR==1 { for (i = 1; i <= NF; i++) if ($i == "wall_ns") w = i } { $w = ""; print }' "$1"; }
if [ "$(strip "$tmp/sim.csv")" != "$(strip "$tmp/sim2.csv")" ]; then
  echo "FAIL: two sim runs differ"; diff <(strip "$tmp/sim.csv") <(strip "$tmp/sim2.csv"); fail=1
fi
# none's splits, the 2015 profile's 5x headline ratio and the Go 1.21
# variants' flag calls are pinned in-process by suite_runner_test; here,
# that the linux2015 flag reaches the run (prefix splits VMAs there) and
# that the headline line is printed.
p=$(column "$tmp/l2015.csv" prefix max_split_vmas)
if [ -z "$p" ] || [ "$p" -le 0 ]; then echo "FAIL: prefix on linux2015 split no VMA ($p)"; fail=1; fi
grep -q '^prefix max_vmas=[0-9]* fixed max_vmas=[0-9]* ratio=[0-9.]* (Go 1.5: 692 -> 49, ratio 14.1)$' "$tmp/linux.txt" ||
  { echo "FAIL: no headline line"; cat "$tmp/linux.txt"; fail=1; }

# Workloads are data: the suite written with --trace_out and replayed by
# //bench:replay gives the runtime the same VMA maximum and madvise calls.
# The runtime's cpu scale is the run's, not the workload's: both are given it.
"$bin" --benchtime=5ms --quiet --kernel=sim --kernel_profile=linux2015 --variants=prefix \
  --workloads='Append|StackCopy|Goroutine|DeferMany' --csv_out="$tmp/t.csv" --cpu_scale=0.8 \
  --trace_out="$tmp/suite.trace" >/dev/null || { echo "FAIL: trace run"; fail=1; }
line=$(GODEBUG=scavenge=1 "$replay" --trace="$tmp/suite.trace" --variant=prefix --kernel=sim \
  --kernel_profile=linux2015 --cpu_scale=0.8)
got=$(sed -n 's/.* max_runtime_vmas=\([0-9]*\) .*/\1/p' <<<"$line")
want=$(column "$tmp/t.csv" prefix max_vmas_runtime)
[ -n "$want" ] && [ "$got" = "$want" ] || { echo "FAIL: replayed trace max $got, vma_repro $want ($line)"; fail=1; }
nohuge=$(sed -n 's/.*NOHUGEPAGE=\([0-9]*\).*/\1/p' <<<"$line")
[ "$nohuge" = "$(column "$tmp/t.csv" prefix madvise_calls.NOHUGEPAGE)" ] ||
  { echo "FAIL: replayed NOHUGEPAGE calls $nohuge"; fail=1; }

# The JSON names the simulator's THP mode and limit: the flags', madvise
# and 65530 unless set, not this machine's.
grep -q '^  "thp_mode": "madvise",$' "$tmp/sim.json" && grep -q '^  "max_map_count": 65530,$' "$tmp/sim.json" ||
  { echo "FAIL: sim JSON settings"; head -8 "$tmp/sim.json"; fail=1; }
# It names the model's seeds: the defaults (mheap/go15/mark_share.h
# kMarkShareSeed, 0x5eed15; mheap/go15/runtime.h kSweepWaitSeed, 0x5eed16)
# or the flags'.
grep -q '^  "mark_share_seed": 6221077,$' "$tmp/sim.json" &&
  grep -q '^  "sweep_wait_seed": 6221078,$' "$tmp/sim.json" ||
  { echo "FAIL: sim JSON has not the default seeds"; fail=1; }
# And the cpu scale the default timings give against the recorded run's
# (bench/workloads/cpu_scale.h): their median ns/op is 1.06 times its.
grep -q '^  "cpu_scale": 1.06,$' "$tmp/sim.json" ||
  { echo "FAIL: sim JSON has not the default timings' cpu scale"; grep cpu_scale "$tmp/sim.json"; fail=1; }
"$bin" --benchtime=5ms --quiet --kernel=sim --variants=fixed --workloads='^BenchmarkMalloc8$' \
  --sim_thp=never --max_map_count=100000 --mark_share_seed=7 --sweep_wait_seed=8 --cpu_scale=0.5 --json_out="$tmp/never.json" >/dev/null ||
  { echo "FAIL: never run"; fail=1; }
grep -q '^  "thp_mode": "never",$' "$tmp/never.json" && grep -q '^  "max_map_count": 100000,$' "$tmp/never.json" &&
  grep -q '^  "mark_share_seed": 7,$' "$tmp/never.json" && grep -q '^  "sweep_wait_seed": 8,$' "$tmp/never.json" &&
  grep -q '^  "cpu_scale": 0.50,$' "$tmp/never.json" ||
  { echo "FAIL: --sim_thp=never JSON settings"; head -8 "$tmp/never.json"; fail=1; }

. "$(dirname "$0")/../harness/cli_test_lib.sh"
# The Go 1.5 suite on the Go 1.21 heap (--heap=go121): labelled, and the
# real kernel and the sim agree on every flag call and runtime-own VMA count.
go121=(--benchtime=5ms --quiet --jobs=2 --heap=go121 --variants=none,hugepage_eager,collapse,disablethp)
"$bin" "${go121[@]}" --kernel=linux --csv_out="$tmp/g121_linux.csv" --json_out="$tmp/g121.json" \
  >"$tmp/g121.txt" || { echo "FAIL: go121 linux run"; fail=1; }
"$bin" "${go121[@]}" --kernel=sim --csv_out="$tmp/g121_sim.csv" >/dev/null || { echo "FAIL: go121 sim run"; fail=1; }
head -1 "$tmp/g121.txt" | grep -qx 'Go 1.5 benchmarks on the Go 1.21 heap (--heap=go121)' ||
  { echo "FAIL: go121 run not labelled"; fail=1; }
# By default (--heap=auto) each variant runs on its Go release's heap; a
# variant put on another is marked.
[ "$(column "$tmp/sim.csv" prefix heap)/$(column "$tmp/sim.csv" hugepage_eager heap)" = "go15/go121" ] ||
  { echo "FAIL: default heaps: prefix $(column "$tmp/sim.csv" prefix heap), hugepage_eager $(column "$tmp/sim.csv" hugepage_eager heap)"; fail=1; }
grep -q '^none  *go121\* ' "$tmp/g121.txt" && grep -q '^\* not the heap this variant' "$tmp/g121.txt" ||
  { echo "FAIL: none on the Go 1.21 heap is not marked"; cat "$tmp/g121.txt"; fail=1; }
grep -q '"heap": "go121"' "$tmp/g121.json" || { echo "FAIL: go121 JSON has no heap"; fail=1; }
for v in none hugepage_eager collapse disablethp; do
  for k in max_split_vmas madvise_calls.HUGEPAGE madvise_calls.NOHUGEPAGE madvise_calls.DONTNEED \
    max_vmas_runtime final_vmas_runtime heap_sys_bytes gc_cycles; do
    a=$(column "$tmp/g121_linux.csv" "$v" "$k"); b=$(column "$tmp/g121_sim.csv" "$v" "$k")
    if [ -z "$a" ] || [ "$a" != "$b" ]; then echo "FAIL: go121 $v $k: linux '$a' sim '$b'"; fail=1; fi
  done
done

expect_exit2 '--workloads=NoSuchBench: matches none of the 243 benchmarks' --workloads=NoSuchBench
expect_exit2 '--workloads=(: not a valid' '--workloads=('
expect_exit2 '--time_scale=0: expected a number above 0' --time_scale=0
expect_exit2 '--loop_slice_us=0: expected 1 to 1000000 (microseconds)' --loop_slice_us=0
expect_exit2 '--mark_share_seed=x: expected a non-negative integer' --mark_share_seed=x
expect_exit2 '--sweep_wait_seed=x: expected a non-negative integer' --sweep_wait_seed=x
expect_exit2 '--cpu_scale="0": expected auto or a number above 0' --cpu_scale=0
expect_exit2 '--benchtime=soon: expected a duration' --benchtime=soon
expect_exit2 '--timings=go14: expected go151 or fix' --timings=go14
expect_exit2 'unknown variant "prefx"' --variants=prefix,prefx --kernel=sim
expect_exit2 'MADV_TRY_COLLAPSE, which kernel linux does not have' --variants=try_collapse --kernel=linux
expect_exit2 '--heap="go12": expected auto, go15 or go121' --heap=go12 --kernel=sim
expect_exit2 '--gomaxprocs=0: expected 1 to 256' --gomaxprocs=0
expect_exit2 '--heap_runs="once": expected shared or per_variant' --heap_runs=once

n=$("$bin" --list_workloads | wc -l)
[ "$n" = 243 ] || { echo "FAIL: --list_workloads printed $n names"; fail=1; }
first=$("$bin" --list_workloads --workloads='^BenchmarkMalloc' | head -1)
[ "$first" = BenchmarkMalloc8 ] || { echo "FAIL: --workloads subset starts with '$first'"; fail=1; }

# From outside the repository the default --timings_file is found in the
# binary's runfiles.
abs_bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
n=$(cd "$tmp" && "$abs_bin" --list_workloads | wc -l)
[ "$n" = 243 ] || { echo "FAIL: --list_workloads from $tmp printed $n names"; fail=1; }

[ "$fail" -eq 0 ] && echo PASS
exit "$fail"
