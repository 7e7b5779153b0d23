#!/usr/bin/env bash
# Every driver that runs the ported runtime reads GODEBUG, GOGC and
# GOMAXPROCS through RuntimeEnvOrExit: a bad value is one line and exit 2
# before any run starts (a parent must not start its children to collect
# the same error from each). Args: the drivers' binaries.
set -u
# Run from the workspace root of the runfiles (Bazel's test cwd).
source bench/harness/cli_test_lib.sh || exit 1
fail=0
[ $# -gt 0 ] || { echo "FAIL: no driver given"; exit 1; }
for bin in "$@"; do
  name=$(basename "$bin")
  # replay checks its --trace after the environment, so give it one.
  extra=()
  [ "$name" = replay ] && extra=(--trace=testdata/traces/churn.trace)
  # A small two-child run of each driver that starts children, for the
  # warning count below.
  tiny=()
  case "$name" in
    vma_repro) tiny=(--quiet --variants=prefix,fixed --workloads='^BenchmarkMalloc8$' --benchtime=5ms) ;;
    thp_bloat) tiny=(--quiet --variants=prefix,fixed) ;;
    thp_cost) tiny=(--quiet --variants=fixed,collapse) ;;
  esac
  export GOGC=abc
  expect_exit2 'GOGC=abc: expected off or a non-negative integer percentage' --kernel=sim "${extra[@]}"
  export GOGC=-5
  expect_exit2 'GOGC=-5: expected off or a non-negative integer percentage' --kernel=sim "${extra[@]}"
  unset GOGC
  export GOMAXPROCS=0
  expect_exit2 'GOMAXPROCS=0' --kernel=sim "${extra[@]}"
  unset GOMAXPROCS
  export GODEBUG=thpvariant=bogus
  expect_exit2 'unknown variant "bogus"' --kernel=sim "${extra[@]}"
  unset GODEBUG
  # An unknown GODEBUG key is one warning, however many children run (the
  # drivers that start children; the others are one process).
  if [ ${#tiny[@]} -gt 0 ]; then
    n=$(GODEBUG=bogus=1 "$bin" --kernel=sim "${tiny[@]}" 2>&1 >/dev/null |
        grep -c 'warning: GODEBUG: ignoring unknown key "bogus"')
    [ "$n" = 1 ] || { echo "FAIL: $name: $n GODEBUG warnings, want 1"; fail=1; }
  fi
  # GOMAXPROCS, when set, wins over --gomaxprocs; the flag applies when it is
  # unset (README, "GODEBUG, GOGC, GOMAXPROCS"). Seen as the P count of
  # vma_repro's gctrace lines and of vma_limit's workload (its allocations
  # alternate over the Ps).
  procs_seen() {
    case "$name" in
      vma_repro) GODEBUG=gctrace=1 "$bin" --kernel=sim "${tiny[@]}" --variants=fixed "$@" 2>&1 >/dev/null |
                   grep -o ', [0-9]* P' | sort -u | tr -dc '0-9' ;;
      vma_limit) "$bin" --kernel=sim --variant=fixed --rounds=2 --burst_mib=1 --quiet \
                   --trace_out="$TEST_TMPDIR/procs.trace" "$@" >/dev/null &&
                 awk '$1 == "alloc" && $5 >= n { n = $5 + 1 } END { print n }' "$TEST_TMPDIR/procs.trace" ;;
    esac
  }
  if [ "$name" = vma_repro ] || [ "$name" = vma_limit ]; then
    for case_ in ":2" ":--gomaxprocs=5:5" "3::3" "3:--gomaxprocs=5:3"; do
      IFS=: read -r e f want <<<"$case_"
      [ -z "$want" ] && want=$f && f=
      if [ -n "$e" ]; then got=$(GOMAXPROCS=$e procs_seen $f); else got=$(procs_seen $f); fi
      [ "$got" = "$want" ] || { echo "FAIL: $name GOMAXPROCS='$e' $f: $got Ps, want $want"; fail=1; }
    done
  fi
  echo "$name: checked"
done
exit $fail
