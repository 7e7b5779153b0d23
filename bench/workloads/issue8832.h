// Go issue 8832 ("runtime: GC freeing goroutines memory but then taking it
// again", 2014) as a heap program (trace events, trace.h), for measuring how
// much of the memory the scavenger releases khugepaged brings back.
//
// What the issue reports (golang/go#8832 and #9869): a small program
// starts many goroutines and at once uses about 250 MB RES (ps: 258096 KB).
// When the goroutines have ended, their stacks are freed at the next GC, but
// the G structs are never freed (#9869), so the heap becomes "a repeated
// pattern of one page allocated (for Gs) and eight pages free (once used for
// stacks)" (randall77, #9869, 2015-10-16). The scavenger releases the free
// spans with MADV_DONTNEED (RSS 48776 KB, "frees 205 MB"), and then, with no
// Go allocation at all, RSS creeps back to ~250 MB: every 2 MiB region still
// holds a G page, and khugepaged collapses each into a whole huge page
// (kernel bugzilla 93111). The fix was 7e1b61c (Go 1.5): NOHUGEPAGE on
// released ranges.
//
// Modelling choices (the program itself, play.golang.org/p/ircvbhPy3u, was
// not reachable; the numbers below come from the issue's figures):
//  - 100,000 goroutines, each with a 2 KiB stack: Go's minimum stack since
//    6c934238c9 (2014-09-17, before the report's tip of 2014-09-28) and Go
//    1.5's _FixedStack. 100,000 x 2 KiB = 204.8 MB, the "205 MB" the
//    scavenger freed; the stacks plus the G pages make a 224 MiB arena,
//    the reported ~250 MB RES less the binary and runtime metadata.
//  - Each goroutine's G struct is a 272-byte pointerful object: sizeof(G) in
//    Go 1.4's runtime.h (size class 288, 28 per 8 KiB span). Nothing else is
//    tuned: the port's allocators then lay the heap out as the issue says.
//    A G span's 28 goroutines need 1.75 four-page stack spans, so once the
//    stacks are freed the heap is one G page, then 8, 8, 8, 4 free pages,
//    over and over (issue8832_test checks it), and every released 2 MiB
//    region keeps 32 G pages (64 of its 512 4 KiB pages) present.
//  - All goroutines are started on P 0 by the main goroutine, one per
//    microsecond of busy time (the issue: "immediately uses 250 MB"),
//    reported to sysmon in batches of 100.
//  - They block (every P idle) for `blocked_ns`, then end. Go frees a dead
//    G's stack in the next GC's mark termination (shrinkstack, Go 1.4/1.5);
//    here the stacks are freed just before a runtime.GC(), with nothing
//    allocated in between, so the heap ends up the same. The G objects stay
//    live to the end.
//  - Then the program idles (every P idle: main blocks forever) for
//    `idle_ns` while sysmon keeps running: forced GCs and scavenge passes on
//    GODEBUG=scavenge=1's 10 ms / 20 ms clock, which stands for the issue's
//    default 2 min / 5 min (the release came "after about 10 minutes").
#ifndef THP_BENCH_WORKLOADS_ISSUE8832_H_
#define THP_BENCH_WORKLOADS_ISSUE8832_H_

#include <cstdint>
#include <vector>

#include "bench/workloads/trace_format.h"

namespace thp {

struct Issue8832Options {
  int64_t goroutines = 100000;
  uint64_t g_bytes = 272;       // sizeof(G), Go 1.4 runtime.h on amd64
  uint64_t stack_bytes = 2048;  // StackMin since 2014-09-17
  int64_t spawn_ns = 1000;      // busy time per goroutine start
  int64_t blocked_ns = int64_t{100} * 1000000;  // the goroutines' lifetime
  int64_t idle_ns = int64_t{500} * 1000000;     // sysmon keeps running this long
};

// The program as trace events (header not included). Ids: G objects are
// 0..goroutines-1, stacks likewise.
std::vector<TraceEvent> Issue8832Program(const Issue8832Options& o = Issue8832Options());

}  // namespace thp

#endif  // THP_BENCH_WORKLOADS_ISSUE8832_H_
