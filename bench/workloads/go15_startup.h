// Go 1.5.1's startup heap: what runtime.test's page heap held when its first
// benchmark began (runtime init, package inits, the testing package's flag
// parsing and benchmark list), as a heap program the Go 1.5 suite runs once
// before its first benchmark. Its objects and goroutines are never let go,
// so its spans stay where Go's stayed for the whole suite: pinned pages at
// the bottom of the arena among which the benchmarks' spans come and go.
//
// Where it comes from: the recorded run testdata/go151_heaplog/prefix.hlog.xz
// (records before the first bench_start and the first GC cycle), turned into
// the table in go15_startup.cc by tools/go151/startup_heap.py, whose comment
// says how objects are spread over the spans (the log gives spans, heap_live
// and heap_marked, not objects). In Go 1.5.1 the spans come from schedinit
// (mcommoninit's gsignal stack for m0, goargs, goenvs, procresize's ps),
// rt0_go's newproc(runtime.main) (the 2 KiB stack pool and allgs), newm's
// m, g0 and gsignal for sysmon and later Ms, the runtime goroutines
// runtime.main starts (forcegchelper, bgsweep, runfinq) and the package inits
// and testing.Main that main.main runs.
//
// The compromise: a stack span other than the goroutines' pool span is one
// 32 KiB stack (the same four pages, not the pool's slots), and the objects
// of a span whose fill the log does not give are an even share of its slots.
#ifndef THP_BENCH_WORKLOADS_GO15_STARTUP_H_
#define THP_BENCH_WORKLOADS_GO15_STARTUP_H_

#include <cstdint>
#include <vector>

#include <string>

#include "bench/workloads/trace_format.h"
#include "mheap/go15/mheap.h"

namespace thp {

// One span Go 1.5.1 took before its first benchmark, in the order it took it.
struct StartupSpan {
  enum Kind {
    kSmall,       // an mcentral span of `sizeclass`
    kStack,       // a stack span: one stack of npages pages
    kGoroutines,  // newproc(runtime.main)'s stack pool span: `objects` goroutines
  };
  Kind kind;
  int sizeclass;  // kSmall
  int npages;     // the span's pages
  int objects;    // kSmall: objects allocated in it; kGoroutines: goroutines started
  int live;       // kSmall: of them live all suite; kStack: 1 kept all suite, 0 freed
                  // before the first benchmark (as Go's first GC freed it)
};

// The recorded startup's spans, in order (43: 36 small, 7 stack).
const std::vector<StartupSpan>& Go151StartupSpans();

// Trace ids of the startup program (objects, stacks and goroutines) start
// here, far above any benchmark program's (run_program.h numbers from 1).
inline constexpr uint64_t kStartupIdBase = 1000000000000000;  // 1e15

// The startup as trace events on P 0, at once (no time passes): each span's
// allocations in the table's order, then the drops and the stack frees of
// what Go's first GC found dead. The Go 1.5 heap's size classes (msize.h)
// give each object its bytes.
std::vector<TraceEvent> Go151StartupProgram();

// The heap's in-use and stack spans in the notation the startup table's
// comments and its tests use: "page:sizeclass/npages" ("page:stack/npages"
// for a stack span), the page counted from arena_start, in address order.
std::vector<std::string> SpanLayout(const MHeap& heap);

}  // namespace thp

#endif  // THP_BENCH_WORKLOADS_GO15_STARTUP_H_
