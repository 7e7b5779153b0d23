#include "scavenger/scavenger.h"

#include "scavenger/gctrace.h"

namespace thp {

uintptr_t HeapScavenge(MHeap& heap, int32_t k, uint64_t now, uint64_t limit,
                       const TraceSink* trace) {
  const uintptr_t released = heap.Scavenge(now, limit);
  if (trace != nullptr && *trace) {
    if (released > 0) (*trace)(ScvgReleasedLine(k, released));
    (*trace)(ScvgStatsLine(k, heap.stats()));
  }
  return released;
}

uintptr_t FreeOSMemory(Runtime& rt, const TraceSink* trace) {
  rt.GC();  // a no-op when GOGC=off, as startGC returns at once
  return HeapScavenge(rt.heap(), -1, ~uint64_t{0}, 0, trace);
}

}  // namespace thp
