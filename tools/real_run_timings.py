#!/usr/bin/env python3
"""A timings file (bench/workloads/bench_schedule.h) from two real runs.

Reads the benchmark output of a go1.5.1 run and of a go1.5.1 + 44078a3 run
(testdata/go151_real/runs/<run>/out.txt: each line prefixed by its time and
a tab) and prints, in the first run's order, each benchmark's final b.N and
ns/op from both, the columns vma_repro's --timings_file reads (go151, then
fix). A benchmark missing from either run, or a line that is not a result,
is one line on stderr naming the file and the line, and exit status 2.
Usage: real_run_timings.py PREFIX_OUT FIXED_OUT
"""
import re
import sys

def fail(msg):
    sys.stderr.write("real_run_timings: %s\n" % msg)
    sys.exit(2)


RESULT = re.compile(r"^(Benchmark\S+?)(-\d+)?\s+(\d+)\s+([0-9.]+) ns/op")


def results(path):
    order, by_name = [], {}
    try:
        f = open(path)
    except OSError as e:
        fail("%s: %s" % (path, e.strerror))
    with f:
        for no, line in enumerate(f, 1):
            if line.startswith("#"):
                continue
            _, _, rest = line.rstrip("\n").partition("\t")
            if not rest.startswith("Benchmark"):
                continue
            m = RESULT.match(rest)
            if not m:
                fail("%s:%d: not a benchmark result (name, b.N, ns/op): %r" % (path, no, rest[:120]))
            name = m.group(1)
            order.append(name)
            by_name[name] = (m.group(3), m.group(4))
    if not order:
        fail("%s: no benchmark results" % path)
    return order, by_name


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: real_run_timings.py PREFIX_OUT FIXED_OUT\n")
        return 2
    order, prefix = results(argv[1])
    _, fixed = results(argv[2])
    missing = [n for n in order if n not in fixed]
    if missing:
        fail("%s has no result for %s" % (argv[2], missing[0]))
    print("# from %s and %s (tools/real_run_timings.py)" % (argv[1], argv[2]))
    print("name\tN_go151\tns_per_op_go151\tN_go151_fix\tns_per_op_go151_fix")
    for n in order:
        print("%s\t%s\t%s\t%s\t%s" % ((n,) + prefix[n] + fixed[n]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
