#!/usr/bin/env bash
# thp-lab, measurement only: runs a Go 1.5.1 runtime.test built with
# tools/go151/gfree.patch, gfree_cycles.patch and gfree_ops.patch (see the
# last one's header) the ways testdata/go151_gfree/ops_* were made, and keeps
# each run's stdout (OUT/ops_<name>.out) and stderr (OUT/ops_<name>.txt.xz,
# xz -9):
#   suite      the whole suite (-test.bench=., about 9.5 minutes)
#   alone_1..3 BenchmarkCreateGoroutinesCapture alone
#   onecore_1..2  the same with the process on CPU 0 only (taskset -c 0)
#   busy_1..2     the same with a shell busy loop on CPU 1 beside it
# All with GODEBUG=scavenge=1 GOMAXPROCS=2 -test.run=NONE. Nothing else may
# run on the machine meanwhile; it needs at least 2 CPUs, taskset and xz.
# Usage: tools/go151/gfree_ops_runs.sh RUNTIME_TEST OUT
set -euo pipefail
prog=gfree_ops_runs.sh
usage() { echo "$prog: $1" >&2; exit 2; }
[ $# -eq 2 ] || usage "want RUNTIME_TEST OUT, got $# arguments"
test_bin=$1 out=$2
[ -x "$test_bin" ] || usage "RUNTIME_TEST=$test_bin is not executable"
for tool in taskset xz; do command -v "$tool" >/dev/null || usage "needs $tool"; done
[ "$(nproc)" -ge 2 ] || usage "needs 2 CPUs, this machine has $(nproc)"
mkdir -p "$out"
one='^BenchmarkCreateGoroutinesCapture$'
run() {  # name, bench regexp, command prefix...
  local name=$1 bench=$2
  shift 2
  echo "$prog: $name" >&2
  "$@" env GODEBUG=scavenge=1 GOMAXPROCS=2 "$test_bin" -test.run=NONE -test.bench="$bench" \
    >"$out/ops_$name.out" 2>"$out/ops_$name.txt"
  xz -9 -f "$out/ops_$name.txt"
}
run suite .
for i in 1 2 3; do run "alone_$i" "$one"; done
for i in 1 2; do run "onecore_$i" "$one" taskset -c 0; done
for i in 1 2; do
  taskset -c 1 sh -c 'while :; do :; done' &
  busy=$!
  run "busy_$i" "$one" taskset -c 0,1
  kill "$busy"
done
