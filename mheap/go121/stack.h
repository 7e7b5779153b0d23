// Goroutine stack allocation of Go 1.21 (stack.go, linux/amd64; go1.21.0 =
// master 21ff9be0eb): stackalloc and stackfree without a g.
//
// Ported: the global stack pools of orders 0..3 (2, 4, 8, 16 KiB) carved
// from 32 KiB manual spans (allocManual(4 pages, spanAllocStack)), each
// span's LIFO free list, the pool's span list (insert at the front, a span
// leaves it when full), stackpoolfree's immediate return of an empty span
// while the GC is off; the per-P stack caches (refill to half of
// _StackCacheSize, release down to half when full) and stackcache_clear;
// stackLarge (free large stack spans by log2 of their pages, reused before
// allocating, filled only while the GC runs) and freeStackSpans.
//
// Simplified: a stack span's free list and count live in this allocator
// (Go keeps them in mspan.manualFreeList and allocCount), and the stacks
// are not scanned by the GC model (ScannedStackBytes is 0: no goroutine
// runs on them, so no frame is live).
#ifndef THP_MHEAP_GO121_STACK_H_
#define THP_MHEAP_GO121_STACK_H_

#include <array>
#include <cstdint>
#include <list>
#include <vector>

#include "absl/container/btree_map.h"
#include "mheap/go121/mgc.h"
#include "mheap/go121/mheap.h"

namespace thp {
namespace go121 {

inline constexpr uintptr_t kFixedStack = 2048;        // _FixedStack on linux
inline constexpr int kNumStackOrders = 4;             // _NumStackOrders
inline constexpr uintptr_t kStackCacheSize = 32768;   // _StackCacheSize
// stackLarge.free: one list per log2 of a span's pages.
inline constexpr int kStackLargeLists = 64 - kPageShift;

class StackAllocator final : public GcStackHooks {
 public:
  StackAllocator(MHeap& heap, int nprocs);
  StackAllocator(const StackAllocator&) = delete;
  StackAllocator& operator=(const StackAllocator&) = delete;

  // stackalloc(n) on P p (-1: no P, straight from the pool).
  uintptr_t Alloc(uintptr_t n, int p);
  // stackfree of the stack [lo, lo+n) on P p (-1: no P).
  void Free(uintptr_t lo, uintptr_t n, int p);

  // GcStackHooks.
  void SetGcRunning(bool running) override { gc_running_ = running; }
  void FreeStackSpans() override;
  void ClearCache(int p) override;  // stackcache_clear
  uint64_t ScannedStackBytes() const override { return 0; }

  // Spans on stackpool[order]'s list, and in stackLarge.
  size_t PoolSpans(int order) const { return pool_[order].size(); }
  size_t LargeFreeSpans() const;
  // Stacks in P p's cache of `order`.
  size_t CachedStacks(int p, int order) const { return caches_[p][order].list.size(); }

 private:
  struct PoolSpan {
    MSpan* span = nullptr;
    int order = 0;
    std::vector<uintptr_t> free;  // manualFreeList, head at back()
    uint32_t alloc_count = 0;
    bool listed = false;
    std::list<MSpan*>::iterator pos;
  };
  struct CacheEntry {  // stackfreelist
    std::vector<uintptr_t> list;  // head at back()
    uintptr_t size = 0;
  };

  uintptr_t PoolAlloc(int order);           // stackpoolalloc
  void PoolFree(uintptr_t x, int order);    // stackpoolfree
  void CacheRefill(int p, int order);       // stackcacherefill
  void CacheRelease(int p, int order);      // stackcacherelease
  void ListInsert(PoolSpan& ps);
  void ListRemove(PoolSpan& ps);
  PoolSpan& PoolSpanOf(uintptr_t x);

  MHeap& heap_;
  bool gc_running_ = false;
  std::array<std::list<MSpan*>, kNumStackOrders> pool_;  // front = first
  absl::btree_map<uintptr_t, PoolSpan> pool_spans_;         // by span base
  std::vector<std::array<CacheEntry, kNumStackOrders>> caches_;
  std::array<std::list<MSpan*>, kStackLargeLists> large_;    // front = first
};

}  // namespace go121
}  // namespace thp

#endif  // THP_MHEAP_GO121_STACK_H_
