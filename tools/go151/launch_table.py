#!/usr/bin/env python3
"""Prints the launch-goroutine table of bench/workloads/go15_launch.cc.

Input: the per-benchmark summary launch_stacks.py makes from Go 1.5.1's
stack-copy log (testdata/go151_stacks/summary.tsv, from stacks.txt.xz).
Output: the C++ constants and table rows, to paste between the markers in
go15_launch.cc (//bench/workloads:go15_launch_test checks the file against
the summary with the same rules).

The rules, stated once (the test states them again in C++):
  - use at runN's GC: the one used value shrinkstack saw at runN's
    runtime.GC, shrink or keep, across the suite (the frames of launch,
    runN and GC do not depend on the benchmark);
  - use in StopTimer: the one used value of the shrinks made after F
    returned, while the launch goroutine was parked in gopark (StopTimer's
    ReadMemStats waiting for a cycle's worldsema);
  - a benchmark is in the table when every growth of its launch goroutine
    came from a function of the benchmark's own package (runtime_test.*:
    its frames need the stack at every run); its use in F is its peak.
    Growths deep in the allocator (heapBitsSetType, mProf_Malloc's callers,
    gcAssistAlloc) come and go with the mark phase and profiling samples;
    those benchmarks are left out (the table's header says so).
Usage: tools/go151/launch_table.py SUMMARY.tsv
"""

import re
import sys

PROG = "launch_table.py"


def usage(msg):
    sys.stderr.write("%s: %s\n" % (PROG, msg))
    sys.exit(2)


def values(field):
    """The used values of a "lo..hi" or "v" field ("-": none)."""
    if field == "-":
        return []
    parts = field.split("..")
    return [int(p) for p in parts]


def main(argv):
    if len(argv) != 2:
        usage("want SUMMARY.tsv, got %d arguments" % (len(argv) - 1))
    try:
        lines = open(argv[1]).read().splitlines()
    except OSError as e:
        usage("%s: %s" % (argv[1], e.strerror))
    header = lines[0].split("\t")
    need = ["benchmark", "peak", "grow_fns", "used_shr_runN", "used_keep_runN", "bg_shrinks"]
    for n in need:
        if n not in header:
            usage("%s: no column %s (is it launch_stacks.py's output?)" % (argv[1], n))
    col = {n: header.index(n) for n in header}
    run_gc, stop_timer, rows = set(), set(), []
    for line in lines[1:]:
        f = line.split("\t")
        run_gc.update(values(f[col["used_shr_runN"]]))
        run_gc.update(values(f[col["used_keep_runN"]]))
        for m in re.finditer(r"after@gopark:(\d+)x\d+", f[col["bg_shrinks"]]):
            stop_timer.add(int(m.group(1)))
        fns = f[col["grow_fns"]]
        if fns != "-" and all(x.startswith("runtime_test.") for x in fns.split(",")):
            rows.append((f[col["benchmark"]], int(f[col["peak"]]), fns))
    if len(run_gc) != 1 or len(stop_timer) != 1:
        usage("expected one use at runN's GC and one in StopTimer, got %s and %s"
              % (sorted(run_gc), sorted(stop_timer)))
    print("constexpr uint64_t kUseAtRunGc = %d;" % run_gc.pop())
    print("constexpr uint64_t kUseInStopTimer = %d;" % stop_timer.pop())
    for name, peak, fns in rows:
        print('      {"%s", {kUseAtRunGc, %d, kUseInStopTimer}},  // %s'
              % (name, peak, fns.split(":")[0].split(".", 1)[1]))


if __name__ == "__main__":
    main(sys.argv)
