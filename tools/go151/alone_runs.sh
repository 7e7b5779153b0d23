#!/usr/bin/env bash
# Runs Go 1.5.1's recording runtime.test on each named benchmark alone (a
# fresh process each time: -test.bench='^BenchmarkNAME$', GODEBUG=scavenge=1,
# GOMAXPROCS=2), RUNS times, and puts the model beside each run with
# bench:calibrate, which starts the modelled runtime from Go's startup heap
# and runs the benchmark at that run's own b.N and ns/op. A benchmark run
# alone shows its own behaviour, without the heap the suite's earlier
# benchmarks leave; three runs of BenchmarkMalloc16 this way showed the
# model's loop slice and the refill's race with bgsweep
# (bench/workloads/trace_replayer.h kLoopSliceNs). Run it with nothing else
# on the machine: Go's timing moves its releases.
#
# Usage: tools/go151/alone_runs.sh [--runs=N] [--loop_slice_us=US] RUNTIME_TEST OUTDIR NAME...
#   RUNTIME_TEST: the recording build's runtime.test (build_and_record.sh
#   --builds=prefix); OUTDIR: where the logs go (about 8 MB each); NAME:
#   a benchmark's name without "Benchmark".
# Prints one tab-separated row per run: benchmark, run, then model and Go
# (model/go) for small-object span allocations, releases, the stale-now
# releases among them (bench/calibrate/stale_release.h) and the others.
set -euo pipefail
runs=2
slice=""
while [[ $# -gt 0 && $1 == --* ]]; do
  case "$1" in
    --runs=*) runs="${1#--runs=}" ;;
    --loop_slice_us=*) slice="$1" ;;
    *) echo "alone_runs.sh: unknown flag $1 (accepted: --runs=N, --loop_slice_us=US)" >&2; exit 2 ;;
  esac
  shift
done
if [[ $# -lt 3 || ! $runs =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: tools/go151/alone_runs.sh [--runs=N] [--loop_slice_us=US] RUNTIME_TEST OUTDIR NAME..." >&2
  exit 2
fi
test_bin=$(realpath -m "$1")
out=$(realpath -m "$2")
shift 2
[[ -x $test_bin ]] || { echo "alone_runs.sh: $test_bin: not an executable runtime.test" >&2; exit 2; }
mkdir -p "$out"
cd "$(dirname "$0")/../.."
bazel build -c opt //bench:calibrate >/dev/null 2>&1
cal=bazel-bin/bench/calibrate/calibrate
printf 'benchmark\trun\tspan_allocs\treleases\tstale_now\tothers\n'
for name in "$@"; do
  for ((i = 1; i <= runs; i++)); do
    log="$out/${name}_$i.hlog"
    GODEBUG=scavenge=1 GOMAXPROCS=2 THP_HEAPLOG="$log" "$test_bin" -test.run=NONE \
      -test.bench="^Benchmark${name}\$" >"$out/${name}_$i.out"
    "$cal" --real="$log" ${slice:+"$slice"} --csv_out="$out/${name}_$i.csv" --quiet >/dev/null
    awk -F, -v b="$name" -v i="$i" 'NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; next }
      $c["benchmark"] == "Benchmark" b {
        ms = $c["model_stale_now_releases"]; rs = $c["real_stale_now_releases"]
        printf "%s\t%d\t%s/%s\t%s/%s\t%s/%s\t%d/%d\n", b, i, $c["model_allocs_small"],
          $c["real_allocs_small"], $c["model_releases"], $c["real_releases"], ms, rs,
          $c["model_releases"] - ms, $c["real_releases"] - rs }' "$out/${name}_$i.csv"
  done
done
