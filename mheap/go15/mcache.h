// The per-P cache of small-object spans and the tiny block (Go 1.5
// mcache.go), and mallocgc's allocation paths (malloc.go) on top of it.
#ifndef THP_MHEAP_GO15_MCACHE_H_
#define THP_MHEAP_GO15_MCACHE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "mheap/go15/mcentral.h"
#include "mheap/go15/msize.h"

namespace thp {

struct MCache {
  std::array<MSpan*, kNumSizeClasses> alloc{};  // nullptr stands for Go's emptymspan
  uintptr_t tiny = 0;
  uintptr_t tinyoffset = 0;
  uint64_t local_cachealloc = 0;
  uint64_t local_scan = 0;
  uint64_t local_tinyallocs = 0;
};

// What mallocgc asks of the GC model after an allocation.
class GcTrigger {
 public:
  virtual ~GcTrigger() = default;
  // Mirrors "if shouldhelpgc && shouldtriggergc() { startGC(background) }".
  // `new_object` is what mallocgc is about to return: the allocating
  // goroutine holds it, so a cycle started here must treat it as live.
  virtual void AfterMalloc(bool shouldhelpgc, uintptr_t new_object) = 0;
  // Every object mallocgc returns, the tiny allocator's shares of a block
  // too (which return before AfterMalloc's check), before AfterMalloc.
  virtual void NewObject(uintptr_t x) { (void)x; }
  // Whether AfterMalloc and NewObject must see every object (a run of
  // transient allocations is then made one mallocgc at a time).
  virtual bool SeesEachObject() const { return false; }
  // Whether the allocating goroutine must wait before it allocates again
  // (an assist that cannot pay: GcModel::program_waits_for_mark). A run of
  // transient allocations stops there.
  virtual bool ProgramWaits() const { return false; }
};

// The allocator: the central lists, one mcache per P and mallocgc.
class Malloc {
 public:
  // The address Go returns for every 0-byte allocation (&zerobase).
  static constexpr uintptr_t kZeroBase = 0x1000;

  Malloc(MHeap& heap, SpanSweeper& sweeper, GcTrigger& trigger, int nprocs);

  // Mirrors mallocgc, Go 1.5: the address of a new object of `size` bytes
  // on P `p`. `noscan`: the object holds no pointers.
  uintptr_t MallocGC(uintptr_t size, bool noscan, int p);
  // `count` calls of MallocGC(size, noscan, p) whose results nobody keeps:
  // the same decisions in the same order (refills, and the GC triggers
  // they check, happen at the same object), with the objects a cached span
  // still holds taken in one step instead of one call each. Only the
  // refilling call can start a cycle (mallocgc's shouldhelpgc), so nothing
  // between two refills is visible to the GC model. Returns how many it
  // made: all of them, or fewer when an allocation leaves the goroutine
  // waiting (GcTrigger::ProgramWaits), the run ending after it, or, with
  // `stop_before_refill`, fewer when the next one would refill
  // (NeedsRefill): the run ends before it, without making it.
  int64_t MallocGCTransientRun(uintptr_t size, bool noscan, int p, int64_t count,
                               bool stop_before_refill = false);
  // Whether MallocGC(size, noscan, p) called now would take a span from
  // the central lists or the heap (mCache_Refill, or largeAlloc for a
  // large object), either of which may sweep spans itself, rather than an
  // object (or a tiny block's share) its P's cache already holds.
  bool NeedsRefill(uintptr_t size, bool noscan, int p) const;

  // Mirrors mCache_Refill and mCache_ReleaseAll.
  MSpan* Refill(int p, int sizeclass);
  void ReleaseAll(int p);
  void ReleaseAllCaches();

  MCentral& central(int sizeclass) { return *central_[static_cast<size_t>(sizeclass)]; }
  MCache& cache(int p) { return caches_[static_cast<size_t>(p)]; }
  int nprocs() const { return static_cast<int>(caches_.size()); }

 private:
  // Takes the head object of s's free list.
  uintptr_t TakeObject(MSpan* s);
  // Where in the tiny block an object of `size` would start: `off`
  // rounded up to the object's alignment (mallocgc's tiny path).
  static uintptr_t TinyOffset(uintptr_t off, uintptr_t size);
  // Whether c's tiny block has room for `size` bytes at that offset (the
  // tiny path's fast case, which takes no span); the offset in *off.
  static bool FitsTinyBlock(const MCache& c, uintptr_t size, uintptr_t* off);
  // Mirrors largeAlloc, Go 1.5.
  MSpan* LargeAlloc(uintptr_t size, bool needzero);

  MHeap& heap_;
  SpanSweeper& sweeper_;
  GcTrigger& trigger_;
  std::vector<std::unique_ptr<MCentral>> central_;
  std::vector<MCache> caches_;
};

}  // namespace thp

#endif  // THP_MHEAP_GO15_MCACHE_H_
