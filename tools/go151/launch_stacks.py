#!/usr/bin/env python3
"""Summarises the stack-copy log of Go 1.5.1's runtime.test per benchmark.

What it measures: for each benchmark, how the stack of the testing
package's "launch" goroutine (B.run's `go b.launch()`, which runs every
runN and the benchmark function F) grows and shrinks: its peak size, its
size when F starts, its growths (newstack -> copystack) and its shrinks
(markroot -> shrinkstack at mark termination), split by the kind of GC
whose mark termination shrank it, and the used bytes shrinkstack saw
(stack.hi - sched.sp + _StackLimit) whether it shrank or not. It also
lists other goroutines whose stacks grew while the benchmark ran.

Input: the stderr of a runtime.test built with tools/go151/stackcopy.patch
(on top of heaplog.patch), e.g.
  tools/go151/build_and_record.sh does not apply stackcopy.patch; build by
  hand: git archive go1.5.1 | tar -x; patch -p1 < heaplog.patch;
  patch -p1 < stackcopy.patch; cd src; GOROOT_BOOTSTRAP=/usr/lib/go-1.19
  GO111MODULE=off CGO_ENABLED=0 ./make.bash; then go test -c runtime and
  GODEBUG=scavenge=1 GOMAXPROCS=2 ./runtime.test -test.run=NONE \
      -test.bench=. 2>stacks.txt
Usage:
  tools/go151/launch_stacks.py STACKS.txt[.xz] > summary.tsv

Lines read (all others are ignored):
  BENCH name=N                    a benchmark starts (main goroutine)
  RUNN n=N g=ID size=S used=U     runN(N) starts on the launch goroutine ID,
                                  before its runtime.GC
  RUNNGC g=ID size=S used=U       runN's runtime.GC returned; F starts next
  RUNNF g=ID size=S used=U        F returned
  BENCHEND n=N                    b.run returned
  MT gc=K g=ID bg=B launch=L ...  a mark termination (gcMark) begins; g is
                                  the goroutine running gc(): bg=true for the
                                  background GC goroutine, else a forced GC
  SK g=ID size=S used=U verdict=V shrinkstack's decision for the launch
                                  goroutine: shrink, min (already 2 KiB),
                                  used (used >= size/4), syscall, off
  SC g=ID launch=L kind=grow|shrink old=S new=S used=U phase=P fn=F start=F
                                  one copystack: F is the function at
                                  sched.pc (for a growth, the one that needs
                                  the bigger stack), start is the g's startpc

Windows of a benchmark: "rungc" from RUNN to RUNNGC (runN's runtime.GC),
"loop" from RUNNGC to RUNNF (StartTimer, then F runs), "after" from RUNNF
to the next RUNN or BENCHEND (StopTimer, launch's loop, its final channel
send). A mark termination is "runN" if forced by the launch goroutine in
the rungc window, "bg" if run by the background GC goroutine (in any
window), "forced" otherwise (F or another goroutine called runtime.GC or
FreeOSMemory). Note that in Go 1.5 a background cycle holds worldsema from
its start to its end, so a launch goroutine that calls ReadMemStats
(StartTimer, StopTimer) or runtime.GC meanwhile is parked there when the
cycle's mark termination looks at its stack.

Output columns (TSV, one row per benchmark, name without the -P suffix;
used values are bytes as shrinkstack computes them; "-" when none):
  benchmark, runs (runN calls), last_n,
  peak (largest stack size of the launch goroutine), first_f_size (size
  when F starts in the first runN), f_start_sizes (distinct sizes when F
  starts in runs 2..), end_size (size at BENCHEND),
  grows, grow_loop, grow_rungc (growths in each window), grow_fns
  (functions that triggered growth, with counts),
  shrinks, shr_runN, shr_bg, shr_forced (shrinks per kind of GC),
  used_shr_runN (min..max), used_shr_bg (min..max), bg_shrinks (each
  background shrink as window@function-at-sched.pc:used x count),
  mt_runN, mt_bg_loop, mt_bg (mark terminations seen: runN's, background
  ones while F ran, background ones in any window),
  used_keep_runN, used_keep_bg (min..max used where the launch goroutine
  was bigger than 2 KiB and shrinkstack kept it: verdict used),
  used_min2k_bg (min..max used at background mark terminations while at
  2 KiB), loop_regrow_missing (runs where F started below the peak and F
  did not grow it back to the peak), other_growth (other goroutines that
  grew: start function, goroutine count, peak size).
"""

import collections
import lzma
import re
import sys

PROG = "launch_stacks.py"
KV = re.compile(r"(\w+)=(\S*)")


def usage(msg):
    sys.stderr.write("%s: %s\n" % (PROG, msg))
    sys.exit(2)


def rng(values):
    if not values:
        return "-"
    lo, hi = min(values), max(values)
    return str(lo) if lo == hi else "%d..%d" % (lo, hi)


class Bench:
    def __init__(self, name):
        self.name = re.sub(r"-\d+$", "", name)
        self.runs = 0
        self.last_n = 0
        self.launch = None
        self.size = 2048
        self.peak = 0
        self.first_f_size = None
        self.f_start_sizes = []
        self.end_size = None
        self.window = "before"
        self.grows = collections.Counter()  # window -> count
        self.grow_fns = collections.Counter()
        self.shrinks = collections.Counter()  # mt kind -> count
        self.used_shr = collections.defaultdict(list)  # runN / bg
        self.mt = collections.Counter()
        self.used_keep = collections.defaultdict(list)
        self.used_min2k_bg = []
        self.run_peak_missing = 0
        self.run_f_start = None
        self.run_max = 0
        self.other = {}  # goid -> [start fn, peak]
        self.mt_kind = None
        self.bg_shrinks = collections.Counter()  # (window, fn, used) -> count

    def kind_of_mt(self, kv):
        if kv["bg"] == "true":
            return "bg_" + self.window
        if kv["launch"] == "true" and self.window == "rungc":
            return "runN"
        return "forced"

    def end_run(self):
        if self.run_f_start is not None and self.run_f_start < self.peak_before_run \
                and self.run_max < self.peak_before_run:
            self.run_peak_missing += 1
        self.run_f_start = None

    def row(self):
        grows = sum(self.grows.values())
        shr = self.shrinks
        other = collections.defaultdict(lambda: [0, 0])
        for start, peak in self.other.values():
            other[start][0] += 1
            other[start][1] = max(other[start][1], peak)
        return [
            self.name, self.runs, self.last_n, self.peak or self.size,
            self.first_f_size if self.first_f_size is not None else "-",
            ",".join(str(s) for s in sorted(set(self.f_start_sizes))) or "-",
            self.end_size if self.end_size is not None else "-",
            grows, self.grows["loop"], self.grows["rungc"],
            ",".join("%s:%d" % kv for kv in sorted(self.grow_fns.items())) or "-",
            sum(shr.values()), shr["runN"],
            sum(c for k, c in shr.items() if k.startswith("bg_")), shr["forced"],
            rng(self.used_shr["runN"]), rng(self.used_shr["bg"]),
            ",".join("%s@%s:%dx%d" % (w, fn.replace("runtime.", ""), u, c)
                     for (w, fn, u), c in sorted(self.bg_shrinks.items())) or "-",
            self.mt["runN"], self.mt["bg_loop"],
            sum(c for k, c in self.mt.items() if k.startswith("bg_")),
            rng(self.used_keep["runN"]), rng(self.used_keep["bg"]),
            rng(self.used_min2k_bg), self.run_peak_missing,
            ",".join("%s:%dg:%d" % (s, c, p) for s, (c, p) in sorted(other.items())) or "-",
        ]


HEADER = ["benchmark", "runs", "last_n", "peak", "first_f_size", "f_start_sizes",
          "end_size", "grows", "grow_loop", "grow_rungc", "grow_fns", "shrinks",
          "shr_runN", "shr_bg", "shr_forced", "used_shr_runN",
          "used_shr_bg", "bg_shrinks", "mt_runN", "mt_bg_loop", "mt_bg",
          "used_keep_runN", "used_keep_bg",
          "used_min2k_bg", "loop_regrow_missing", "other_growth"]


def main(argv):
    if len(argv) != 2:
        usage("want one argument, the stack-copy log (stderr of runtime.test), got %d"
              % (len(argv) - 1))
    path = argv[1]
    try:
        f = lzma.open(path, "rt") if path.endswith(".xz") else open(path)
    except OSError as e:
        usage("cannot read %s: %s" % (path, e.strerror))
    benches = []
    b = None
    with f:
        for line in f:
            tag, _, rest = line.partition(" ")
            if tag not in ("BENCH", "BENCHEND", "RUNN", "RUNNGC", "RUNNF", "MT", "SK", "SC"):
                continue
            kv = dict(KV.findall(rest))
            if tag == "BENCH":
                b = Bench(kv["name"])
                benches.append(b)
                continue
            if b is None:
                continue
            if tag == "RUNN":
                if b.runs:
                    b.end_run()
                b.runs += 1
                b.last_n = int(kv["n"])
                b.launch = kv["g"]
                b.size = int(kv["size"])
                b.peak = max(b.peak, b.size)
                b.peak_before_run = b.peak
                b.window = "rungc"
            elif tag == "RUNNGC":
                b.size = int(kv["size"])
                if b.runs == 1:
                    b.first_f_size = b.size
                else:
                    b.f_start_sizes.append(b.size)
                b.run_f_start = b.size
                b.run_max = b.size
                b.window = "loop"
            elif tag == "RUNNF":
                b.size = int(kv["size"])
                b.window = "after"
            elif tag == "BENCHEND":
                if b.runs:
                    b.end_run()
                b.end_size = b.size
                b.window = "done"
            elif tag == "MT":
                b.mt_kind = b.kind_of_mt(kv)
                b.mt[b.mt_kind] += 1
            elif tag == "SK":
                if kv["g"] != b.launch or b.mt_kind is None:
                    continue
                used = int(kv["used"])
                bucket = "runN" if b.mt_kind == "runN" else "bg" if b.mt_kind.startswith("bg") else None
                if kv["verdict"] == "shrink":
                    if bucket:
                        b.used_shr[bucket].append(used)
                    if bucket == "bg":
                        b.bg_shrinks[(b.mt_kind[3:], kv["fn"], used)] += 1
                elif kv["verdict"] == "used":
                    if bucket:
                        b.used_keep[bucket].append(used)
                elif kv["verdict"] == "min" and bucket == "bg":
                    b.used_min2k_bg.append(used)
            elif tag == "SC":
                old, new = int(kv["old"]), int(kv["new"])
                if kv["launch"] == "true" and kv["g"] == b.launch:
                    b.size = new
                    b.peak = max(b.peak, new)
                    if b.window == "loop":
                        b.run_max = max(b.run_max, new)
                    if kv["kind"] == "grow":
                        b.grows[b.window] += 1
                        b.grow_fns[kv["fn"]] += 1
                    else:
                        b.shrinks[b.mt_kind or "forced"] += 1
                elif kv["kind"] == "grow":
                    o = b.other.setdefault(kv["g"], [kv["start"], 0])
                    o[1] = max(o[1], new)
    if not benches:
        usage("%s has no BENCH line: not the stderr of a stackcopy.patch runtime.test" % path)
    out = sys.stdout
    out.write("\t".join(HEADER) + "\n")
    for b in benches:
        out.write("\t".join(str(x) for x in b.row()) + "\n")


if __name__ == "__main__":
    main(sys.argv)
