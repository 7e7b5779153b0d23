#!/usr/bin/env python3
"""Per-benchmark releases of a real Go runtime.test run under vma_watch.

A release is one MADV_DONTNEED call: go1.5.1's sysUnused makes one for each
span the scavenger releases (mem_linux.go), with or without 44078a3. Inputs:
the run's stdout with each line prefixed by "<seconds>\t" (vma_watch's
clock), and vma_watch's --calls_out TSV (gzip-compressed), whose rows are
(seconds, call, address, length, advice or prot, result, map_count). A
benchmark's result line is printed when it ends, so its releases are the
calls in (previous result line, its own line]; those after the last result
line are left out.
Output on stdout, TSV, one row per benchmark in run order:
  benchmark  releases  released_pages
Usage: real_go_releases.py STDOUT_WITH_TIMES CALLS_TSV_GZ
Bad input: one line on stderr naming the file and line, exit status 2.
"""
import gzip
import sys

PAGE = 8192  # go1.5.1's _PageSize


def fail(msg):
    sys.stderr.write("real_go_releases.py: %s\n" % msg)
    sys.exit(2)


def read_ends(path):
    ends = []
    try:
        with open(path) as f:
            for n, line in enumerate(f, 1):
                if line.startswith("#"):  # a counter's clock line
                    continue
                t, tab, rest = line.rstrip("\n").partition("\t")
                name = rest.split("\t", 1)[0].strip()
                if not name.startswith("Benchmark"):
                    continue
                try:
                    when = float(t)
                except ValueError:
                    fail("%s:%d: no time before the result line" % (path, n))
                if not tab:
                    fail("%s:%d: no time before the result line" % (path, n))
                ends.append((when, name.rsplit("-", 1)[0]))
    except OSError as e:
        fail("%s: %s" % (path, e.strerror))
    if not ends:
        fail("%s: no benchmark results" % path)
    return ends


def read_releases(path):
    calls = []
    try:
        with gzip.open(path, "rt") as f:
            for n, line in enumerate(f, 1):
                if line.startswith("#"):
                    continue
                cols = line.rstrip("\n").split("\t")
                if len(cols) != 7:
                    fail("%s:%d: %d columns, wanted 7 (seconds, call, addr, len, arg, result, "
                         "map_count)" % (path, n, len(cols)))
                if cols[1] != "madvise" or cols[4] != "DONTNEED":
                    continue
                try:
                    calls.append((float(cols[0]), int(cols[3])))
                except ValueError:
                    fail("%s:%d: bad seconds or length" % (path, n))
    except (OSError, EOFError) as e:
        fail("%s: %s" % (path, getattr(e, "strerror", None) or e))
    return calls


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: real_go_releases.py STDOUT_WITH_TIMES CALLS_TSV_GZ\n")
        return 2
    ends = read_ends(argv[1])
    calls = read_releases(argv[2])
    print("benchmark\treleases\treleased_pages")
    i = 0
    for end, name in ends:
        count = pages = 0
        while i < len(calls) and calls[i][0] <= end:
            count += 1
            pages += calls[i][1] // PAGE
            i += 1
        print("%s\t%d\t%d" % (name, count, pages))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
