#include "mheap/go121/mpagealloc.h"

#include <cstdio>

#include "absl/strings/str_format.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace go121 {

static_assert(sizeof(PallocData) == 128, "pallocData is two 512-bit bitmaps");
static_assert(PageAlloc::kChunkBlockBytes == uintptr_t{1} << 20, "1 MiB chunk blocks");

namespace {

// offAddrToLevelIndex and levelIndexToOffAddr.
size_t OffAddrToLevelIndex(unsigned level, OffAddr addr) {
  return static_cast<size_t>((addr.addr() - kArenaBaseOffset) >> kLevelShift[level]);
}
OffAddr LevelIndexToOffAddr(unsigned level, size_t idx) {
  return OffAddr((uintptr_t{idx} << kLevelShift[level]) + kArenaBaseOffset);
}

}  // namespace

void AddrsToSummaryRange(unsigned level, uintptr_t base, uintptr_t limit, size_t* lo,
                         size_t* hi) {
  // limit is exclusive; shift its last byte and add one, so a limit on a
  // summary boundary does not take the next summary in.
  *lo = static_cast<size_t>((base - kArenaBaseOffset) >> kLevelShift[level]);
  *hi = static_cast<size_t>(((limit - 1) - kArenaBaseOffset) >> kLevelShift[level]) + 1;
}

void BlockAlignSummaryRange(unsigned level, size_t* lo, size_t* hi) {
  const uintptr_t e = uintptr_t{1} << kLevelBits[level];
  *lo = AlignDown(*lo, e);
  *hi = AlignUp(*hi, e);
}

PageAlloc::PageAlloc(MemLinux& mem, HeapLock& lock, uint64_t* sys_stat, PageAllocEnv* env)
    : mem_(mem),
      lock_(lock),
      sys_stat_(sys_stat),
      env_(env),
      chunks_(uintptr_t{1} << kPallocChunksL1Bits),
      chunk_block_addr_(uintptr_t{1} << kPallocChunksL1Bits, 0) {
  static_assert(kLevelLogPages[0] <= PallocSum::kLogMaxPackedValue,
                "root level max pages doesn't fit in summary");
  SysInit();
  search_addr_ = kMaxOffAddr;  // no free memory yet
  summary_mapped_ready_ += scav_index_.Init(mem);
}

PageAlloc::~PageAlloc() {
  Kernel& k = mem_.kernel();
  for (unsigned l = 0; l < kSummaryLevels; ++l) {
    k.Munmap(summary_[l].base(), AlignUp(summary_[l].cap() * kPallocSumBytes, kPhysPageSize));
  }
  k.Munmap(scav_index_.array_base(), scav_index_.array_bytes());
  for (uintptr_t a : chunk_block_addr_) {
    if (a != 0) k.Munmap(a, kChunkBlockBytes);
  }
}

void PageAlloc::SysInit() {
  for (unsigned l = 0; l < kSummaryLevels; ++l) {
    const size_t entries = size_t{1} << (kHeapAddrBits - kLevelShift[l]);
    const uintptr_t bytes = AlignUp(entries * kPallocSumBytes, kPhysPageSize);
    const uintptr_t r = mem_.SysReserve(0, bytes);
    if (r == 0) Throw("failed to reserve page summary memory");
    summary_[l].Reserve(r, entries);
  }
}

PallocData* PageAlloc::TryChunkOf(ChunkIdx ci) {
  ChunkBlock* block = chunks_[ci.l1()].get();
  return block == nullptr ? nullptr : &(*block)[ci.l2()];
}

const PallocData* PageAlloc::TryChunkOf(ChunkIdx ci) const {
  const ChunkBlock* block = chunks_[ci.l1()].get();
  return block == nullptr ? nullptr : &(*block)[ci.l2()];
}

void PageAlloc::Grow(uintptr_t base, uintptr_t size) {
  lock_.AssertHeld("pageAlloc.grow");
  // Whole chunks only.
  const uintptr_t limit = AlignUp(base + size, kChunkBytes);
  base = AlignDown(base, kChunkBytes);

  SysGrow(base, limit);
  summary_mapped_ready_ += scav_index_.Grow(base, limit, sys_stat_);

  const bool first_growth = start_.raw() == 0;
  const ChunkIdx start = ChunkIndex(base), end = ChunkIndex(limit);
  if (first_growth || start < start_) start_ = start;
  if (end > end_) end_ = end;
  // Growth never overlaps memory the allocator already has.
  in_use_.Add(AddrRange(base, limit));
  // Like a free: new memory below the search address lowers it.
  if (OffAddr(base).LessThan(search_addr_)) search_addr_ = OffAddr(base);

  for (ChunkIdx c = ChunkIndex(base); c < ChunkIndex(limit); ++c) {
    if (chunks_[c.l1()] == nullptr) {
      const uintptr_t r = mem_.SysAlloc(kChunkBlockBytes, sys_stat_);
      if (r == 0) Throw("pageAlloc: out of memory");
      if (chunk_huge_pages_) {
        mem_.SysHugePage(r, kChunkBlockBytes, AdviceSite::kMetadata);
      } else {
        mem_.SysNoHugePage(r, kChunkBlockBytes, AdviceSite::kMetadata);
      }
      chunks_[c.l1()] = std::make_unique<ChunkBlock>();
      chunk_block_addr_[c.l1()] = r;
    }
    // New memory counts as scavenged.
    ChunkOf(c).scavenged.SetRange(0, kPallocChunkPagesU);
  }
  // The grown range is free; note Go passes the aligned base with the
  // caller's size here and to the huge-page advice below.
  Update(base, size / kPageSize, /*contig=*/true, /*alloc=*/false);
  // go1.21.0: sysHugePage on all new memory (hugepage_eager); later
  // releases dropped it (9f9bb26880).
  mem_.HeapGrown(base, size);
}

void PageAlloc::EnableChunkHugePages() {
  lock_.Lock();
  if (chunk_huge_pages_) {
    lock_.Unlock();
    return;
  }
  chunk_huge_pages_ = true;
  // Go clones p.inUse here, then iterates p.inUse itself after unlocking.
  const AddrRanges in_use = in_use_;
  lock_.Unlock();
  // Go's loop stops short of the L1 entry holding each range's last chunk
  // (`<`, not `<=`), so a heap within one 32 GiB L1 entry gets no call at
  // all; and a 1 MiB block holds no whole 2 MiB huge page, so sysHugePage
  // rounds any call away. Both kept as in go1.21.x (still so on master).
  for (const AddrRange& r : in_use_.ranges()) {
    for (uintptr_t i = ChunkIndex(r.base.addr()).l1(); i < ChunkIndex(r.limit.addr() - 1).l1();
         ++i) {
      mem_.SysHugePage(chunk_block_addr_[i], kChunkBlockBytes, AdviceSite::kMetadata);
    }
  }
  (void)in_use;
}

void PageAlloc::Update(uintptr_t base, uintptr_t npages, bool contig, bool alloc) {
  lock_.AssertHeld("pageAlloc.update");
  const uintptr_t limit = base + npages * kPageSize - 1;  // inclusive
  const ChunkIdx sc = ChunkIndex(base), ec = ChunkIndex(limit);
  MappedArray<PallocSum>& leaf = summary_[kSummaryLevels - 1];

  if (sc == ec) {
    // One chunk: if its summary did not change, neither did anything above.
    const PallocSum y = ChunkOf(sc).Summarize();
    if (leaf[sc.raw()] == y) return;
    leaf[sc.raw()] = y;
  } else if (contig) {
    // The chunks strictly inside a contiguous change are now all free or
    // all in use.
    leaf[sc.raw()] = ChunkOf(sc).Summarize();
    for (ChunkIdx c = sc + 1; c < ec; ++c) {
      leaf[c.raw()] = alloc ? PallocSum() : FreeChunkSum();
    }
    leaf[ec.raw()] = ChunkOf(ec).Summarize();
  } else {
    for (ChunkIdx c = sc; c <= ec; ++c) leaf[c.raw()] = ChunkOf(c).Summarize();
  }

  // Walk up the tree while something changes.
  bool changed = true;
  for (int l = static_cast<int>(kSummaryLevels) - 2; l >= 0 && changed; --l) {
    changed = false;
    const unsigned log_entries_per_block = kLevelBits[l + 1];
    const unsigned log_max_pages = kLevelLogPages[l + 1];
    size_t lo, hi;
    AddrsToSummaryRange(static_cast<unsigned>(l), base, limit + 1, &lo, &hi);
    for (size_t i = lo; i < hi; ++i) {
      PallocSum children[size_t{1} << kSummaryLevelBits];
      const size_t first = i << log_entries_per_block;
      const size_t n = size_t{1} << log_entries_per_block;
      for (size_t k = 0; k < n; ++k) children[k] = summary_[l + 1][first + k];
      const PallocSum sum = MergeSummaries(children, n, log_max_pages);
      if (summary_[l][i] != sum) {
        changed = true;
        summary_[l][i] = sum;
      }
    }
  }
}

void PageAlloc::IndexAlloc(ChunkIdx ci, unsigned npages) {
  if (scav_index_.Alloc(ci, npages)) mem_.ChunkBecameDense(ChunkBase(ci), npages);
}

uintptr_t PageAlloc::AllocRange(uintptr_t base, uintptr_t npages) {
  lock_.AssertHeld("pageAlloc.allocRange");
  const uintptr_t limit = base + npages * kPageSize - 1;
  const ChunkIdx sc = ChunkIndex(base), ec = ChunkIndex(limit);
  const unsigned si = ChunkPageIndex(base), ei = ChunkPageIndex(limit);

  uintptr_t scav = 0;
  if (sc == ec) {
    PallocData& chunk = ChunkOf(sc);
    scav += chunk.scavenged.PopcntRange(si, ei + 1 - si);
    chunk.AllocRange(si, ei + 1 - si);
    IndexAlloc(sc, ei + 1 - si);
  } else {
    PallocData& first = ChunkOf(sc);
    scav += first.scavenged.PopcntRange(si, kPallocChunkPagesU - si);
    first.AllocRange(si, kPallocChunkPagesU - si);
    IndexAlloc(sc, kPallocChunkPagesU - si);
    for (ChunkIdx c = sc + 1; c < ec; ++c) {
      PallocData& chunk = ChunkOf(c);
      scav += chunk.scavenged.PopcntRange(0, kPallocChunkPagesU);
      chunk.AllocAll();
      IndexAlloc(c, kPallocChunkPagesU);
    }
    PallocData& last = ChunkOf(ec);
    scav += last.scavenged.PopcntRange(0, ei + 1);
    last.AllocRange(0, ei + 1);
    IndexAlloc(ec, ei + 1);
  }
  Update(base, npages, /*contig=*/true, /*alloc=*/true);
  return scav * kPageSize;
}

OffAddr PageAlloc::FindMappedAddr(OffAddr addr) const {
  lock_.AssertHeld("pageAlloc.findMappedAddr");
  // Outside tests Go first asks the arena map; an address in a registered
  // arena is returned as is, even if the page allocator has not grown
  // that far into the arena yet.
  if (env_ != nullptr && env_->ArenaRegistered(addr.addr())) return addr;
  uintptr_t v = 0;
  if (in_use_.FindAddrGreaterEqual(addr.addr(), &v)) return OffAddr(v);
  return kMaxOffAddr;
}

void PageAlloc::BadSummary(unsigned level, size_t i, uintptr_t npages) const {
  std::fprintf(stderr, "runtime: summary[%u][%zu] = (%u, %u, %u), npages = %lu\n", level, i,
               summary_[level][i].start(), summary_[level][i].max(), summary_[level][i].end(),
               static_cast<unsigned long>(npages));
  Throw("bad summary data");
}

FindAddr PageAlloc::Find(uintptr_t npages) {
  lock_.AssertHeld("pageAlloc.find");
  // The first free page is known to lie in [first_base, first_bound]; the
  // window narrows as the search descends into a summary with free pages,
  // and stops narrowing once the search must look across summaries.
  OffAddr first_base = kMinOffAddr, first_bound = kMaxOffAddr;
  auto found_free = [&](OffAddr addr, uintptr_t size) {
    if (first_base.LessEqual(addr) && addr.Add(size - 1).LessEqual(first_bound)) {
      first_base = addr;
      first_bound = addr.Add(size - 1);
    } else if (!(addr.Add(size - 1).LessThan(first_base) || first_bound.LessThan(addr))) {
      Throw(absl::StrFormat("range partially overlaps (addr = %#x, size = %d)", addr.addr(),
                            size));
    }
  };

  size_t i = 0;  // first entry of the block searched at this level
  size_t last_idx = 0;
  for (unsigned l = 0; l < kSummaryLevels; ++l) {
    const size_t per_block = size_t{1} << kLevelBits[l];
    const unsigned log_max_pages = kLevelLogPages[l];
    i <<= kLevelBits[l];
    if (i + per_block > summary_[l].len()) {
      Throw(absl::StrFormat("slice bounds out of range [:%d] with capacity %d", i + per_block,
                            summary_[l].len()));
    }
    // Start at the search address if it lies in this block.
    size_t j0 = 0;
    const size_t search_idx = OffAddrToLevelIndex(l, search_addr_);
    if ((search_idx & ~(per_block - 1)) == i) j0 = search_idx & (per_block - 1);

    // A run of free pages crossing entries: `base` is its first page
    // relative to the block, `size` its length so far.
    uint64_t base = 0, size = 0;
    bool descend = false;
    for (size_t j = j0; j < per_block; ++j) {
      const PallocSum sum = summary_[l][i + j];
      if (sum.full()) {
        size = 0;
        continue;
      }
      found_free(LevelIndexToOffAddr(l, i + j), (uintptr_t{1} << log_max_pages) * kPageSize);
      const uint64_t s = sum.start();
      if (size + s >= npages) {
        if (size == 0) base = uint64_t{j} << log_max_pages;
        size += s;
        break;
      }
      if (sum.max() >= npages) {
        // The run is inside this entry: search its block one level down.
        i += j;
        last_idx = i;
        descend = true;
        break;
      }
      if (size == 0 || s < (uint64_t{1} << log_max_pages)) {
        // Not wholly free: a new run can only begin at its end.
        size = sum.end();
        base = ((uint64_t{j} + 1) << log_max_pages) - size;
        continue;
      }
      size += uint64_t{1} << log_max_pages;  // wholly free: the run goes on
    }
    if (descend) continue;
    if (size >= npages) {
      const uintptr_t addr = LevelIndexToOffAddr(l, i).Add(base * kPageSize).addr();
      return {addr, FindMappedAddr(first_base)};
    }
    if (l == 0) return {0, kMaxOffAddr};  // the heap has no such run
    // The level above promised a run this block does not have.
    BadSummary(l - 1, last_idx, npages);
  }

  // The leaf summary's max says the run is inside chunk i.
  const ChunkIdx ci(i);
  const FindResult r = ChunkOf(ci).Find(npages, 0);
  if (r.index == kNotFound) BadSummary(kSummaryLevels - 1, i, npages);
  const uintptr_t addr = ChunkBase(ci) + uintptr_t{r.index} * kPageSize;
  const uintptr_t search = ChunkBase(ci) + uintptr_t{r.new_search} * kPageSize;
  found_free(OffAddr(search), ChunkBase(ci + 1) - search);
  return {addr, FindMappedAddr(first_base)};
}

AllocResult PageAlloc::Alloc(uintptr_t npages) {
  lock_.AssertHeld("pageAlloc.alloc");
  // A search address past every chunk means the heap is full.
  if (ChunkIndex(search_addr_.addr()) >= end_) return {};

  uintptr_t addr = 0;
  OffAddr search = kMinOffAddr;
  // Fast path: the chunk at the search address may hold the run.
  if (kPallocChunkPagesU - ChunkPageIndex(search_addr_.addr()) >= npages) {
    const ChunkIdx i = ChunkIndex(search_addr_.addr());
    const unsigned max = summary_[kSummaryLevels - 1][i.raw()].max();
    if (max >= npages) {
      const FindResult r = ChunkOf(i).Find(npages, ChunkPageIndex(search_addr_.addr()));
      if (r.index == kNotFound) BadSummary(kSummaryLevels - 1, i.raw(), npages);
      addr = ChunkBase(i) + uintptr_t{r.index} * kPageSize;
      search = OffAddr(ChunkBase(i) + uintptr_t{r.new_search} * kPageSize);
    }
  }
  if (addr == 0) {
    const FindAddr f = Find(npages);
    if (f.addr == 0) {
      // No single free page anywhere: the heap is exhausted. A larger
      // request may just lack a long enough run.
      if (npages == 1) search_addr_ = kMaxOffAddr;
      return {};
    }
    addr = f.addr;
    search = f.search;
  }
  const uintptr_t scav = AllocRange(addr, npages);
  // Everything below a higher search address is known to be in use.
  if (search_addr_.LessThan(search)) search_addr_ = search;
  return {addr, scav};
}

void PageAlloc::Free(uintptr_t base, uintptr_t npages) {
  lock_.AssertHeld("pageAlloc.free");
  if (OffAddr(base).LessThan(search_addr_)) search_addr_ = OffAddr(base);
  const uintptr_t limit = base + npages * kPageSize - 1;
  if (npages == 1) {
    const ChunkIdx i = ChunkIndex(base);
    const unsigned pi = ChunkPageIndex(base);
    ChunkOf(i).Free1(pi);
    scav_index_.Free(i, pi, 1);
  } else {
    const ChunkIdx sc = ChunkIndex(base), ec = ChunkIndex(limit);
    const unsigned si = ChunkPageIndex(base), ei = ChunkPageIndex(limit);
    if (sc == ec) {
      ChunkOf(sc).Free(si, ei + 1 - si);
      scav_index_.Free(sc, si, ei + 1 - si);
    } else {
      ChunkOf(sc).Free(si, kPallocChunkPagesU - si);
      scav_index_.Free(sc, si, kPallocChunkPagesU - si);
      for (ChunkIdx c = sc + 1; c < ec; ++c) {
        ChunkOf(c).FreeAll();
        scav_index_.Free(c, 0, kPallocChunkPagesU);
      }
      ChunkOf(ec).Free(0, ei + 1);
      scav_index_.Free(ec, 0, ei + 1);
    }
  }
  Update(base, npages, /*contig=*/true, /*alloc=*/false);
}

void PageAlloc::SysGrow(uintptr_t base, uintptr_t limit) {
  if (base % kChunkBytes != 0 || limit % kChunkBytes != 0) {
    Throw(absl::StrFormat("sysGrow bounds not aligned to pallocChunkBytes (base = %#x, limit = "
                          "%#x)",
                          base, limit));
  }
  // The block-aligned summary entries covering an address range, and the
  // page-aligned part of a level's array holding them.
  auto entries_for = [](unsigned l, const AddrRange& r, size_t* lo, size_t* hi) {
    AddrsToSummaryRange(l, r.base.addr(), r.limit.addr(), lo, hi);
    BlockAlignSummaryRange(l, lo, hi);
  };
  auto bytes_for = [&](unsigned l, size_t lo, size_t hi) {
    const uintptr_t arr = summary_[l].base();
    return AddrRange(arr + AlignDown(lo * kPallocSumBytes, kPhysPageSize),
                     arr + AlignUp(hi * kPallocSumBytes, kPhysPageSize));
  };
  auto range_bytes = [&](unsigned l, const AddrRange& r) {
    size_t lo, hi;
    entries_for(l, r, &lo, &hi);
    return bytes_for(l, lo, hi);
  };

  // The neighbours this growth falls between; their summary pages are
  // mapped already, and page rounding may make them overlap ours.
  const size_t succ = in_use_.FindSucc(base);
  for (unsigned l = 0; l < kSummaryLevels; ++l) {
    size_t need_lo, need_hi;
    entries_for(l, AddrRange(base, limit), &need_lo, &need_hi);
    if (need_hi > summary_[l].len()) summary_[l].set_len(need_hi);
    AddrRange need = bytes_for(l, need_lo, need_hi);
    if (succ > 0) need = need.Subtract(range_bytes(l, in_use_.ranges()[succ - 1]));
    if (succ < in_use_.ranges().size()) need = need.Subtract(range_bytes(l, in_use_.ranges()[succ]));
    if (need.Size() == 0) continue;
    mem_.SysMap(need.base.addr(), need.Size(), sys_stat_);
    summary_[l].Map(need.base.addr(), need.limit.addr());
    mem_.SysUsed(need.base.addr(), need.Size(), need.Size());
    summary_mapped_ready_ += need.Size();
  }
  summary_mapped_ready_ += scav_index_.SysGrow(base, limit, sys_stat_);
}

}  // namespace go121
}  // namespace thp
