// The runtime's memstats fields this port maintains (Go 1.5 mstats.go), each
// updated exactly where Go updates it. Invariants (checked by
// MHeap::CheckInvariants): heap_idle + heap_inuse == heap_sys; heap_idle is
// the bytes of free spans; heap_released the bytes of their npreleased pages.
#ifndef THP_MHEAP_GO15_MSTATS_H_
#define THP_MHEAP_GO15_MSTATS_H_

#include <cstdint>

namespace thp {

struct MemStats {
  // Page heap.
  uint64_t heap_sys = 0;       // arena bytes mapped (never decreases in Go 1.5)
  uint64_t heap_idle = 0;      // bytes in free spans, released ones included
  uint64_t heap_inuse = 0;     // bytes in in-use and stack spans
  uint64_t heap_released = 0;  // bytes of free spans counted as returned to the OS
  uint64_t heap_objects = 0;
  uint64_t heap_live = 0;      // GC's view of live heap bytes
  uint64_t heap_scan = 0;
  uint64_t heap_marked = 0;
  uint64_t heap_reachable = 0;
  uint64_t next_gc = 0;
  uint64_t tinyallocs = 0;
  // Stacks.
  uint64_t stacks_inuse = 0;
  uint64_t stacks_sys = 0;
  // Runtime metadata.
  uint64_t mspan_inuse = 0;
  uint64_t mspan_sys = 0;
  uint64_t mcache_inuse = 0;
  uint64_t mcache_sys = 0;
  uint64_t buckhash_sys = 0;
  uint64_t gc_sys = 0;     // the heap bitmap
  uint64_t other_sys = 0;  // the spans array, allspans, persistentalloc chunks
  uint64_t numgc = 0;

  uint64_t Sys() const {
    return heap_sys + stacks_sys + mspan_sys + mcache_sys + buckhash_sys + gc_sys + other_sys;
  }
};

}  // namespace thp

#endif  // THP_MHEAP_GO15_MSTATS_H_
