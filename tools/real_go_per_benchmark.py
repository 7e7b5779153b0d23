#!/usr/bin/env python3
"""Per-benchmark VMA maxima of a real Go runtime.test run under vma_watch.

Inputs: the run's stdout with each line prefixed by "<seconds>\t" (seconds
since the run started, as vma_watch's clock), and vma_watch's --series_out
TSV. A benchmark's result line is printed when it ends, so its interval is
(previous result line, its own line]. Output on stdout, TSV:
  benchmark  start_s  end_s  max_vmas
Usage: real_go_per_benchmark.py STDOUT_WITH_TIMES SERIES_TSV
"""
import sys


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: real_go_per_benchmark.py STDOUT_WITH_TIMES SERIES_TSV\n")
        return 2
    ends = []
    with open(argv[1]) as f:
        for line in f:
            if line.startswith("#"):  # vma_peak's clock line
                continue
            t, _, rest = line.rstrip("\n").partition("\t")
            name = rest.split("\t", 1)[0].strip()
            if name.startswith("Benchmark"):
                ends.append((float(t), name.rsplit("-", 1)[0]))
    series = []
    with open(argv[2]) as f:
        for line in f:
            if line.startswith("#"):
                continue
            t, n = line.split("\t")
            series.append((float(t), int(n)))
    print("benchmark\tstart_s\tend_s\tmax_vmas")
    start = 0.0
    level = series[0][1] if series else 0  # the count in force at `start`
    i = 0
    for end, name in ends:
        peak = level
        while i < len(series) and series[i][0] <= end:
            level = series[i][1]
            peak = max(peak, level)
            i += 1
        print(f"{name}\t{start:.3f}\t{end:.3f}\t{peak}")
        start = end
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
