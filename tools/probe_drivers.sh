#!/usr/bin/env bash
# Hostile-but-fair inputs against every driver and tool (issue 18), on the
# simulated kernel, each run a few seconds at most. The rule (README, "Exit
# statuses") checked on every run:
#   - bad input (a flag, an environment variable, a file) is exactly one line
#     on stderr, "<program>: ...", and exit status 2, before any work; a
#     numeric flag's error names the range it accepts;
#   - an output that cannot be written (a file, stdout) is one line naming it
#     and exit status 2;
#   - SIGINT / SIGTERM end a run with 130 / 143 (or it had finished: 0), and
#     leave no process of its group and no temporary directory behind;
#   - a child that dies of a signal makes its driver exit 1, nothing left;
#   - no run takes longer than a minute (a hang is a failure).
# Prints one line per class: probes, the exit statuses seen (status x count)
# and failures; exits 1 if any run broke the rule.
#
#   tools/probe_drivers.sh [--quick] BINARY...
#   tools/probe_drivers.sh            # every driver in bazel-bin/ (build first)
#
# --quick (the sh_test //tools:probe_drivers_test) tries fewer values per
# flag. Run from the workspace root (or a runfiles tree holding testdata/).
set -u
quick=0
[ "${1:-}" = --quick ] && { quick=1; shift; }
repo=$(pwd)
if [ $# -eq 0 ]; then
  set -- bazel-bin/bench/vma_repro/vma_repro bazel-bin/bench/thp_bloat/thp_bloat \
    bazel-bin/bench/thp_cost/thp_cost bazel-bin/bench/pessimal/pessimal \
    bazel-bin/bench/replay/replay bazel-bin/bench/real_replay/real_replay \
    bazel-bin/bench/calibrate/calibrate bazel-bin/bench/vma_limit/vma_limit \
    bazel-bin/bench/gctrace_demo/gctrace_demo bazel-bin/tools/vma_watch \
    bazel-bin/tools/heap_log_dump bazel-bin/tools/heap_log_cut
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Every run gets its own temporary directory (ChildRunner's follows TMPDIR),
# checked empty afterwards; its working directory is a scratch one, so an
# output flag given a plain word writes there.
export TMPDIR="$work/tmp"
mkdir -p "$TMPDIR" "$work/cwd"
# A trace that runs for minutes (a loop of 10^8 iterations), to interrupt.
printf 'thp-trace 1\nloop 100000000 1000\nalloc 1 4096 noscan 0\ndrop 1\nend\n' >"$work/loop.trace"
set -m  # each background run its own process group
fail=0
declare -A probes=() statuses=() failures=()
sigs="INT TERM"
traces="$repo/testdata/traces"
heaplog="$repo/testdata/go151_heaplog/smoke_prefix.hlog.xz"
timings="$repo/testdata/go15_runtime_bench_ns_per_op.tsv"

# base <name>: the arguments of a small, valid run (a few seconds at most).
base() {
  case "$1" in
    vma_repro) echo "--kernel=sim --benchtime=5ms --quiet --timings_file=$timings --workloads=^BenchmarkMalloc8\$ --variants=fixed,prefix" ;;
    thp_bloat) echo "--kernel=sim --quiet --variants=fixed,prefix" ;;
    thp_cost) echo "--kernel=sim --quiet --variants=fixed,collapse --chunks=1 --cycles=1 --probe_mib=4 --probe_rounds=1" ;;
    pessimal) echo "--kernel=sim --variant=prefix --max_map_count=1000 --sim_baseline=0 --quiet" ;;
    replay) echo "--kernel=sim --trace=$traces/churn.trace" ;;
    real_replay) echo "--kernel=sim --trace=$heaplog --quiet" ;;
    calibrate) echo "--real=$heaplog --timings_file=$timings --workloads=Malloc8\$ --benchtime=20ms --quiet" ;;
    vma_limit) echo "--kernel=sim --variant=fixed --rounds=5 --burst_mib=1 --quiet" ;;
    gctrace_demo) echo "--kernel=sim --rounds=3" ;;
    vma_watch) echo "" ;;
    heap_log_dump) echo "--summary" ;;
    heap_log_cut) echo "--before=BenchmarkMalloc8" ;;
  esac
}
# tail_args <name>: what comes after the flags (a command, files).
tail_args() {
  case "$1" in
    vma_watch) echo "-- /bin/true" ;;
    heap_log_dump) echo "$heaplog" ;;
    heap_log_cut) echo "$heaplog $work/cwd/cut.hlog" ;;
  esac
}
# The drivers that read GODEBUG, GOGC and GOMAXPROCS.
reads_env() { case "$1" in vma_repro|thp_bloat|thp_cost|replay|gctrace_demo|vma_limit) return 0 ;; esac; return 1; }
# A run that lasts seconds at least, for the signal class (the drivers
# with children, then those of one process).
long_run() {
  case "$1" in
    vma_repro) echo "--kernel=sim --benchtime=200ms --quiet --timings_file=$timings --jobs=2 --variants=fixed,prefix,none --csv_out=$work/cwd/sig.csv" ;;
    thp_bloat) echo "--kernel=sim --quiet --variants=fixed,prefix,none,collapse --csv_out=$work/cwd/sig.csv" ;;
    thp_cost) echo "--kernel=sim --quiet --variants=fixed,collapse,none --chunks=256 --cycles=100 --csv_out=$work/cwd/sig.csv" ;;
  esac
}
long_single() {
  case "$1" in
    vma_limit) echo "--kernel=sim --variant=fixed --rounds=100000 --quiet" ;;
    gctrace_demo) echo "--kernel=sim --rounds=100000" ;;
    pessimal) echo "--kernel=sim --variant=prefix --max_map_count=1000000 --quiet" ;;
    replay) echo "--kernel=sim --trace=$work/loop.trace" ;;
    real_replay) echo "--kernel=sim --trace=$repo/testdata/go151_heaplog/prefix.hlog.xz --quiet" ;;
    calibrate) echo "--real=$repo/testdata/go151_heaplog/prefix.hlog.xz --timings_file=$timings --quiet" ;;
    *) base "$1" ;;
  esac
}
long_tail() {
  case "$1" in
    vma_watch) echo "-- /bin/sleep 5" ;;
    heap_log_dump) echo "$repo/testdata/go151_heaplog/prefix.hlog.xz" ;;
    heap_log_cut) echo "$repo/testdata/go151_heaplog/prefix.hlog.xz $work/cwd/cut.hlog" ;;
    *) tail_args "$1" ;;
  esac
}

# record <class> <status> <ok: 0|1> <what>
record() {
  probes[$1]=$(( ${probes[$1]:-0} + 1 ))
  statuses[$1]="${statuses[$1]:-} $2"
  [ -n "${PROBE_VERBOSE:-}" ] && echo "[$1] $2 $4"
  if [ "$3" != 0 ]; then
    failures[$1]=$(( ${failures[$1]:-0} + 1 ))
    echo "FAIL [$1] $4"
    fail=1
  fi
}

# run <env...> -- <bin> <args...>: runs it in the scratch directory with a
# minute's bound; sets rc, err (stderr) and out (stdout, or "" if redirected).
stdout_to=""
run() {
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  local o="$work/out" e="$work/err"
  [ -n "$stdout_to" ] && o="$stdout_to"
  (cd "$work/cwd" && env "${envs[@]}" timeout -k 5 60 "$@" >"$o" 2>"$e"); rc=$?
  err=$(cat "$work/err")
  out=""; [ -z "$stdout_to" ] && out=$(cat "$work/out")
}

# leftovers: "" if TMPDIR is empty, else what is in it (then emptied).
leftovers() {
  local l; l=$(ls -A "$TMPDIR")
  [ -n "$l" ] && rm -rf "${TMPDIR:?}"/*
  printf '%s' "$l"
}

# one_line <name>: the run's stderr is exactly one line "<name>: ...", of
# bounded length (a value is quoted cut at 120 characters; paths add some).
one_line() {
  [ "$(printf '%s\n' "$err" | grep -c .)" = 1 ] && [ "${err#"$1: "}" != "$err" ] && [ ${#err} -le 600 ]
}

# check_bad <class> <name> <must contain> <label> <args...>: exit 2, one line.
check_bad() {
  local class="$1" name="$2" want="$3" label="$4"; shift 4
  run -- "$@"
  local ok=0
  [ "$rc" = 2 ] && one_line "$name" && [[ "$err" == *"$want"* ]] || ok=1
  local l; l=$(leftovers); [ -z "$l" ] || ok=1
  record "$class" "$rc" "$ok" "$name $label: exit $rc, stderr '${err:0:300}' left '$l'"
}

hostile_values() {
  if [ $quick = 1 ]; then
    printf '%s\n' abc
  else
    printf '%s\n' abc -1 "" 0 99999999999999999999 1e400 nan "$(printf 'a\001\377b')" \
      "$(head -c 5000 /dev/zero | tr '\0' 'x')"
  fi
}

for bin in "$@"; do
  started=$SECONDS
  name=$(basename "$bin")
  bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
  read -r -a args <<<"$(base "$name")"
  read -r -a rest <<<"$(tail_args "$name")"

  # The small run itself must pass: 0 (pessimal's limit run, too).
  run -- "$bin" "${args[@]}" "${rest[@]}"
  good_out="$out"
  l=$(leftovers)
  record baseline "$rc" "$([ "$rc" = 0 ] && [ -z "$l" ] && echo 0 || echo 1)" \
    "$name: exit $rc, stderr '${err:0:300}' left '$l'"

  # --help: the usage on stdout, 0.
  run -- "$bin" --help
  record help "$rc" "$([ "$rc" = 0 ] && echo 0 || echo 1)" "$name --help: exit $rc"
  # The flags this binary has, from its usage (internal ones included).
  mapfile -t flags < <(printf '%s\n' "$out" | sed -n 's/^    --\([a-z_0-9]*\) (.*/\1/p' | sort -u)

  # Bad flags: unknown, stray, and hostile values for every flag.
  check_bad bad_flag "$name" "unknown flag --nosuch" "--nosuch" "$bin" --nosuch "${rest[@]}"
  check_bad bad_flag "$name" "--flagfile: not accepted here" "--flagfile" "$bin" --flagfile=/dev/null "${rest[@]}"
  for f in "${flags[@]}"; do
    case "$f" in help*|version|only_check_args|child_*) continue ;; esac
    while IFS= read -r v; do
      run -- "$bin" "${args[@]}" "--$f=$v" "${rest[@]}"
      ok=0
      if [ "$rc" = 2 ]; then
        one_line "$name" || ok=1
        # A value a numeric flag's type cannot take names the accepted
        # range, not only the type.
        case "$err" in
          *"expected an integer (see --help)"|*"expected a non-negative integer (see --help)"|*"expected a number (see --help)")
            ok=1 ;;
        esac
      elif [ "$rc" != 0 ]; then
        ok=1
      fi
      l=$(leftovers); [ -z "$l" ] || ok=1
      record bad_flag "$rc" "$ok" "$name --$f='${v:0:40}': exit $rc, stderr '${err:0:300}' left '$l'"
    done < <(hostile_values)
  done

  # Bad environment: one line naming the variable, 2, for the drivers that
  # read it.
  if reads_env "$name"; then
    envs=(GOGC=abc GOGC=-5 GOMAXPROCS=0 GOMAXPROCS=abc GOMAXPROCS=257 GODEBUG=thpvariant=bogus)
    [ $quick = 1 ] && envs=(GOGC=abc GOMAXPROCS=0 GODEBUG=thpvariant=bogus)
    for e in "${envs[@]}"; do
      run "$e" -- "$bin" "${args[@]}" "${rest[@]}"
      ok=0
      [ "$rc" = 2 ] && one_line "$name" && [[ "$err" == *"${e%%=*}"* || "$err" == *"bogus"* ]] || ok=1
      l=$(leftovers); [ -z "$l" ] || ok=1
      record bad_env "$rc" "$ok" "$name $e: exit $rc, stderr '${err:0:300}' left '$l'"
    done
  fi

  # Bad files: each file input given a missing file, a directory, an empty
  # file, binary bytes, one 1 MB line, and /dev/zero (a line without end);
  # one line naming the file, 2, in bounded time and memory.
  printf 'a\001\377\n\000\000zz\n' >"$work/binary"
  head -c 1048576 /dev/zero | tr '\0' 'x' >"$work/longline"
  : >"$work/empty"
  mkdir -p "$work/dir"
  bad_files=("$work/missing" "$work/dir" "$work/empty" "$work/binary" "$work/longline" /dev/zero)
  [ $quick = 1 ] && bad_files=("$work/missing" "$work/longline" /dev/zero)
  inputs=()
  case "$name" in
    vma_repro) inputs=(--timings_file) ;;
    calibrate) inputs=(--timings_file --real) ;;
    replay|real_replay) inputs=(--trace) ;;
    heap_log_dump|heap_log_cut) inputs=(positional) ;;
  esac
  for input in "${inputs[@]}"; do
    for file in "${bad_files[@]}"; do
      if [ "$input" = positional ]; then
        r=("${rest[@]}"); r[0]="$file"
        check_bad bad_file "$name" "$(basename "$file")" "$(basename "$file")" "$bin" "${args[@]}" "${r[@]}"
      else
        check_bad bad_file "$name" "$(basename "$file")" "$input=$(basename "$file")" \
          "$bin" "${args[@]}" "$input=$file" "${rest[@]}"
      fi
    done
  done

  # Unwritable outputs: each *_out flag to a full device and to a missing
  # folder: one line naming the flag, 2.
  for f in "${flags[@]}"; do
    case "$f" in *_out) ;; *) continue ;; esac
    for dest in /dev/full "$work/no/such/dir/f"; do
      check_bad unwritable_output "$name" "--$f" "--$f=$dest" "$bin" "${args[@]}" "--$f=$dest" "${rest[@]}"
    done
  done

  # stdout to a full device: one line, 2 (0 if the run writes nothing there).
  stdout_to=/dev/full run -- "$bin" "${args[@]}" "${rest[@]}"
  if [ -n "$good_out" ]; then
    ok=0; [ "$rc" = 2 ] && [ "$err" = "$name: cannot write stdout: No space left on device" ] || ok=1
  else
    ok=0; [ "$rc" = 0 ] || ok=1
  fi
  l=$(leftovers); [ -z "$l" ] || ok=1
  record stdout_full "$rc" "$ok" "$name >/dev/full: exit $rc, stderr '${err:0:300}' left '$l'"

  # Signals: SIGINT to the process group (Ctrl-C) and SIGTERM to the
  # parent, once a child runs (drivers with children) or at once.
  read -r -a long <<<"$(long_run "$name")"
  if [ ${#long[@]} -gt 0 ]; then
    for sig in $sigs; do
      (cd "$work/cwd" && exec "$bin" "${long[@]}" >/dev/null 2>"$work/err") &
      pid=$!
      for _ in $(seq 300); do pgrep -P "$pid" >/dev/null && break; sleep 0.02; done
      if [ "$sig" = INT ]; then kill -INT -- "-$pid"; else kill -TERM "$pid"; fi
      wait "$pid"; rc=$?
      err=$(cat "$work/err")
      want=130; [ "$sig" = TERM ] && want=143
      sleep 0.2
      ok=0
      { [ "$rc" = "$want" ] || [ "$rc" = 0 ]; } || ok=1
      left_procs=$(ps -o pid=,stat=,args= -g "$pid" | tr '\n' ';')
      [ -z "$left_procs" ] || { ok=1; pkill -KILL -g "$pid"; }
      l=$(leftovers); [ -z "$l" ] || ok=1
      record signals "$rc" "$ok" "$name SIG$sig: exit $rc (want $want), processes left '$left_procs', left '$l', stderr '${err:0:200}'"
    done
    # A child killed by a signal: the driver exits 1 and names it.
    variant=${long[*]}; variant=${variant#*--variants=}; variant=${variant%%,*}
    for action in segv kill; do
      run "THP_TEST_CHILD_HOOK=$variant:$action" -- "$bin" "${args[@]}" "${rest[@]}"
      ok=0; [ "$rc" = 1 ] || ok=1
      [[ "$out$err" == *"killed by signal"* ]] || ok=1
      l=$(leftovers); [ -z "$l" ] || ok=1
      record dying_child "$rc" "$ok" "$name child $variant $action: exit $rc, stderr '${err:0:200}' left '$l'"
    done
  else
    # One process: the default action of the signal ends it (128 + signal).
    read -r -a long <<<"$(long_single "$name")"
    read -r -a long_rest <<<"$(long_tail "$name")"
    for sig in $sigs; do
      (cd "$work/cwd" && exec "$bin" "${long[@]}" "${long_rest[@]}" >/dev/null 2>&1) &
      pid=$!
      sleep 0.3
      if [ "$sig" = INT ]; then kill -INT -- "-$pid" 2>/dev/null; else kill -TERM "$pid" 2>/dev/null; fi
      wait "$pid"; rc=$?
      want=130; [ "$sig" = TERM ] && want=143
      ok=0; { [ "$rc" = "$want" ] || [ "$rc" = 0 ]; } || ok=1
      sleep 0.2
      left_procs=$(ps -o pid=,stat=,args= -g "$pid" | tr '\n' ';')
      [ -z "$left_procs" ] || { ok=1; pkill -KILL -g "$pid"; }
      l=$(leftovers); [ -z "$l" ] || ok=1
      record signals "$rc" "$ok" "$name SIG$sig: exit $rc (want $want), processes left '$left_procs', left '$l'"
    done
  fi
  echo "$name: probed in $(( SECONDS - started )) s"
done

# The counts, one line per class: probes, exit statuses seen, failures.
for class in baseline help bad_flag bad_env bad_file unwritable_output stdout_full signals dying_child; do
  [ -n "${probes[$class]:-}" ] || continue
  seen=$(printf '%s\n' ${statuses[$class]} | sort -n | uniq -c | awk '{ printf "%s%sx%s", sep, $2, $1; sep = " " }')
  printf '%-18s probes=%-4s statuses: %-24s failures=%s\n' "$class" "${probes[$class]}" "$seen" \
    "${failures[$class]:-0}"
done
[ "$fail" = 0 ] && echo PASS
exit "$fail"
