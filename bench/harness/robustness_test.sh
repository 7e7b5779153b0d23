#!/usr/bin/env bash
# Nothing lost, nothing left behind (issue 18), on the simulated kernel with
# one small benchmark:
#   - SIGINT to a multi-variant run's process group (Ctrl-C) or SIGTERM to
#     the parent alone: the table and every asked-for file are written with
#     the finished variants and the others marked `interrupted`, no child
#     and no temporary directory is left, exit 130 / 143;
#   - a parent killed outright (SIGKILL): its child dies with it;
#   - a child killed by a signal is reported as such;
#   - the same variant twice runs twice, each with its own result;
#   - an unwritable output among several: one line naming it, the others
#     written, exit 2; stdout that cannot be written: one line, exit 2.
# Children that hang or die at a known point come from the test-only
# THP_TEST_CHILD_HOOK (bench/harness/child_run.h); the waits below wait for
# a child to reach that point, not for a time.
set -u
vma_repro="$1"
thp_bloat="$2"
thp_cost="$3"
vma_limit="$4"
vma_watch="$5"
repo=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
# Job control: each background run is a process group of its own, so a
# Ctrl-C can be sent to it (and to its children) and not to this script.
set -m

timings="$repo/testdata/go15_runtime_bench_ns_per_op.tsv"
small=(--kernel=sim --benchtime=5ms --quiet --timings_file="$timings" --workloads='^BenchmarkMalloc8$')

# wait_for <pid> <file> <text>: until the file holds the text (a child
# reached its hook), while the process lives, at most a minute.
wait_for() {
  local i
  for i in $(seq 600); do
    grep -qF -- "$3" "$2" 2>/dev/null && return 0
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  echo "FAIL: never saw '$3' in $2:"; cat "$2"; fail=1; return 1
}
# The temporary directory of a runner, from its child's command line.
child_dir() {
  tr '\0' '\n' <"/proc/$1/cmdline" | sed -n 's|^--child_result=\(.*\)/[^/]*$|\1|p'
}
# gone <pid>: the process ends within a minute.
gone() {
  local i
  for i in $(seq 600); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.1
  done
  return 1
}

# interrupt <name> <signal> <to-group: 1|0> <expected status>
# fixed finishes, prefix hangs (its child is then killed), none never starts.
interrupt() {
  local name="$1" sig="$2" group="$3" want="$4" d="$tmp/$1"
  mkdir -p "$d"
  THP_TEST_CHILD_HOOK=prefix:hang "$vma_repro" "${small[@]}" --jobs=1 \
    --variants=fixed,prefix,none --csv_out="$d/r.csv" --json_out="$d/r.json" \
    --svg_out="$d/r.svg" >"$d/out" 2>"$d/err" &
  local pid=$!
  wait_for "$pid" "$d/err" "test hook: child prefix hangs" || { kill -KILL "$pid"; wait "$pid"; return; }
  local child; child=$(pgrep -P "$pid")
  local dir; dir=$(child_dir "$child")
  [ -n "$dir" ] && [ -d "$dir" ] || { echo "FAIL: $name: no temp dir found ($dir)"; fail=1; }
  if [ "$group" = 1 ]; then kill "-$sig" -- "-$pid"; else kill "-$sig" "$pid"; fi
  wait "$pid"; local rc=$?
  [ "$rc" = "$want" ] || { echo "FAIL: $name: exit $rc, want $want"; cat "$d/err"; fail=1; }
  grep -q '^fixed .* ok$' "$d/out" || { echo "FAIL: $name: no finished fixed row"; cat "$d/out"; fail=1; }
  for v in prefix none; do
    grep -q "^$v .* interrupted$" "$d/out" || { echo "FAIL: $name: $v not interrupted"; cat "$d/out"; fail=1; }
    grep -q "^$v,.*,interrupted," "$d/r.csv" || { echo "FAIL: $name: $v not interrupted in CSV"; fail=1; }
  done
  [ "$(grep -c . "$d/r.csv")" = 4 ] || { echo "FAIL: $name: CSV rows"; cat "$d/r.csv"; fail=1; }
  [ "$(grep -c '"error": "interrupted"' "$d/r.json")" = 2 ] || { echo "FAIL: $name: JSON"; fail=1; }
  [ -s "$d/r.svg" ] || { echo "FAIL: $name: no SVG"; fail=1; }
  [ "$(grep -vc 'test hook' "$d/err")" = 0 ] || { echo "FAIL: $name: stderr:"; cat "$d/err"; fail=1; }
  [ -n "$dir" ] && [ -e "$dir" ] && { echo "FAIL: $name: $dir left behind"; fail=1; }
  kill -0 "$child" 2>/dev/null && { echo "FAIL: $name: child $child left running"; kill -KILL "$child"; fail=1; }
}
interrupt ctrl_c INT 1 130
interrupt sigint_parent INT 0 130
interrupt sigterm TERM 0 143

# thp_bloat (one child at a time through RunOne): the same.
d="$tmp/bloat"; mkdir -p "$d"
THP_TEST_CHILD_HOOK=none:hang "$thp_bloat" --kernel=sim --quiet --variants=fixed,none,prefix \
  --csv_out="$d/r.csv" >"$d/out" 2>"$d/err" &
pid=$!
if wait_for "$pid" "$d/err" "test hook: child none hangs"; then
  child=$(pgrep -P "$pid"); dir=$(child_dir "$child")
  kill -INT -- "-$pid"; wait "$pid"; rc=$?
  [ "$rc" = 130 ] || { echo "FAIL: thp_bloat interrupted: exit $rc"; cat "$d/err"; fail=1; }
  [ "$(awk -F, '$1 == "fixed" && $5 == ""' "$d/r.csv" | grep -c .)" = 1 ] ||
    { echo "FAIL: thp_bloat: no finished fixed row"; cat "$d/r.csv"; fail=1; }
  [ "$(grep -c 'interrupted' "$d/r.csv")" = 2 ] || { echo "FAIL: thp_bloat: interrupted rows"; cat "$d/r.csv"; fail=1; }
  [ -n "$dir" ] && [ ! -e "$dir" ] || { echo "FAIL: thp_bloat: temp dir '$dir' left"; fail=1; }
  gone "$child" || { echo "FAIL: thp_bloat: child left running"; fail=1; }
else
  kill -KILL "$pid"; wait "$pid" 2>/dev/null
fi

# A parent killed outright cannot clean up, but its child dies with it.
d="$tmp/kill9"; mkdir -p "$d"
THP_TEST_CHILD_HOOK=prefix:hang "$vma_repro" "${small[@]}" --variants=prefix >/dev/null 2>"$d/err" &
pid=$!
if wait_for "$pid" "$d/err" "test hook: child prefix hangs"; then
  child=$(pgrep -P "$pid"); dir=$(child_dir "$child")
  kill -KILL "$pid"; wait "$pid" 2>/dev/null
  gone "$child" || { echo "FAIL: child $child outlived its SIGKILLed parent"; kill -KILL "$child"; fail=1; }
  [ -n "$dir" ] && rm -rf "$dir"
fi
set +m

# Children killed by a signal.
for hook in segv:11:SIGSEGV kill:9:SIGKILL abort:6:SIGABRT; do
  IFS=: read -r action n name <<<"$hook"
  out=$(THP_TEST_CHILD_HOOK=prefix:$action "$vma_repro" "${small[@]}" --variants=fixed,prefix \
    2>/dev/null); rc=$?
  [ "$rc" = 1 ] || { echo "FAIL: $action: exit $rc, want 1"; fail=1; }
  grep -q "^prefix .* fatal: child killed by signal $n ($name)$" <<<"$out" ||
    { echo "FAIL: $action: row"; echo "$out"; fail=1; }
  grep -q '^fixed .* ok$' <<<"$out" || { echo "FAIL: $action: fixed row"; echo "$out"; fail=1; }
done
err=$(THP_TEST_CHILD_HOOK=prefix "$vma_repro" "${small[@]}" --variants=fixed 2>&1 >/dev/null); rc=$?
[ "$rc" = 2 ] && [ "$(grep -c . <<<"$err")" = 1 ] && grep -q 'THP_TEST_CHILD_HOOK="prefix": expected' <<<"$err" ||
  { echo "FAIL: malformed hook: exit $rc: $err"; fail=1; }

# The same variant twice: two results.
"$vma_repro" "${small[@]}" --variants=prefix,prefix --jobs=2 --csv_out="$tmp/dup.csv" >/dev/null ||
  { echo "FAIL: duplicate variants run"; fail=1; }
rows=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  $c["variant"] == "prefix" && $c["error"] == "" { print $c["max_vmas_go_equivalent"] }' "$tmp/dup.csv")
[ "$(grep -c . <<<"$rows")" = 2 ] && [ "$(sort -u <<<"$rows" | grep -c .)" = 1 ] ||
  { echo "FAIL: duplicate variants"; cat "$tmp/dup.csv"; fail=1; }

# One unwritable output among several: one line, the others written, exit 2.
err=$("$vma_repro" "${small[@]}" --variants=fixed --csv_out=/dev/full --json_out="$tmp/o.json" \
  --svg_out="$tmp/no/such/dir/o.svg" --map_svg_out="$tmp/o.map.svg" 2>&1 >"$tmp/o.txt"); rc=$?
[ "$rc" = 2 ] || { echo "FAIL: unwritable outputs: exit $rc"; fail=1; }
grep -qx 'vma_repro: --csv_out=/dev/full: cannot write: No space left on device' <<<"$err" &&
  grep -qx "vma_repro: --svg_out=$tmp/no/such/dir/o.svg: cannot write: No such file or directory" <<<"$err" &&
  [ "$(grep -c . <<<"$err")" = 2 ] || { echo "FAIL: unwritable outputs: stderr: $err"; fail=1; }
[ -s "$tmp/o.json" ] && [ -s "$tmp/o.map.svg" ] && grep -q '^fixed ' "$tmp/o.txt" ||
  { echo "FAIL: the writable outputs were not all written"; fail=1; }
err=$("$thp_cost" --kernel=sim --quiet --variants=fixed --json_out=/dev/full --csv_out="$tmp/c.csv" \
  2>&1 >/dev/null); rc=$?
[ "$rc" = 2 ] && [ "$(grep -c . <<<"$err")" = 1 ] && [ -s "$tmp/c.csv" ] ||
  { echo "FAIL: thp_cost --json_out=/dev/full: exit $rc: $err"; fail=1; }

# stdout that cannot be written: one line, exit 2.
# expect_stdout_full <name> <command...>
expect_stdout_full() {
  local name="$1"; shift
  local err; err=$("$@" 2>&1 >/dev/full); local rc=$?
  [ "$rc" = 2 ] && [ "$(grep -c . <<<"$err")" = 1 ] &&
    grep -qx "$name: cannot write stdout: No space left on device" <<<"$err" ||
    { echo "FAIL: $name >/dev/full: exit $rc, stderr: $err"; fail=1; }
}
expect_stdout_full vma_repro "$vma_repro" "${small[@]}" --variants=fixed,prefix
expect_stdout_full vma_repro "$vma_repro" --list_workloads
expect_stdout_full thp_cost "$thp_cost" --kernel=sim --quiet --variants=fixed
expect_stdout_full thp_bloat "$thp_bloat" --kernel=sim --quiet --variants=fixed
expect_stdout_full vma_limit "$vma_limit" --variant=fixed --kernel=sim --rounds=5 --quiet
expect_stdout_full vma_watch "$vma_watch" -- /bin/true
err=$("$vma_watch" --series_out=/dev/full -- /bin/true 2>&1 >/dev/null); rc=$?
[ "$rc" = 2 ] && grep -qx 'vma_watch: --series_out=/dev/full: cannot write: No space left on device' <<<"$err" ||
  { echo "FAIL: vma_watch --series_out=/dev/full: exit $rc: $err"; fail=1; }

[ "$fail" -eq 0 ] && echo PASS
exit "$fail"
