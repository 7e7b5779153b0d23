#!/usr/bin/env python3
"""Go 1.5.1's startup heap, read from a recorded heap-event log.

Prints the rows of bench/workloads/go15_startup.cc's table: every span
runtime.test's page heap handed out before the first bench_start (runtime
init, package inits, the testing package's flag parsing), in the order Go
took them, with how many objects the modelled startup allocates in it and
how many of those stay live for the whole suite.

What the log gives exactly: each span's caller (small or stack), size class,
pages and order; which spans the first GC cycle frees (their objects were all
garbage); heap_live when that cycle starts (the bytes the startup allocated,
as far as mcaches had flushed them) and heap_marked when it ends (the bytes
that survived). What it does not give is how many objects each span held,
so the objects are spread over the spans as follows:
  - a span followed by another span of its class was full (mcentral only
    takes a new span when the cached one has no free slot);
  - every other span holds the same share of its slots, at least one: the
    share that makes the allocated bytes come to heap_live at the first
    gc_start;
  - a span the first cycle frees keeps nothing; every other span keeps the
    same share of its slots live, at least one, and at most what it holds:
    the share that makes the live bytes come to that cycle's heap_marked.

Goroutines: the first stack span after the config record (the end of
schedinit) is the 2 KiB-stack pool span that rt0_go's newproc(runtime.main)
takes; runtime.main then starts forcegchelper (the runtime's init), bgsweep
(gcenable) and runfinq (os's init: NewFile's SetFinalizer calls createfing),
whose stacks come from the same P's stack cache. That span's row starts the
four goroutines instead, and the first span of each class their g structs
and allgs arrays go to leaves those out of its own objects; the other stack spans (the Ms'
gsignal stacks and the pools of larger g0 and grown stacks) are one
32 KiB stack each, the same pages.

Usage: heap_log_dump LOG | startup_heap.py
(bazel build -c opt //tools:heap_log_dump; xz -dc
testdata/go151_heaplog/prefix.hlog.xz > /tmp/p.hlog;
bazel-bin/tools/heap_log_dump /tmp/p.hlog | tools/go151/startup_heap.py)
"""
import sys

# Go 1.5's size classes: class -> (bytes, pages per span, objects per span),
# as mheap/go15/msize_test.cc pins them.
CLASSES = (
    "1:8/1/1024 2:16/1/512 3:32/1/256 4:48/1/170 5:64/1/128 6:80/1/102 7:96/1/85 8:112/1/73 "
    "9:128/1/64 10:144/1/56 11:160/1/51 12:176/1/46 13:192/1/42 14:208/1/39 15:224/1/36 "
    "16:240/1/34 17:256/1/32 18:288/1/28 19:320/1/25 20:352/1/23 21:384/1/21 22:416/1/19 "
    "23:448/1/18 24:480/1/17 25:512/1/16 26:576/1/14 27:640/1/12 28:704/1/11 29:768/1/10 "
    "30:896/1/9 31:1024/1/8 32:1152/1/7 33:1280/1/6 34:1408/2/11 35:1536/1/5 36:1664/2/9 "
    "37:2048/1/4 38:2304/2/7 39:2560/1/3 40:2816/3/8 41:3072/2/5 42:3328/3/7 43:4096/1/2 "
    "44:4608/3/5 45:5376/2/3 46:6144/3/4 47:6400/4/5 48:6656/5/6 49:6912/6/7 50:8192/1/1 "
    "51:8448/7/6 52:8704/6/5 53:9472/5/4 54:10496/4/3 55:12288/3/2 56:13568/5/3 57:14080/7/4 "
    "58:16384/2/1 59:16640/9/4 60:17664/7/3 61:20480/5/2 62:21248/8/3 63:24576/3/1 "
    "64:24832/10/3 65:28416/7/2 66:32768/4/1")
SIZE, PAGES, SLOTS = {}, {}, {}
for entry in CLASSES.split():
    c, rest = entry.split(":")
    s, p, n = rest.split("/")
    SIZE[int(c)], PAGES[int(c)], SLOTS[int(c)] = int(s), int(p), int(n)


G_STRUCT_CLASS = 21
RUNTIME_GOROUTINES = 4  # main, forcegchelper, bgsweep, runfinq
# (size class, objects the goroutines allocate in it, of them live)
GOROUTINE_OBJECTS = ((G_STRUCT_CLASS, 4, 4), (1, 1, 0), (2, 1, 0), (3, 1, 1))


def fields(line):
    parts = line.split()
    return parts[1], dict(p.split("=", 1) for p in parts[2:] if "=" in p)


def read_startup(lines):
    """Spans before the first bench_start, which of them the first GC frees,
    heap_live at its start and heap_marked at its end."""
    spans = []          # dicts: page, caller, sizeclass, npages, after_config
    by_page = {}
    pending = None
    started = False
    after_config = False
    live_at_gc = marked = None
    for line in lines:
        kind, kv = fields(line)
        if kind == "config":
            after_config = True
        elif kind == "bench_start":
            started = True
        elif not started and kind == "alloc":
            pending = kv
        elif not started and kind == "alloc_done":
            s = {"page": int(kv["page"]), "caller": pending["caller"],
                 "sizeclass": int(pending["sizeclass"]), "npages": int(pending["npage"]),
                 "freed_by_first_gc": False, "after_config": after_config}
            spans.append(s)
            by_page[s["page"]] = s
        elif started and kind == "gc_start" and live_at_gc is None:
            live_at_gc = int(kv["heap_live"])
        elif started and kind == "free" and marked is None and kv["why"] in ("central", "stack"):
            s = by_page.get(int(kv["page"]))
            if s is not None:
                s["freed_by_first_gc"] = True
        elif started and kind == "gc_done":
            marked = int(kv["heap_marked"])
            break
    return spans, live_at_gc, marked


def counts(spans, share, full, cap_of=None):
    out = []
    for i, s in enumerate(spans):
        slots = SLOTS[s["sizeclass"]]
        if full(i, s):
            n = slots
        else:
            n = max(1, round(share * slots))
        if cap_of is not None:
            n = min(n, cap_of[i])
        out.append(n)
    return out


def solve(target, make):
    """The share in [0, 1] whose bytes come nearest the target."""
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if make(mid)[1] < target:
            lo = mid
        else:
            hi = mid
    a, b = make(lo), make(hi)
    return a if abs(a[1] - target) <= abs(b[1] - target) else b


def main():
    spans, live_at_gc, marked = read_startup(sys.stdin)
    small = [s for s in spans if s["caller"] == "small"]
    for s in small:
        assert PAGES[s["sizeclass"]] == s["npages"], s
    later = set()
    for i, s in enumerate(small):
        if any(t["sizeclass"] == s["sizeclass"] for t in small[i + 1:]):
            later.add(i)

    def alloc_with(share):
        n = counts(small, share, lambda i, s: i in later)
        return n, sum(k * SIZE[s["sizeclass"]] for k, s in zip(n, small))
    alloc, alloc_bytes = solve(live_at_gc, alloc_with)

    def live_with(share):
        n = counts(small, share, lambda i, s: False, cap_of=alloc)
        n = [0 if s["freed_by_first_gc"] else k for k, s in zip(n, small)]
        return n, sum(k * SIZE[s["sizeclass"]] for k, s in zip(n, small))
    live, live_bytes = solve(marked, live_with)

    # The four runtime goroutines' own objects are among the first span of
    # their class: their g structs (mheap/go15/goroutines.h's kGStructBytes,
    # class 21, kept by allgs) and allgs as it grows by growslice's doubling
    # (8, 16 and 32 bytes: classes 1 and 2 garbage, class 3 live).
    for sizeclass, n_alloc, n_live in GOROUTINE_OBJECTS:
        i = next(i for i, s in enumerate(small) if s["sizeclass"] == sizeclass)
        alloc[i] -= n_alloc
        live[i] = min(live[i] - n_live, alloc[i])
        assert alloc[i] >= 0 and 0 <= live[i] <= alloc[i], (sizeclass, alloc[i], live[i])
    main_stack = next(s for s in spans if s["caller"] == "stack" and s["after_config"])

    print("  // Generated by tools/go151/startup_heap.py: %d spans, %d small and %d stack;"
          % (len(spans), len(small), len(spans) - len(small)))
    print("  // allocated %d bytes (heap_live at the first gc_start: %d), live %d (heap_marked "
          "at its end: %d)." % (alloc_bytes, live_at_gc, live_bytes, marked))
    j = 0
    for s in spans:
        if s["caller"] == "small":
            print("  {StartupSpan::kSmall, %d, %d, %d, %d},  // page %d%s" % (
                s["sizeclass"], s["npages"], alloc[j], live[j], s["page"],
                ", freed by the first GC" if s["freed_by_first_gc"] else ""))
            j += 1
        elif s is main_stack:
            print("  {StartupSpan::kGoroutines, 0, %d, %d, %d},  // page %d: runtime.main, "
                  "forcegchelper, bgsweep, runfinq" % (
                      s["npages"], RUNTIME_GOROUTINES, RUNTIME_GOROUTINES, s["page"]))
        else:
            print("  {StartupSpan::kStack, 0, %d, 1, %d},  // page %d%s" % (
                s["npages"], 0 if s["freed_by_first_gc"] else 1, s["page"],
                ", freed by the first GC" if s["freed_by_first_gc"] else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
