#!/usr/bin/env bash
# The replay driver: bad traces give one line naming the line number and
# exit 2; a sample replay on the simulated kernel reports the same peak VMAs
# run after run, and more for prefix than for fixed.
set -u
bin="$(dirname "$0")/replay"
[ -x "$bin" ] || bin="bench/replay/replay"
trace="testdata/traces/churn.trace"
tmp=$(mktemp -d)
fail=0
check_exit2() {
  local what="$1"; shift
  local err; err=$("$@" 2>&1 >/dev/null); local rc=$?
  local lines; lines=$(printf '%s\n' "$err" | grep -c .)
  if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! printf '%s' "$err" | grep -q -- "$what"; then
    echo "FAIL: $* -> exit $rc: $err (wanted one line with '$what')"; fail=1
  fi
}
printf 'thp-trace 1\nalloc 1 64 scan 0\nalloc 2 64 sometimes 0\n' > "$tmp/bad.trace"
check_exit2 'trace line 3: expected alloc' "$bin" --trace="$tmp/bad.trace" --kernel=sim
printf 'thp-trace 1\nalloc 1 64 scan 0\ndrop 9\n' > "$tmp/unknown.trace"
check_exit2 'trace line 3: drop 9: no live object has that id' "$bin" --trace="$tmp/unknown.trace" --kernel=sim
check_exit2 '--trace is required' "$bin" --kernel=sim
check_exit2 'GODEBUG scavenge=on' env GODEBUG=scavenge=on "$bin" --trace="$trace" --kernel=sim

run() { GODEBUG=scavenge=1 "$bin" --trace="$trace" --kernel=sim --kernel_profile=linux2015 --sim_baseline=0 --variant="$1" | sed -n 's/.*max_vmas=\([0-9]*\).*/\1/p'; }
p1=$(run prefix); p2=$(run prefix); f=$(run fixed)
[ -n "$p1" ] && [ "$p1" = "$p2" ] || { echo "FAIL: prefix not reproducible: '$p1' vs '$p2'"; fail=1; }
[ -n "$f" ] && [ "$p1" -gt "$f" ] || { echo "FAIL: prefix max_vmas $p1 not above fixed $f"; fail=1; }
echo "churn.trace: prefix max_vmas=$p1 fixed max_vmas=$f"
if [ $fail -eq 0 ]; then echo "6 passed, 0 failed"; else exit 1; fi
