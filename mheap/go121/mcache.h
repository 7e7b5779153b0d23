// The per-P span cache and mallocgc's allocation paths of Go 1.21
// (mcache.go, malloc.go; go1.21.0 = master 21ff9be0eb).
//
// Ported: mcache.refill (heapLive counts the cached span's free slots up
// front), releaseAll (and its undoing of that count), prepareForSweep,
// allocLarge (large spans go on their central's full swept set, where the
// sweeper finds them), nextFree, and mallocgc's size dispatch: the tiny
// allocator (noscan under 16 bytes, 16-byte blocks, Go 1.21's "|| c.tiny ==
// 0" adoption rule), small size classes with noscan span classes, large
// objects of whole pages.
//
// Simplified: there are no types, so a pointerful object is scannable over
// its whole size (scanAlloc), memory is not zeroed, and there is no
// profiling, assist credit or user arena.
#ifndef THP_MHEAP_GO121_MCACHE_H_
#define THP_MHEAP_GO121_MCACHE_H_

#include <array>
#include <cstdint>
#include <vector>

#include "mheap/go121/mgcpacer.h"
#include "mheap/go121/mgcsweep.h"
#include "mheap/go121/mheap.h"
#include "mheap/go121/sizeclasses.h"

namespace thp {
namespace go121 {

struct MCache {
  std::array<MSpan*, kNumSpanClasses> alloc{};  // nullptr stands for emptymspan
  uintptr_t tiny = 0;
  uintptr_t tinyoffset = 0;
  uint64_t tiny_allocs = 0;
  uint64_t scan_alloc = 0;
  uint32_t flush_gen = 0;
};

// What mallocgc asks of the GC after an allocation.
class GcTrigger {
 public:
  virtual ~GcTrigger() = default;
  // "if shouldhelpgc { if gcTrigger{kind: gcTriggerHeap}.test() { gcStart } }".
  // `new_object` is what mallocgc is about to return; a cycle started here
  // must treat it as live.
  virtual void AfterMalloc(bool shouldhelpgc, uintptr_t new_object) = 0;
};

class Malloc {
 public:
  // The address Go returns for every 0-byte allocation (&zerobase).
  static constexpr uintptr_t kZeroBase = 0x1000;

  // allocmcache for each of `nprocs` Ps (flushGen = sweepgen).
  Malloc(MHeap& heap, Sweeper& sweeper, GcController& pacer, GcTrigger& trigger, int nprocs);

  // mallocgc, go1.21.0: the address of a new object of `size` bytes on P p.
  uintptr_t MallocGC(uintptr_t size, bool noscan, int p);
  // `count` calls of MallocGC whose results are dropped at once, with the
  // same decisions: while P p's cached span of the size's class has free
  // slots, a stretch of them is taken in one step (nextFreeFast never
  // refills and never asks for a GC); each refill, and the GC check after
  // it, is an ordinary MallocGC. Tiny and large sizes go one by one.
  void MallocGCTransientRun(uintptr_t size, bool noscan, int p, int64_t count);

  // mcache.refill, releaseAll, prepareForSweep.
  void Refill(int p, SpanClass spc);
  void ReleaseAll(int p);
  void PrepareForSweep(int p);

  MCache& cache(int p) { return caches_[static_cast<size_t>(p)]; }
  const MCache& cache(int p) const { return caches_[static_cast<size_t>(p)]; }
  int nprocs() const { return static_cast<int>(caches_.size()); }

 private:
  // mcache.nextFree: a free slot of c.alloc[spc], refilling if the span is
  // full; returns its address and sets *shouldhelpgc on a refill.
  uintptr_t NextFree(int p, SpanClass spc, bool* shouldhelpgc);
  // mcache.allocLarge.
  MSpan* AllocLarge(uintptr_t size, bool noscan);

  MHeap& heap_;
  Sweeper& sweeper_;
  GcController& pacer_;
  GcTrigger& trigger_;
  std::vector<MCache> caches_;
};

}  // namespace go121
}  // namespace thp

#endif  // THP_MHEAP_GO121_MCACHE_H_
