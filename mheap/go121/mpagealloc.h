// The Go 1.21 page allocator: an address-ordered first-fit allocator of 8 KiB
// pages over per-chunk bitmaps, searched through a five-level radix tree of
// summaries, with the scavenger's per-chunk index and the per-P page cache.
//
// Mirrors pageAlloc of mpagealloc.go and mpagealloc_64bit.go (init, grow,
// sysInit, sysGrow, update, allocRange, findMappedAddr, find, alloc, free,
// enableChunkHugePages), mpagecache.go (pageCache, allocToCache, flush) and
// the page-allocator half of mgcscavenge.go (scavenge, scavengeOne), at
// go1.21.0 = master 21ff9be0eb. The later 1.21 releases change none of this
// code's decisions, only the advice sent where the comments below say so,
// and that advice is the HugePagePolicy's (see mem_linux.h).
//
// Memory: like Go, the summary levels (128 KiB to 512 MiB each) and the
// scavenge index (512 MiB) are PROT_NONE reservations mapped read-write
// piecemeal as the heap grows, and each 8192-chunk block of bitmaps (1 MiB)
// is sysAlloc'd and advised NOHUGEPAGE (HUGEPAGE once the heap goal passed
// 1 GiB). All of it goes through the memory layer, so the VMA census sees
// it; the entries themselves live in MappedArray, backed only where mapped.
//
// Locking follows Go's contracts: functions that say "lock held" check it;
// Scavenge and ScavengeOne take the lock themselves and drop it around the
// madvise calls, as Go does.
#ifndef THP_MHEAP_GO121_MPAGEALLOC_H_
#define THP_MHEAP_GO121_MPAGEALLOC_H_

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "mheap/go121/addr_ranges.h"
#include "mheap/go121/layout.h"
#include "mheap/go121/mapped_array.h"
#include "mheap/go121/mem_linux.h"
#include "mheap/go121/pallocbits.h"
#include "mheap/go121/scavenge_index.h"

namespace thp {
namespace go121 {

class PageAlloc;

// pageCachePages: the 64 pages one pageCache covers.
inline constexpr uintptr_t kPageCachePages = 64;

struct AllocResult {
  uintptr_t base = 0;  // 0: failure
  uintptr_t scav = 0;  // bytes of the run that were scavenged (released)
};

// pageCache: a P's private 64-page, 64-page-aligned block; bits of `cache`
// are free pages, bits of `scav` free pages that are also released.
struct PageCache {
  uintptr_t base = 0;
  uint64_t cache = 0;
  uint64_t scav = 0;

  bool Empty() const { return cache == 0; }
  // alloc: npages contiguous pages from the cache.
  AllocResult Alloc(uintptr_t npages);
  AllocResult AllocN(uintptr_t npages);
  // flush: the free pages go back to p (whose lock is held); the cache
  // becomes empty.
  void Flush(PageAlloc& p);

  friend bool operator==(const PageCache& a, const PageCache& b) {
    return a.base == b.base && a.cache == b.cache && a.scav == b.scav;
  }
};

// What the page allocator needs from the heap it is part of. Go's tests use
// pageAlloc alone (its `test` field); here that is a null environment.
class PageAllocEnv {
 public:
  virtual ~PageAllocEnv() = default;
  // findMappedAddr's fast path: does the arena map have the arena of addr?
  virtual bool ArenaRegistered(uintptr_t addr) const = 0;
  // scavengeOne released nbytes (after sysUnused): gcController.heapReleased
  // += nbytes, heapFree -= nbytes, and the consistent stats.
  virtual void Scavenged(uintptr_t nbytes) = 0;
};

struct FindAddr {
  uintptr_t addr = 0;  // 0: not found
  OffAddr search;      // a valid new searchAddr candidate when found
};

class PageAlloc {
 public:
  // init: reserves the summary levels and the scavenge index. `sys_stat`
  // is the sysMemStat charged for metadata (memstats.gcMiscSys); `env` may
  // be null (standalone use).
  PageAlloc(MemLinux& mem, HeapLock& lock, uint64_t* sys_stat, PageAllocEnv* env);
  // Returns the allocator's reservations and blocks to the kernel. Go never
  // tears a page allocator down outside its tests; a test process here may
  // build several, so they must not leak address space.
  ~PageAlloc();
  PageAlloc(const PageAlloc&) = delete;
  PageAlloc& operator=(const PageAlloc&) = delete;

  // grow: [base, base+size) is new heap memory (Prepared). Lock held.
  void Grow(uintptr_t base, uintptr_t size);
  // alloc: npages contiguous pages, first fit. Lock held.
  AllocResult Alloc(uintptr_t npages);
  // free: npages pages from base become free. Lock held.
  void Free(uintptr_t base, uintptr_t npages);
  // allocRange: marks [base, base+npages pages) in use; returns the
  // scavenged bytes in it. Lock held.
  uintptr_t AllocRange(uintptr_t base, uintptr_t npages);
  // find: the first fit for npages and a new search address. Lock held.
  FindAddr Find(uintptr_t npages);
  // allocToCache (mpagecache.go). Lock held.
  PageCache AllocToCache();
  // A free at base: the search address drops to it if it is lower.
  void LowerSearchAddr(uintptr_t base) {
    if (OffAddr(base).LessThan(search_addr_)) search_addr_ = OffAddr(base);
  }
  // update: recompute the summaries over a changed range. Lock held.
  void Update(uintptr_t base, uintptr_t npages, bool contig, bool alloc);

  // scavenge (mgcscavenge.go): releases at least nbytes, highest addresses
  // first, unless the heap runs out of candidates or should_stop says so;
  // force ignores the density rule. Takes the lock itself.
  uintptr_t Scavenge(uintptr_t nbytes, const std::function<bool()>& should_stop, bool force);
  // scavengeOne: one run from chunk ci, at most about max bytes.
  uintptr_t ScavengeOne(ChunkIdx ci, unsigned search_idx, uintptr_t max);

  // enableChunkHugePages (1f9d80e33165). Takes the lock itself.
  void EnableChunkHugePages();

  // Inspection, for the heap, the checker and the tests.
  PallocData* TryChunkOf(ChunkIdx ci);
  const PallocData* TryChunkOf(ChunkIdx ci) const;
  PallocData& ChunkOf(ChunkIdx ci) { return *TryChunkOf(ci); }
  const PallocData& ChunkOf(ChunkIdx ci) const { return *TryChunkOf(ci); }
  ChunkIdx start() const { return start_; }
  ChunkIdx end() const { return end_; }
  const AddrRanges& in_use() const { return in_use_; }
  OffAddr search_addr() const { return search_addr_; }
  PallocSum Summary(unsigned level, size_t i) const { return summary_[level][i]; }
  size_t SummaryLen(unsigned level) const { return summary_[level].len(); }
  bool SummaryMapped(unsigned level, size_t i) const { return summary_[level].Mapped(i); }
  // The reservation of a summary level.
  uintptr_t SummaryBase(unsigned level) const { return summary_[level].base(); }
  uintptr_t SummaryBytes(unsigned level) const {
    return summary_[level].cap() * kPallocSumBytes;
  }
  // The sysAlloc'd block of bitmaps behind chunks[l1], or 0.
  uintptr_t ChunkBlockAddr(uintptr_t l1) const { return chunk_block_addr_[l1]; }
  ScavengeIndex& scav_index() { return scav_index_; }
  const ScavengeIndex& scav_index() const { return scav_index_; }
  uintptr_t summary_mapped_ready() const { return summary_mapped_ready_; }
  bool chunk_huge_pages() const { return chunk_huge_pages_; }
  HeapLock& lock() { return lock_; }
  MemLinux& mem() { return mem_; }

  // The sizes of the chunk-block level (1 MiB of pallocData per L1 entry).
  static constexpr uintptr_t kChunksPerBlock = uintptr_t{1} << kPallocChunksL2Bits;
  static constexpr uintptr_t kChunkBlockBytes = kChunksPerBlock * sizeof(PallocData);

 private:
  using ChunkBlock = std::array<PallocData, kChunksPerBlock>;

  void SysInit();
  void SysGrow(uintptr_t base, uintptr_t limit);
  OffAddr FindMappedAddr(OffAddr addr) const;
  // A scavenge-index alloc; the chunk's release state decides the advice
  // when the index marks it dense.
  void IndexAlloc(ChunkIdx ci, unsigned npages);
  [[noreturn]] void BadSummary(unsigned level, size_t i, uintptr_t npages) const;

  MemLinux& mem_;
  HeapLock& lock_;
  uint64_t* sys_stat_;
  PageAllocEnv* env_;
  std::array<MappedArray<PallocSum>, kSummaryLevels> summary_;
  std::vector<std::unique_ptr<ChunkBlock>> chunks_;  // the L1 of pageAlloc.chunks
  std::vector<uintptr_t> chunk_block_addr_;          // where each L2 block was mapped
  OffAddr search_addr_;
  ChunkIdx start_, end_;
  AddrRanges in_use_;
  ScavengeIndex scav_index_;
  uintptr_t summary_mapped_ready_ = 0;
  bool chunk_huge_pages_ = false;
};

// addrsToSummaryRange: the entries of `level` covering [base, limit).
void AddrsToSummaryRange(unsigned level, uintptr_t base, uintptr_t limit, size_t* lo, size_t* hi);
// blockAlignSummaryRange.
void BlockAlignSummaryRange(unsigned level, size_t* lo, size_t* hi);

}  // namespace go121
}  // namespace thp

#endif  // THP_MHEAP_GO121_MPAGEALLOC_H_
