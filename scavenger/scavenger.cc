#include "scavenger/scavenger.h"

namespace thp {

uintptr_t HeapScavenge(MHeap& heap, int32_t k, uint64_t now, uint64_t limit,
                       const GcTraceWriter* gctrace) {
  const uintptr_t released = heap.Scavenge(k, now, limit);
  // mHeap_Scavenge, Go 1.5 mheap.go: under gctrace the "released" line only
  // when the pass released something, the stats line after every pass.
  if (gctrace != nullptr && *gctrace) {
    if (released > 0) (*gctrace)(ScvgReleasedLine(k, released));
    (*gctrace)(ScvgStatsLine(k, heap.stats()));
  }
  return released;
}

uintptr_t HeapScavengeAll(MHeap& heap, const GcTraceWriter* gctrace) {
  return HeapScavenge(heap, -1, ~uint64_t{0}, 0, gctrace);
}

uintptr_t FreeOSMemory(Runtime& rt, const GcTraceWriter* gctrace) {
  rt.GC();  // a no-op when GOGC=off, as startGC returns at once
  return HeapScavengeAll(rt.heap(), gctrace);
}

}  // namespace thp
