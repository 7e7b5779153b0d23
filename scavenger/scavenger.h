// The release side of Go 1.5 (mheap.go): mHeap_Scavenge with its gctrace
// lines, and runtime/debug.FreeOSMemory. Which spans are released, and in
// which order, is MHeap::Scavenge (scavengelist); this adds the trace and
// the forced-GC-then-release-everything of FreeOSMemory.
#ifndef THP_SCAVENGER_SCAVENGER_H_
#define THP_SCAVENGER_SCAVENGER_H_

#include <cstdint>

#include "mheap/go15/runtime.h"
#include "scavenger/gctrace.h"

namespace thp {

// Mirrors mHeap_Scavenge(k, now, limit), Go 1.5. Writes the scvg lines to
// `gctrace` when it is set (GODEBUG gctrace > 0). Returns the bytes released.
uintptr_t HeapScavenge(MHeap& heap, int32_t k, uint64_t now, uint64_t limit,
                       const GcTraceWriter* gctrace);

// FreeOSMemory's pass, mHeap_Scavenge(-1, ^uint64(0), 0): every free span
// with an unreleased page is released whatever its age.
uintptr_t HeapScavengeAll(MHeap& heap, const GcTraceWriter* gctrace);

// Mirrors runtime/debug.FreeOSMemory, Go 1.5: a forced GC that sweeps
// everything (skipped if GOGC=off), then HeapScavengeAll. The cycle is the
// Runtime's, its world stopped for no time (Go15HeapRuntime's lets it pass
// on the clock).
uintptr_t FreeOSMemory(Runtime& rt, const GcTraceWriter* gctrace);

}  // namespace thp

#endif  // THP_SCAVENGER_SCAVENGER_H_
