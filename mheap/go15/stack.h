// Goroutine stacks as Go 1.5 allocates them (stack1.go): stacks of 2, 4, 8
// and 16 KiB come from a global pool per order, carved out of 32 KiB
// (4-page) stack spans, through per-P caches refilled and released 16 KiB at
// a time; stacks of 32 KiB and more are whole stack spans. A stack span that
// empties goes back to the heap at once when no GC is running, else at the
// end of the cycle (FreeStackSpans), and so do large stacks.
//
// The per-P stack caches live here rather than in MCache; they are indexed
// by P the same way.
#ifndef THP_MHEAP_GO15_STACK_H_
#define THP_MHEAP_GO15_STACK_H_

#include <array>
#include <cstdint>
#include <vector>

#include "mheap/go15/mheap.h"
#include "mheap/go15/mspan.h"

namespace thp {

inline constexpr uintptr_t kFixedStack = 2048;
inline constexpr int kNumStackOrders = 4;
inline constexpr uintptr_t kStackCacheSize = 32 << 10;

class StackAllocator {
 public:
  StackAllocator(MHeap& heap, int nprocs);
  StackAllocator(const StackAllocator&) = delete;
  StackAllocator& operator=(const StackAllocator&) = delete;

  // Mirrors stackalloc, Go 1.5: the low address of a new stack of n bytes (a
  // power of two) for a goroutine on P `p` (-1: no P, use the global pool).
  uintptr_t Alloc(uintptr_t n, int p);
  // Mirrors stackfree, Go 1.5.
  void Free(uintptr_t lo, uintptr_t n, int p);
  // Mirrors freeStackSpans, Go 1.5 (end of a GC cycle).
  void FreeStackSpans();
  // Mirrors stackcache_clear for P p.
  void ClearCache(int p);

  // The GC model says when a cycle is running (gcphase != _GCoff).
  void set_gc_running(bool running) { gc_running_ = running; }

  size_t PoolSpans(int order) const { return pool_[static_cast<size_t>(order)].CountSlow(); }
  size_t QueuedSpans() const { return free_queue_.CountSlow(); }
  uintptr_t CachedBytes(int p, int order) const;

 private:
  struct CacheList {
    std::vector<uintptr_t> list;  // back() is the head
    uintptr_t size = 0;
  };
  static int OrderOf(uintptr_t n);
  uintptr_t PoolAlloc(int order);
  void PoolFree(uintptr_t x, int order);
  void CacheRefill(int p, int order);
  void CacheRelease(int p, int order);

  MHeap& heap_;
  std::array<MSpanList, kNumStackOrders> pool_;
  MSpanList free_queue_;
  std::vector<std::array<CacheList, kNumStackOrders>> cache_;
  bool gc_running_ = false;
};

}  // namespace thp

#endif  // THP_MHEAP_GO15_STACK_H_
