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
check_exit2 '--heap="go1": expected go15 or go121' "$bin" --trace="$trace" --kernel=sim --heap=go1
# The same trace on the Go 1.21 heap: labelled, and the same run after run.
g1=$("$bin" --trace="$trace" --kernel=sim --variant=hugepage_eager --heap=go121); g2=$("$bin" --trace="$trace" --kernel=sim --variant=hugepage_eager --heap=go121)
case "$g1" in "replay variant=hugepage_eager kernel=sim heap=go121 events="*) ;; *) echo "FAIL: go121 replay: '$g1'"; fail=1 ;; esac
[ "$g1" = "$g2" ] || { echo "FAIL: go121 replay not reproducible: '$g1' vs '$g2'"; fail=1; }

run() { GODEBUG=scavenge=1 "$bin" --trace="$trace" --kernel=sim --kernel_profile=linux2015 --sim_baseline=0 --variant="$1" | sed -n 's/.*max_vmas=\([0-9]*\).*/\1/p'; }
p1=$(run prefix); p2=$(run prefix); f=$(run fixed)
[ -n "$p1" ] && [ "$p1" = "$p2" ] || { echo "FAIL: prefix not reproducible: '$p1' vs '$p2'"; fail=1; }
[ -n "$f" ] && [ "$p1" -gt "$f" ] || { echo "FAIL: prefix max_vmas $p1 not above fixed $f"; fail=1; }
echo "churn.trace: prefix max_vmas=$p1 fixed max_vmas=$f"
# A run that dies of a Go fatal error (the VMA limit: out of memory) still
# writes its report line, then Go's last words, exit 1 (a variant that died; Go's own status is 2).
frag="$(dirname "$trace")/fragmenter_small.trace"
out=$(GODEBUG=scavenge=1 "$bin" --trace="$frag" --kernel=sim --max_map_count=50 --sim_baseline=30 \
      --variant=prefix 2>"$tmp/err"); rc=$?
want="replay variant=prefix kernel=sim events=2369 virtual_s=1.501 gc=74 scavenges=143 max_vmas=51 final_vmas=51 max_runtime_vmas=21 heap_sys=79167488 heap_released=38338560 madvise: DONTNEED=72 HUGEPAGE=56 NOHUGEPAGE=72 errors: NOHUGEPAGE/EAGAIN=1"
[ "$rc" -eq 1 ] && [ "$out" = "$want" ] && [ "$(cat "$tmp/err")" = "fatal error: runtime: out of memory" ] ||
  { echo "FAIL: fatal run: exit $rc, stdout '$out', stderr '$(cat "$tmp/err")'"; fail=1; }
# The same run with stdout full: the report is lost, which ranks above the
# fatal error: one line for it after Go's, exit 2.
err=$(GODEBUG=scavenge=1 "$bin" --trace="$frag" --kernel=sim --max_map_count=50 --sim_baseline=30 \
      --variant=prefix 2>&1 >/dev/full); rc=$?
[ "$rc" -eq 2 ] && [ "$err" = "fatal error: runtime: out of memory
replay: cannot write stdout: No space left on device" ] ||
  { echo "FAIL: fatal run to /dev/full: exit $rc, stderr '$err'"; fail=1; }
if [ $fail -eq 0 ]; then echo "11 passed, 0 failed"; else exit 1; fi
