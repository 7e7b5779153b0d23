// pageCache and pageAlloc.allocToCache of Go 1.21's mpagecache.go (go1.21.0 =
// 21ff9be0eb; 1.21.1-1.21.3 send COLLAPSE from allocToCache's index update
// too, through the policy, since the cache takes at most 64 pages).
#include "mheap/go121/mpagealloc.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace go121 {

AllocResult PageCache::Alloc(uintptr_t npages) {
  if (cache == 0) return {};
  if (npages == 1) {
    const unsigned i = static_cast<unsigned>(__builtin_ctzll(cache));
    const uint64_t was_scav = (scav >> i) & 1;
    cache &= ~(uint64_t{1} << i);  // in use now
    scav &= ~(uint64_t{1} << i);
    return {base + uintptr_t{i} * kPageSize, was_scav * kPageSize};
  }
  return AllocN(npages);
}

AllocResult PageCache::AllocN(uintptr_t npages) {
  const unsigned i = FindBitRange64(cache, static_cast<unsigned>(npages));
  if (i >= 64) return {};
  const uint64_t mask = (npages == 64 ? ~uint64_t{0} : (uint64_t{1} << npages) - 1) << i;
  const uintptr_t scav_pages = static_cast<uintptr_t>(__builtin_popcountll(scav & mask));
  cache &= ~mask;
  scav &= ~mask;
  return {base + uintptr_t{i} * kPageSize, scav_pages * kPageSize};
}

void PageCache::Flush(PageAlloc& p) {
  p.lock().AssertHeld("pageCache.flush");
  if (Empty()) return;
  const ChunkIdx ci = ChunkIndex(base);
  const unsigned pi = ChunkPageIndex(base);
  // Rare enough to go page by page.
  for (unsigned i = 0; i < 64; ++i) {
    if (cache & (uint64_t{1} << i)) {
      p.ChunkOf(ci).Free1(pi + i);
      p.scav_index().Free(ci, pi + i, 1);
    }
    if (scav & (uint64_t{1} << i)) p.ChunkOf(ci).scavenged.SetRange(pi + i, 1);
  }
  p.LowerSearchAddr(base);  // like a free
  p.Update(base, kPageCachePages, /*contig=*/false, /*alloc=*/false);
  *this = PageCache();
}

PageCache PageAlloc::AllocToCache() {
  lock_.AssertHeld("pageAlloc.allocToCache");
  if (ChunkIndex(search_addr_.addr()) >= end_) return {};
  PageCache c;
  ChunkIdx ci = ChunkIndex(search_addr_.addr());
  PallocData* chunk;
  if (!summary_[kSummaryLevels - 1][ci.raw()].full()) {
    // Free pages at or near the search address.
    chunk = &ChunkOf(ci);
    const unsigned j = chunk->Find(1, ChunkPageIndex(search_addr_.addr())).index;
    if (j == kNotFound) Throw("bad summary data");
    c.base = ChunkBase(ci) + AlignDown(j, 64) * kPageSize;
    c.cache = ~chunk->Pages64(j);
    c.scav = chunk->scavenged.Block64(j);
  } else {
    const FindAddr f = Find(1);
    if (f.addr == 0) {
      search_addr_ = kMaxOffAddr;  // out of memory
      return {};
    }
    ci = ChunkIndex(f.addr);
    chunk = &ChunkOf(ci);
    c.base = AlignDown(f.addr, 64 * kPageSize);
    c.cache = ~chunk->Pages64(ChunkPageIndex(f.addr));
    c.scav = chunk->scavenged.Block64(ChunkPageIndex(f.addr));
  }
  // Take the free pages of the block; only the free ones lose their
  // scavenged bits (the cache remembers them).
  const unsigned cpi = ChunkPageIndex(c.base);
  chunk->AllocPages64(cpi, c.cache);
  chunk->scavenged.ClearBlock64(cpi, c.cache & c.scav);
  Update(c.base, kPageCachePages, /*contig=*/false, /*alloc=*/true);
  IndexAlloc(ci, static_cast<unsigned>(__builtin_popcountll(c.cache)));
  // The next search starts at the block's last page: the page after it may
  // not be mapped heap memory.
  search_addr_ = OffAddr(c.base + kPageSize * (kPageCachePages - 1));
  return c;
}

}  // namespace go121
}  // namespace thp
