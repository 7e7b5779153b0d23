// The scavenger's per-chunk index of Go 1.21 (mgcscavenge.go's
// scavengeIndex, scavChunkData, scavChunkFlags; mpagealloc_64bit.go's
// scavengeIndex.sysInit/sysGrow), at go1.21.0 (21ff9be0eb).
//
// For every 4 MiB chunk the index keeps its pages in use, the count at the
// start of the current GC generation, the generation it was last touched in,
// and two flags whose zero value describes fresh memory: "nothing left to
// scavenge" is clear (fresh memory counts as scavenged, so the scavenger may
// visit it) and "no huge page" is clear (fresh memory is marked dense/huge).
//
// The huge-page mark is the same in every 1.21 release; what the runtime
// does when it flips differs, and is the caller's business: Alloc returns
// true when it marks a chunk dense (1.21.0 advises HUGEPAGE, 1.21.1-1.21.3
// COLLAPSE for allocations under 512 pages, 1.21.4+ nothing), SetNoHugePage
// returns true when it cleared the mark (1.21.0 advises NOHUGEPAGE; later
// releases ignore it: 9f9bb26880 made setNoHugePage return nothing).
//
// A chunk is worth a scavenger visit when something in it is free and not
// yet scavenged, and, unless forced, when it was below 496 pages in use
// (96.875%) both now and at the start of this generation: one GC cycle of
// hysteresis before a dense chunk is broken up.
#ifndef THP_MHEAP_GO121_SCAVENGE_INDEX_H_
#define THP_MHEAP_GO121_SCAVENGE_INDEX_H_

#include <cstdint>

#include "mheap/go121/addr_ranges.h"
#include "mheap/go121/layout.h"
#include "mheap/go121/mapped_array.h"
#include "mheap/go121/mem_linux.h"

namespace thp {
namespace go121 {

// scavChunkHiOccPages: uint16(0.96875 * 512).
inline constexpr unsigned kScavChunkHiOccPagesU = 496;

// scavChunkData, unpacked.
struct ScavChunkData {
  static constexpr uint8_t kHasFree = 1;     // scavChunkHasFree
  static constexpr uint8_t kNoHugePage = 2;  // scavChunkNoHugePage
  static constexpr unsigned kLogInUseMax = kLogPallocChunkPages + 1;  // logScavChunkInUseMax
  static constexpr uint16_t kInUseMask = (1u << kLogInUseMax) - 1;
  static constexpr uint8_t kFlagsMask = (1u << 6) - 1;  // scavChunkMaxFlags = 6

  uint16_t in_use = 0;
  uint16_t last_in_use = 0;
  uint32_t gen = 0;
  uint8_t flags = 0;

  static ScavChunkData Unpack(uint64_t v);
  uint64_t Pack() const;

  bool IsEmpty() const { return (flags & kHasFree) == 0; }
  void SetEmpty() { flags &= ~kHasFree; }
  void SetNonEmpty() { flags |= kHasFree; }
  bool IsHugePage() const { return (flags & kNoHugePage) == 0; }
  void SetHugePage() { flags &= ~kNoHugePage; }
  void SetNoHugePage() { flags |= kNoHugePage; }

  // shouldScavenge.
  bool ShouldScavenge(uint32_t curr_gen, bool force) const;
  // alloc / free: npages taken or returned in generation new_gen.
  void Alloc(unsigned npages, uint32_t new_gen);
  void Free(unsigned npages, uint32_t new_gen);

  friend bool operator==(const ScavChunkData& a, const ScavChunkData& b) {
    return a.in_use == b.in_use && a.last_in_use == b.last_in_use && a.gen == b.gen &&
           a.flags == b.flags;
  }
};

struct ScavengeFind {
  ChunkIdx ci;          // 0: nothing to scavenge
  unsigned page = 0;    // where to start searching in the chunk
};

class ScavengeIndex {
 public:
  // init + sysInit: reserves the per-chunk array for the whole 48-bit
  // address space (512 MiB, PROT_NONE) through `mem`. Returns the bytes it
  // made Ready (none).
  uintptr_t Init(MemLinux& mem);
  // NewScavengeIndex of export_test.go: an index over [min, max) whose
  // array is plain memory, for the index's own tests.
  void InitForTest(ChunkIdx min, ChunkIdx max);

  // grow: the heap grew by [base, limit) (chunk aligned); maps index
  // memory through `mem` and returns the bytes made Ready.
  uintptr_t Grow(uintptr_t base, uintptr_t limit, uint64_t* sys_stat);
  // sysGrow alone (pageAlloc.sysGrow calls it too: Go maps the index from
  // both places, the second call finding nothing left to map).
  uintptr_t SysGrow(uintptr_t base, uintptr_t limit, uint64_t* sys_stat);

  // find: the highest chunk that may hold pages to scavenge, and the page
  // to start from; ci = 0 when the heap is exhausted for now.
  ScavengeFind Find(bool force);
  // alloc: npages of chunk ci went into use. True if this made the chunk
  // dense and marked it (the caller's release state decides the advice).
  bool Alloc(ChunkIdx ci, unsigned npages);
  // free: npages from page `page` of chunk ci became free.
  void Free(ChunkIdx ci, unsigned page, unsigned npages);
  // nextGen: a GC cycle ended (mark termination).
  void NextGen();
  // setEmpty: the scavenger found nothing more in ci.
  void SetEmpty(ChunkIdx ci);
  // setNoHugePage (1.21.0 form): clears the dense mark; true if it was set.
  bool SetNoHugePage(ChunkIdx ci);

  ScavChunkData Load(ChunkIdx ci) const { return ScavChunkData::Unpack(chunks_[ci.raw()]); }
  // The export_test.go helper: both cursors cleared, marks dropped.
  void ResetSearchAddrs();

  uint32_t gen() const { return gen_; }
  uintptr_t min() const { return min_; }
  uintptr_t max() const { return max_; }
  uintptr_t min_heap_idx() const { return min_heap_idx_; }
  // The reservation of the per-chunk array.
  uintptr_t array_base() const { return chunks_.base(); }
  uintptr_t array_bytes() const { return chunks_.cap() * kScavChunkDataBytes; }

 private:
  void Store(ChunkIdx ci, const ScavChunkData& d) { chunks_[ci.raw()] = d.Pack(); }

  MemLinux* mem_ = nullptr;
  MappedArray<uint64_t> chunks_;
  uintptr_t min_ = 0, max_ = 0;  // chunk indices whose entries are mapped
  uintptr_t min_heap_idx_ = 0;
  SearchCursor search_addr_bg_;
  SearchCursor search_addr_force_;
  OffAddr free_hwm_ = kMinOffAddr;
  uint32_t gen_ = 0;
};

}  // namespace go121
}  // namespace thp

#endif  // THP_MHEAP_GO121_SCAVENGE_INDEX_H_
