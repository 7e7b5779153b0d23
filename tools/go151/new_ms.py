#!/usr/bin/env python3
"""The new Ms Go 1.5.1 made during the benchmarks, read from a recorded log.

Prints the rows of bench/workloads/go15_new_ms.cc's table: for each M that
runtime.test made after its first bench_start, the benchmark, which of that
benchmark's background GC cycles it came in (counted from the benchmark's
bench_start, 1 the first) and whether at the cycle's start or its end.

How an M shows in the log: allocm's mpreinit gives gsignal a 32 KiB stack,
a span of its own (mHeap_AllocStack, caller=stack) that allm keeps to the
end; g0's 8 KiB stack comes from the P's stack cache, whose refill takes two
8 KiB slots from the order-2 pool, and that takes a new pool span only when
the pool has fewer free slots than the refill needs (then the g0 gets the new
span's slot, the last one taken, and pins it). The script assumes that every
stack span the log allocates after the first bench_start and never frees
belongs to a new M (a pool span that a goroutine which never exits keeps,
such as a mark worker's 2 KiB stack, would look the same), and that those
less than 1 ms apart are one burst of Ms on one P with no GC between. How
many Ms a burst of S spans is: the one k whose k gsignal spans plus the pool
spans its g0s' refills need make S, counting the order-2 pool's free slots
from 0 at the first benchmark (Go 1.5.1's startup fills its one order-2
span with three Ms' g0 stacks and runtime.main's 8 KiB stack, as
tools/go151/stackpool.patch showed) and giving the burst's cached spare slot
back at the next GC. It assumes that other 8 KiB stacks between bursts (the
Copy benchmarks' launch goroutines) leave the pool's free slots as they
found them, which the stackpool measurement showed for the Copy runs. So AppendGrowByte's two spans are two Ms (the pool had
three free slots: no new pool span), where Append's and AssertE2E2's are one
M and its g0's pool span each. The log has no callers (go1.5.1 calls newm
from startm and from startTheWorldWithSema), so the M is placed at the last
GC event before its first span: "start" after a gc_start, "end" after a
gc_done. The script fails if an M comes more than 1 ms after that event or
after a forced cycle, or if no k fits a burst.

Usage: heap_log_dump LOG | new_ms.py
(bazel build -c opt //tools:heap_log_dump; xz -dc
testdata/go151_heaplog/prefix.hlog.xz > /tmp/p.hlog;
bazel-bin/tools/heap_log_dump /tmp/p.hlog | tools/go151/new_ms.py)
"""
import sys

GROUP_NS = 1_000_000  # stack spans closer than this are one M's
PLACE_NS = 1_000_000  # an M comes at most this long after its GC event


def fields(parts):
    return dict(p.split('=', 1) for p in parts if '=' in p)


def main():
    bench = None
    bench_cycles = 0     # background cycles started since bench_start
    last_gc = None       # (kind, time, cycle ordinal in the benchmark, mode)
    pending = None       # the alloc record before its alloc_done
    live = {}            # page -> (time, bench, last_gc) of stack spans made in the benchmarks
    for line in sys.stdin:
        parts = line.split()
        t, kind = int(parts[0]), parts[1]
        if kind == 'bench_start':
            bench = fields(parts[2:])['name'].strip('"').rsplit('-', 1)[0]
            bench_cycles = 0
            last_gc = None
        elif kind == 'gc_start':
            mode = fields(parts[2:])['mode']
            if mode == 'background':
                bench_cycles += 1
            last_gc = ('start', t, bench_cycles, mode)
        elif kind == 'gc_done' and last_gc is not None:
            last_gc = ('end', t, last_gc[2], last_gc[3])
        elif kind == 'alloc':
            pending = fields(parts[2:])
        elif kind == 'alloc_done' and pending is not None:
            if bench is not None and pending.get('caller') == 'stack':
                live[int(fields(parts[2:])['page'])] = (t, bench, last_gc)
            pending = None
        elif kind == 'free':
            live.pop(int(fields(parts[2:])['page']), None)
    ms = []
    bursts = []
    for page in sorted(live, key=lambda p: live[p][0]):
        t, b, gc = live[page]
        if bursts and t - bursts[-1]['last'] < GROUP_NS and bursts[-1]['bench'] == b:
            bursts[-1]['last'] = t
            bursts[-1]['pages'].append(page)
            continue
        if gc is None or gc[3] != 'background' or t - gc[1] > PLACE_NS:
            sys.exit('new_ms.py: the M at page %d in %s follows no background cycle event '
                     'within 1 ms: %r' % (page, b, gc))
        bursts.append({'bench': b, 'first': t, 'last': t, 'pages': [page], 'gc': gc})
    free = 0  # free order-2 pool slots, with no P caching one (a GC flushed them)
    for burst in bursts:
        fits = []
        for k in range(1, len(burst['pages']) + 1):
            pool, new_spans, cached = free, 0, 0
            for _ in range(k):
                if cached:
                    cached -= 1
                    continue
                for _ in range(2):  # stackcacherefill: two 8 KiB stacks
                    if pool == 0:
                        new_spans += 1
                        pool += 4
                    pool -= 1
                cached = 1
            if k + new_spans == len(burst['pages']):
                fits.append((k, pool + cached))
        if len(fits) != 1:
            sys.exit('new_ms.py: %d stack spans in %s fit %d counts of Ms'
                     % (len(burst['pages']), burst['bench'], len(fits)))
        k, free = fits[0]
        burst['ms'] = k
        for i in range(k):
            ms.append(dict(burst, nth=i + 1))
    for m in ms:
        at, gc_t, n, _ = m['gc']
        print('      // %.1f us after the cycle\'s %s; stack pages %s%s'
              % ((m['first'] - gc_t) / 1000, 'gc_done' if at == 'end' else 'gc_start',
                 ' '.join(str(p) for p in m['pages']),
                 '' if m['ms'] == 1 else ' (M %d of %d)' % (m['nth'], m['ms'])))
        print('      {"%s", %d, /*at_cycle_end=*/%s},'
              % (m['bench'], n, 'true' if at == 'end' else 'false'))


if __name__ == '__main__':
    main()
