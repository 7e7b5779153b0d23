#!/usr/bin/env python3
"""What a go1.5.1 execution trace shows at each GC cycle's end (measurement
only; issue 13, README "what still differs", item 7).

go1.5.1's gc() ends on the GC goroutine: it readies bgsweep onto its own P
(GoUnblock), logs GCDone, restarts the world, and the goroutine then parks
(GoBlock) before bgsweep runs there (GoStart). This reads the text of
`go tool trace -d` and prints, per GCDone, how long until the GC goroutine
parked and until bgsweep first ran, and a summary of the ends over a
threshold.

Usage (Go 1.5.1's runtime.test from tools/go151/build_and_record.sh; the
trace reader is Debian's Go, which reads 1.5 traces given the binary):

  GODEBUG=scavenge=1 GOMAXPROCS=2 OUT/prefix/runtime.test -test.run=NONE \\
      -test.bench=REGEX -test.trace=t.out
  go tool trace -d OUT/prefix/runtime.test t.out | \\
      tools/go151/trace_cycle_ends.py [--over_us=500] [--list]

The tracer slows the program (MallocLargeStruct: about 1.5 times), so its
rates are not the recording's; it shows what happens, the recorded log
(bench/calibrate/cycle_end_stalls.h) how often.
"""
import argparse
import sys

# Events after which the goroutine a P ran is off it.
OFF = {"GoSched", "GoPreempt", "GoBlock", "GoSleep", "GoSysBlock", "GoEnd",
       "GoBlockRecv", "GoBlockSend", "GoBlockSelect", "GoBlockSync",
       "GoBlockCond", "GoBlockNet", "GoBlockGC", "GoStop"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--over_us", type=float, default=500.0)
    ap.add_argument("--list", action="store_true", help="print every cycle end")
    a = ap.parse_args()
    running = {}  # P -> goroutine id running there
    last_unblock = {}  # P -> goroutine its runner last readied
    open_end = None  # (time, gc goroutine, bgsweep goroutine, parked_at, swept_at)
    ends = []

    def close():
        if open_end is not None:
            ends.append(open_end)

    for line in sys.stdin:
        p = line.split()
        if len(p) < 3 or not p[0].isdigit():
            continue
        t, ev = int(p[0]), p[1]
        P = p[2][2:] if p[2].startswith("p=") else "?"
        if ev == "GoStart":
            # the first g= is the event's own; the goroutine started is
            # the last one
            gs = [x[2:] for x in p[3:] if x.startswith("g=")]
            running[P] = gs[-1] if gs else None
            if open_end and open_end[4] is None and running[P] == open_end[2]:
                open_end = open_end[:4] + (t,)
        elif ev in OFF:
            g = running.get(P)
            if open_end and open_end[3] is None and g == open_end[1] and ev == "GoBlock":
                open_end = open_end[:3] + (t,) + open_end[4:]
            running[P] = None
        elif ev == "GoUnblock":
            gs = [x[2:] for x in p[3:] if x.startswith("g=")]
            last_unblock[P] = gs[-1] if gs else None
        elif ev == "GCDone":
            close()
            open_end = (t, running.get(P), last_unblock.get(P), None, None)
    close()
    over_ns = a.over_us * 1000
    park_over = sweep_over = 0
    for t, gc, sweep, parked, swept in ends:
        dp = (parked - t) if parked else None
        ds = (swept - t) if swept else None
        park_over += dp is not None and dp > over_ns
        sweep_over += ds is not None and ds > over_ns
        if a.list:
            print("%d gc=g%s park_us=%s bgsweep=g%s first_run_us=%s" % (
                t, gc, "-" if dp is None else "%.0f" % (dp / 1e3), sweep,
                "-" if ds is None else "%.0f" % (ds / 1e3)))
    print("cycle ends %d: the GC goroutine parked over %.0f us after GCDone in %d, "
          "bgsweep first ran over %.0f us after in %d" % (
              len(ends), a.over_us, park_over, a.over_us, sweep_over))


if __name__ == "__main__":
    main()
