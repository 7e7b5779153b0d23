#include "mheap/heap_runtime/go121_heap_runtime.h"

#include "mheap/go121/gctrace.h"

#include <algorithm>

#include "mheap/go121/layout.h"

namespace thp {

Go121HeapRuntime::Go121HeapRuntime(std::unique_ptr<go121::Runtime> rt, int64_t start_ns,
                                   const GcTraceWriter* gctrace, const GcTraceWriter* scavtrace)
    : ForwardingHeapRuntime(std::move(rt)) {
  if (gctrace != nullptr && *gctrace) {
    // gcMarkTermination's line at the end of every cycle, runtimeInitTime
    // being the runtime's start; forcegchelper's line before its gcStart.
    const int procs = rt_->gomaxprocs();
    rt_->gc().set_on_cycle([gctrace, start_ns, procs](const go121::GcCycle& c) {
      (*gctrace)(go121::GcLine(c, start_ns, procs));
    });
    rt_->gc().set_on_force_gc([gctrace] { (*gctrace)("GC forced"); });
  }
  if (scavtrace != nullptr && *scavtrace) {
    rt_->set_scavtrace([scavtrace](const std::string& line) { (*scavtrace)(line); });
  }
}

std::pair<uintptr_t, uintptr_t> Go121HeapRuntime::ArenaRange() const {
  const go121::MHeap& h = rt_->heap();
  uintptr_t lo = h.cur_arena_base();
  for (uintptr_t i : h.all_arenas()) lo = std::min(lo, go121::ArenaBase(i));
  return {lo, std::max(lo, h.cur_arena_end())};
}

int64_t Go121HeapRuntime::FreeOSMemory(const std::function<void(int64_t)>& set_clock) {
  (void)set_clock;
  rt_->FreeOSMemory();
  ReportScavenges();
  return 0;
}

int64_t Go121HeapRuntime::RunUntil(int64_t until, bool idle,
                                   const std::function<void(int64_t)>& set_clock) {
  rt_->RunUntil(until, idle, set_clock);
  ReportScavenges();
  return until;
}

void Go121HeapRuntime::ReportScavenges() {
  const int64_t passes = rt_->scavenge_passes();
  if (passes == passes_reported_) return;
  passes_reported_ = passes;
  if (on_scavenge_) on_scavenge_();
}

HeapFigures Go121HeapRuntime::Figures() const {
  const go121::HeapStats& s = rt_->heap().stats();
  HeapFigures f;
  f.heap_inuse = s.heap_in_use;
  f.heap_released = s.heap_released;
  f.heap_sys = s.heap_in_use + s.heap_free + s.heap_released;
  f.gc_cycles = rt_->gc().cycles().size();
  f.scavenge_passes = rt_->scavenge_passes();
  return f;
}

}  // namespace thp
