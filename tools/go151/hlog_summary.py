#!/usr/bin/env python3
"""Per-benchmark summary of a Go 1.5.1 heap log (tools/go151/heaplog.patch).

Reads the log as //tools:heap_log_dump prints it, on stdin, and writes one
TSV row per benchmark in run order:
  benchmark  releases  released_pages  background_cycles  mark_us_median
releases: sys_unused records (sysUnused makes one per released span);
released_pages: their bytes over go1.5.1's 8 KiB page; background_cycles:
gc_start records of mode background that reached a gc_mark_term;
mark_us_median: their gc_start -> gc_mark_term, the median (of an even
count, the upper of the middle two, as //bench/workloads:go15_busy_ps_test
takes it), in whole microseconds (empty when there is none). The benchmark's name loses its
"-GOMAXPROCS" suffix. Records before the first bench_start are left out.
Usage: heap_log_dump LOG | hlog_summary.py
Bad input: one line on stderr naming the line, exit status 2.
"""
import sys

PAGE = 8192  # go1.5.1's _PageSize


def fail(lineno, msg):
    sys.stderr.write("hlog_summary.py: <stdin>:%d: %s\n" % (lineno, msg))
    sys.exit(2)


def field(fields, key, lineno):
    for f in fields:
        if f.startswith(key + "="):
            return f[len(key) + 1:]
    fail(lineno, "no %s= field" % key)


def main():
    rows = []  # [name, releases, pages, marks]
    open_at = None
    for lineno, line in enumerate(sys.stdin, 1):
        fields = line.split()
        if len(fields) < 2:
            fail(lineno, "fewer than 2 fields")
        try:
            t = int(fields[0])
        except ValueError:
            fail(lineno, "bad time %r" % fields[0])
        kind = fields[1]
        if kind == "bench_start":
            name = field(fields, "name", lineno).strip('"')
            if "-" in name:
                name = name[:name.rindex("-")]
            rows.append([name, 0, 0, []])
            open_at = None
        elif not rows:
            continue
        elif kind == "sys_unused":
            try:
                n = int(field(fields, "n", lineno))
            except ValueError:
                fail(lineno, "bad n=")
            rows[-1][1] += 1
            rows[-1][2] += n // PAGE
        elif kind == "gc_start":
            open_at = t if field(fields, "mode", lineno) == "background" else None
        elif kind == "gc_mark_term" and open_at is not None:
            rows[-1][3].append(t - open_at)
            open_at = None
    out = ["benchmark\treleases\treleased_pages\tbackground_cycles\tmark_us_median"]
    for name, releases, pages, marks in rows:
        marks.sort()
        median = str(round(marks[len(marks) // 2] / 1000)) if marks else ""
        out.append("%s\t%d\t%d\t%d\t%s" % (name, releases, pages, len(marks), median))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
