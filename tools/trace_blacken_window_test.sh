#!/usr/bin/env bash
# tools/go151/trace_blacken_window.py on `go tool trace -d` text made up
# for the purpose: which cycles it counts and the window it measures.
set -u
bin=tools/go151/trace_blacken_window.py
fail=0

# Cycle 1 (background): backgroundgc (g=9) starts the cycle at 1 ms, a
# mark worker (g=20) readies it at 3 ms, it runs at 4 ms (gcBlackenPromptly
# from here) and mark termination stops the world at 10 ms: a 9 ms mark,
# black for 6. A GoUnblock by g0 (a wakeup, not the mark's completion)
# comes first and does not count. Cycle 2 (runtime.GC() on the caller,
# g=1): no mark worker readies it, so it is left out. Cycle 3: like the
# first, at 20 ms, readied by g=21 and running at once: an 8 ms mark,
# black for 2; it starts after a sweep event of g=9, whose goroutine the
# tool takes as gc()'s.
trace='0 GoStart p=0 g=9 off=1 g=9 seq=0
1000000 GCStart p=1000004 g=0 off=2 seq=0
1500000 GoBlock p=0 g=9 off=3
2000000 GoUnblock p=0 g=0 off=4 g=9 seq=0
2100000 GoStart p=0 g=9 off=5 g=9 seq=0
2200000 GoBlock p=0 g=9 off=6
3000000 GoUnblock p=1 g=20 off=7 g=9 seq=0
4000000 GoStart p=1 g=9 off=8 g=9 seq=0
10000000 GCSTWStart p=1 g=0 off=9 kindid=0 kind=mark termination
11000000 GoStart p=0 g=1 off=10 g=1 seq=0
12000000 GCStart p=1000004 g=0 off=11 seq=0
12500000 GCSTWStart p=0 g=0 off=12 kindid=1 kind=mark termination
19000000 GCSweepDone p=1 g=9 off=13 swept=0 reclaimed=0
20000000 GCStart p=1000004 g=0 off=14 seq=0
25000000 GoUnblock p=1 g=21 off=15 g=9 seq=0
26000000 GoStart p=1 g=9 off=16 g=9 seq=0
28000000 GCSTWStart p=1 g=0 off=17 kindid=0 kind=mark termination'
out=$(python3 "$bin" --list <<<"$trace"); rc=$?
want='at 1.0 ms: mark 9.00 ms, black 6.00 ms
at 20.0 ms: mark 8.00 ms, black 2.00 ms
2 background cycles: median mark 8.50 ms, median black window 4.00 ms, median share 0.46'
[ "$rc" -eq 0 ] && [ "$out" = "$want" ] || { echo "FAIL: (exit $rc)"; echo "$out"; fail=1; }
# --from_ms drops the cycles that start earlier.
out=$(python3 "$bin" --from_ms=5 <<<"$trace")
[ "$out" = '1 background cycles: median mark 8.00 ms, median black window 2.00 ms, median share 0.25' ] ||
  { echo "FAIL: --from_ms: $out"; fail=1; }
# No background cycle: one line, a failing status.
err=$(python3 "$bin" <<<'5 GoStart p=0 g=1 off=1 g=1 seq=0' 2>&1 >/dev/null); rc=$?
[ "$rc" -ne 0 ] && [ "$err" = 'trace_blacken_window: no background cycle with a readied GC goroutine' ] ||
  { echo "FAIL: no cycle: exit $rc, '$err'"; fail=1; }
exit $fail
