#include "mheap/go121/scavenge_index.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace go121 {

ScavChunkData ScavChunkData::Unpack(uint64_t v) {
  ScavChunkData d;
  d.in_use = static_cast<uint16_t>(v);
  d.last_in_use = static_cast<uint16_t>(v >> 16) & kInUseMask;
  d.gen = static_cast<uint32_t>(v >> 32);
  d.flags = static_cast<uint8_t>(v >> (16 + kLogInUseMax)) & kFlagsMask;
  return d;
}

uint64_t ScavChunkData::Pack() const {
  return uint64_t{in_use} | (uint64_t{last_in_use} << 16) |
         (uint64_t{flags} << (16 + kLogInUseMax)) | (uint64_t{gen} << 32);
}

bool ScavChunkData::ShouldScavenge(uint32_t curr_gen, bool force) const {
  if (IsEmpty()) return false;
  if (force) return true;
  if (gen == curr_gen) {
    // Touched this generation: last_in_use is the count at its start.
    return in_use < kScavChunkHiOccPagesU && last_in_use < kScavChunkHiOccPagesU;
  }
  // Untouched since an older generation: in_use is still current.
  return in_use < kScavChunkHiOccPagesU;
}

void ScavChunkData::Alloc(unsigned npages, uint32_t new_gen) {
  if (in_use + npages > kPallocChunkPagesU) {
    Throw(absl::StrCat("too many pages allocated in chunk? (inUse=", in_use, " npages=", npages,
                       ")"));
  }
  if (gen != new_gen) {
    last_in_use = in_use;
    gen = new_gen;
  }
  in_use = static_cast<uint16_t>(in_use + npages);
  if (in_use == kPallocChunkPagesU) SetEmpty();  // nothing left to scavenge
}

void ScavChunkData::Free(unsigned npages, uint32_t new_gen) {
  if (in_use < npages) {
    Throw(absl::StrCat("allocated pages below zero? (inUse=", in_use, " npages=", npages, ")"));
  }
  if (gen != new_gen) {
    last_in_use = in_use;
    gen = new_gen;
  }
  in_use = static_cast<uint16_t>(in_use - npages);
  SetNonEmpty();
}

uintptr_t ScavengeIndex::Init(MemLinux& mem) {
  mem_ = &mem;
  search_addr_bg_.Clear();
  search_addr_force_.Clear();
  free_hwm_ = kMinOffAddr;
  // sysInit: one entry per chunk of the address space, reserved only.
  const uintptr_t n = (uintptr_t{1} << kHeapAddrBits) / kChunkBytes;
  const uintptr_t r = mem.SysReserve(0, n * kScavChunkDataBytes);
  chunks_.Reserve(r, n);
  chunks_.set_len(n);
  return 0;
}

void ScavengeIndex::InitForTest(ChunkIdx min, ChunkIdx max) {
  chunks_.Reserve(0, AlignUp(max.raw(), kPhysPageSize / kScavChunkDataBytes));
  chunks_.set_len(max.raw());
  // Go's test index is a plain slice of max entries; the entries it can
  // touch are [min, max) and entry 0 (its tests call setEmpty on the 0 that
  // an exhausted find returns).
  chunks_.Map(0, kPhysPageSize);
  chunks_.Map(std::max(kPhysPageSize, AlignDown(min.raw() * kScavChunkDataBytes, kPhysPageSize)),
              AlignUp(max.raw() * kScavChunkDataBytes, kPhysPageSize));
  min_ = min.raw();
  max_ = max.raw();
  min_heap_idx_ = min.raw();
}

uintptr_t ScavengeIndex::Grow(uintptr_t base, uintptr_t limit, uint64_t* sys_stat) {
  // The lowest chunk ever grown; it bounds find's downward walk.
  const uintptr_t base_idx = ChunkIndex(base).raw();
  if (min_heap_idx_ == 0 || base_idx < min_heap_idx_) min_heap_idx_ = base_idx;
  return SysGrow(base, limit, sys_stat);
}

uintptr_t ScavengeIndex::SysGrow(uintptr_t base, uintptr_t limit, uint64_t* sys_stat) {
  if (base % kChunkBytes != 0 || limit % kChunkBytes != 0) {
    Throw(absl::StrFormat("sysGrow bounds not aligned to pallocChunkBytes (base = %#x, limit = "
                          "%#x)",
                          base, limit));
  }
  // The index is mapped from the lowest to the highest chunk ever grown,
  // whole, in page-sized groups of entries.
  constexpr uintptr_t kPerPage = kPhysPageSize / kScavChunkDataBytes;
  const uintptr_t have_min = min_, have_max = max_;
  uintptr_t need_min = AlignDown(ChunkIndex(base).raw(), kPerPage);
  uintptr_t need_max = AlignUp(ChunkIndex(limit).raw(), kPerPage);
  if (need_max < have_min) need_max = have_min;
  if (have_max != 0 && need_min > have_max) need_min = have_max;
  const uintptr_t arr = chunks_.base();
  const AddrRange have(arr + have_min * kScavChunkDataBytes, arr + have_max * kScavChunkDataBytes);
  const AddrRange need = AddrRange(arr + need_min * kScavChunkDataBytes,
                                   arr + need_max * kScavChunkDataBytes)
                             .Subtract(have);  // mapping again would zero it
  if (need.Size() != 0) {
    mem_->SysMap(need.base.addr(), need.Size(), sys_stat);
    chunks_.Map(need.base.addr(), need.limit.addr());
    mem_->SysUsed(need.base.addr(), need.Size(), need.Size());
    if (have_min == 0 || need_min < have_min) min_ = need_min;
    if (have_max == 0 || need_max > have_max) max_ = need_max;
  }
  return need.Size();
}

ScavengeFind ScavengeIndex::Find(bool force) {
  SearchCursor& cursor = force ? search_addr_force_ : search_addr_bg_;
  bool marked = false;
  const uintptr_t search_addr = cursor.Load(&marked);
  if (search_addr == kMinOffAddr.addr()) return {};  // cleared: nothing to do

  THP_CHECK(min_heap_idx_ != 0, "scavenge index searched before any growth");
  const ChunkIdx min(min_heap_idx_);
  const ChunkIdx start = ChunkIndex(search_addr);
  // Chunk 0 is never mapped, so min_heap_idx > 0 ends this walk.
  for (ChunkIdx i = start; i >= min; --i) {
    if (!Load(i).ShouldScavenge(gen_, force)) continue;
    if (i == start) return {i, ChunkPageIndex(search_addr)};
    // Lower the cursor to the top of this chunk. A marked cursor was raised
    // meanwhile by a free or a new generation; only the find that saw the
    // mark may lower it.
    const uintptr_t new_search = ChunkBase(i) + kChunkBytes - kPageSize;
    if (marked) {
      cursor.StoreUnmark(search_addr, new_search);
    } else {
      cursor.StoreMin(new_search);
    }
    return {i, kPallocChunkPagesU - 1};
  }
  cursor.Clear();
  return {};
}

bool ScavengeIndex::Alloc(ChunkIdx ci, unsigned npages) {
  ScavChunkData sc = Load(ci);
  sc.Alloc(npages, gen_);
  bool marked = false;
  if (!sc.IsHugePage() && sc.in_use > kScavChunkHiOccPagesU) {
    sc.SetHugePage();
    marked = true;
  }
  Store(ci, sc);
  return marked;
}

void ScavengeIndex::Free(ChunkIdx ci, unsigned page, unsigned npages) {
  ScavChunkData sc = Load(ci);
  sc.Free(npages, gen_);
  Store(ci, sc);
  // The force cursor (and, at the next generation, the background one) must
  // come back up to cover what was freed.
  const uintptr_t addr = ChunkBase(ci) + uintptr_t{page + npages - 1} * kPageSize;
  if (free_hwm_.LessThan(OffAddr(addr))) free_hwm_ = OffAddr(addr);
  bool marked = false;
  const uintptr_t search_addr = search_addr_force_.Load(&marked);
  if (OffAddr(search_addr).LessThan(OffAddr(addr))) search_addr_force_.StoreMarked(addr);
}

void ScavengeIndex::NextGen() {
  ++gen_;
  bool marked = false;
  const uintptr_t search_addr = search_addr_bg_.Load(&marked);
  if (OffAddr(search_addr).LessThan(free_hwm_)) search_addr_bg_.StoreMarked(free_hwm_.addr());
  free_hwm_ = kMinOffAddr;
}

void ScavengeIndex::SetEmpty(ChunkIdx ci) {
  ScavChunkData sc = Load(ci);
  sc.SetEmpty();
  Store(ci, sc);
}

bool ScavengeIndex::SetNoHugePage(ChunkIdx ci) {
  ScavChunkData sc = Load(ci);
  if (!sc.IsHugePage()) return false;
  sc.SetNoHugePage();
  Store(ci, sc);
  return true;
}

void ScavengeIndex::ResetSearchAddrs() {
  for (SearchCursor* c : {&search_addr_bg_, &search_addr_force_}) {
    bool marked = false;
    const uintptr_t addr = c->Load(&marked);
    if (marked) c->StoreUnmark(addr, addr);
    c->Clear();
  }
  free_hwm_ = kMinOffAddr;
}

}  // namespace go121
}  // namespace thp
