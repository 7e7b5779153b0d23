// Go 1.21's per-chunk huge-page bookkeeping (runtime/mgcscavenge.go:
// scavChunkData and scavengeIndex.alloc/free as added by 8fa9e3b for Go 1.21.0,
// pageAlloc.scavengeOne's NOHUGEPAGE before a release; the COLLAPSE on a dense
// chunk from 9f9bb26, Go 1.21.1), grafted onto the Go 1.5 heap for the
// variants that need it (hugepage_eager, collapse, try_collapse).
//
// The arena is cut into 4 MiB chunks of 512 pages. Each counts its pages in
// use, remembers the count of the previous GC generation, and carries a
// "huge" mark, set on new memory. When an allocation takes a chunk past 496
// pages in use and the chunk is not marked, it is marked and the variant's
// dense-chunk advice runs (HUGEPAGE, or COLLAPSE for allocations smaller than
// a chunk). Before the scavenger releases pages of a marked chunk, the
// variant's advice for that runs (NOHUGEPAGE for hugepage_eager) and the mark
// is cleared. A chunk is eligible for scavenging when it is not full and,
// unless forced, its pages in use are below 496 now and, within the same
// generation, were below 496 at the previous generation too: one GC cycle of
// hysteresis.
//
// The hybrid's one rule of its own: Go 1.21 releases page runs within
// chunks, the Go 1.5 heap releases whole spans, so a free span is released
// only when every chunk it touches is eligible.
#ifndef THP_MHEAP_GO15_CHUNKS_H_
#define THP_MHEAP_GO15_CHUNKS_H_

#include <cstdint>
#include <vector>

#include "runtime_port/base/units.h"
#include "runtime_port/mem_linux/mem_linux.h"

namespace thp {

class ChunkTracker {
 public:
  ChunkTracker(uintptr_t arena_start, MemLinux& mem) : arena_start_(arena_start), mem_(mem) {}

  // Pages [base, base + npages) went into use (allocRange).
  void OnAlloc(uintptr_t base, PageCount npages);
  // Pages [base, base + npages) became free.
  void OnFree(uintptr_t base, PageCount npages);
  // A GC cycle ended: the generation advances.
  void NextGeneration() { ++gen_; }
  // May the free span [base, base + npages) be released?
  bool Eligible(uintptr_t base, PageCount npages, bool force);
  // The scavenger is about to release [base, base + npages).
  void BeforeRelease(uintptr_t base, PageCount npages);

  uint64_t InUse(uintptr_t chunk_base);
  bool MarkedHuge(uintptr_t chunk_base);

  // For MHeap::CheckInvariants, which recomputes the counts from the spans:
  // adds the pages of [base, base + npages) to (*pages)[chunk index], and
  // checks that every chunk's pages in use equal the recomputed count.
  void CountPages(uintptr_t base, PageCount npages, std::vector<uint64_t>* pages) const;
  void CheckInUse(const std::vector<uint64_t>& pages) const;

 private:
  struct Chunk {
    uint32_t in_use = 0;
    uint32_t last_in_use = 0;
    uint64_t gen = 0;
    bool huge = true;  // the zero value: new memory, marked huge
  };
  Chunk& At(size_t i);
  template <typename Fn>
  void ForEachChunk(uintptr_t base, PageCount npages, Fn fn) const;
  void Touch(Chunk& c);  // a new generation moves in_use to last_in_use

  const uintptr_t arena_start_;
  MemLinux& mem_;
  std::vector<Chunk> chunks_;
  uint64_t gen_ = 0;
};

}  // namespace thp

#endif  // THP_MHEAP_GO15_CHUNKS_H_
