#!/usr/bin/env python3
"""How long go1.5.1 allocates black in each background GC cycle, from an
execution trace (measurement only; issue 13, mheap/go15/mgc.h
blacken_promptly).

go1.5.1's gc() (mgc.go) waits on bgMark1 while the mark workers do the
mark's work; the worker that completes it readies the GC goroutine, which
then sets gcBlackenPromptly (mallocgc allocates black from there), waits on
bgMark2, and stops the world for mark termination, which clears it. This
reads the text of `go tool trace -d` and prints, per background cycle, the
mark (GCStart to the mark termination's GCSTWStart) and the window (the GC
goroutine's first GoStart after a goroutine other than g0 readied it, to
that GCSTWStart), and their medians. A cycle whose GC goroutine no mark
worker readied (runtime.GC()'s, run on its caller) is left out.

Usage (Go 1.5.1's runtime.test from tools/go151/build_and_record.sh; the
trace reader is Debian's Go, which reads 1.5 traces given the binary):

  GODEBUG=scavenge=1 GOMAXPROCS=2 OUT/prefix/runtime.test -test.run=NONE \\
      -test.bench='ChanPopular|FinalizerRun$' -test.trace=t.out
  go tool trace -d OUT/prefix/runtime.test t.out | \\
      tools/go151/trace_blacken_window.py [--from_ms=MS] [--list]

--from_ms drops the cycles that start earlier (e.g. those of the
benchmarks run first only to grow allgs as the whole suite has by then).
The tracer slows the program; the windows show what happens, not Go's
untraced rates.
"""
import argparse
import statistics
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--from_ms", type=float, default=0.0)
    ap.add_argument("--list", action="store_true", help="print every cycle")
    a = ap.parse_args()
    last_running = None  # goroutine of the latest event on a P
    cur = None  # the cycle being read: start, gc goroutine, readied, window start
    cycles = []
    for line in sys.stdin:
        p = line.split()
        if len(p) < 3 or not p[0].isdigit():
            continue
        t, ev = int(p[0]), p[1]
        gs = [x for x in p[2:] if x.startswith("g=")]
        P = int(p[2][2:]) if p[2].startswith("p=") else -1
        if 0 <= P < 1000000 and gs and gs[0] != "g=0":
            last_running = gs[0]  # the event's own goroutine
        if ev == "GoStart":
            if cur and cur["readied"] and cur["window"] is None and gs[-1] == cur["g"]:
                cur["window"] = t
        elif ev == "GCStart":
            # gc() runs on the goroutine whose event came last on a P
            # (backgroundgc: its GoStart, or the sweep it finishes first).
            cur = {"start": t, "g": last_running, "readied": False, "window": None}
        elif cur is None:
            continue
        elif ev == "GoUnblock" and len(gs) >= 2 and gs[-1] == cur["g"] and gs[0] != "g=0":
            cur["readied"] = True
        elif ev == "GCSTWStart" and "termination" in line:
            if cur["window"] is not None and cur["start"] >= a.from_ms * 1e6:
                cycles.append(((t - cur["start"]) / 1e6, (t - cur["window"]) / 1e6, cur["start"] / 1e6))
            cur = None
    if not cycles:
        sys.exit("trace_blacken_window: no background cycle with a readied GC goroutine")
    if a.list:
        for mark, window, start in cycles:
            print("at %.1f ms: mark %.2f ms, black %.2f ms" % (start, mark, window))
    print("%d background cycles: median mark %.2f ms, median black window %.2f ms, "
          "median share %.2f" % (len(cycles), statistics.median(c[0] for c in cycles),
                                 statistics.median(c[1] for c in cycles),
                                 statistics.median(c[1] / c[0] for c in cycles)))


if __name__ == "__main__":
    main()
