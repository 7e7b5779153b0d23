// MHeap::CheckInvariants: everything cached recomputed from the bitmaps and
// the spans, and compared.
#include <algorithm>
#include <array>
#include <map>
#include <string>

#include "absl/strings/str_format.h"
#include "mheap/go121/mheap.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace go121 {
namespace {

void Fail(const std::string& what) { Throw(absl::StrCat("go121 heap invariant: ", what)); }

unsigned Popcount(uint64_t x) { return static_cast<unsigned>(__builtin_popcountll(x)); }

}  // namespace

void MHeap::CheckInvariants() const {
  if (lock_.held()) Fail("checked with the heap lock held");
  const PageAlloc& p = pages_;
  const ScavengeIndex& index = p.scav_index();

  // Pages held by page caches: allocated in the bitmaps, free in the stats.
  // Two Ps may cache pages of one block (one freed a page there after the
  // other took the block), never the same page.
  std::map<uintptr_t, uint64_t> caches;  // block base -> cached pages
  uint64_t cached = 0, cached_scav = 0;
  for (const PState& ps : ps_) {
    if (ps.pcache.Empty()) continue;
    if (ps.pcache.scav & ~ps.pcache.cache) Fail("page cache has scavenged bits on pages it lacks");
    uint64_t& bits = caches[ps.pcache.base];
    if (bits & ps.pcache.cache) Fail("a page in two page caches");
    bits |= ps.pcache.cache;
    const PallocData* d = p.TryChunkOf(ChunkIndex(ps.pcache.base));
    if (d == nullptr ||
        (d->Pages64(ChunkPageIndex(ps.pcache.base)) & ps.pcache.cache) != ps.pcache.cache) {
      Fail("a cached page free in the bitmap");
    }
    cached += Popcount(ps.pcache.cache);
    cached_scav += Popcount(ps.pcache.scav);
  }

  // Chunks: bitmaps against the leaf summaries and the scavenge index.
  uint64_t free_pages = 0, scav_pages = 0, grown_pages = 0;
  for (const AddrRange& r : p.in_use().ranges()) {
    for (ChunkIdx c = ChunkIndex(r.base.addr()); c < ChunkIndex(r.limit.addr()); ++c) {
      const PallocData* d = p.TryChunkOf(c);
      if (d == nullptr) Fail(absl::StrFormat("chunk %#x in use but has no bitmap", c.raw()));
      grown_pages += kPallocChunkPagesU;
      for (size_t k = 0; k < kPageBitsWords; ++k) {
        if (d->scavenged.word(k) & d->word(k)) {
          Fail(absl::StrFormat("chunk %#x: pages both in use and scavenged", c.raw()));
        }
      }
      const unsigned used = d->PopcntRange(0, kPallocChunkPagesU);
      const unsigned scav = d->scavenged.PopcntRange(0, kPallocChunkPagesU);
      free_pages += kPallocChunkPagesU - used;
      scav_pages += scav;
      if (p.Summary(kSummaryLevels - 1, c.raw()) != d->Summarize()) {
        Fail(absl::StrFormat("chunk %#x: leaf summary differs from its bitmap", c.raw()));
      }
      const ScavChunkData sc = index.Load(c);
      if (sc.in_use != used) {
        Fail(absl::StrFormat("chunk %#x: scavenge index counts %u pages in use, bitmap %u",
                             c.raw(), sc.in_use, used));
      }
      // A full chunk has nothing to scavenge. (The converse does not hold in
      // Go: scavengeOne marks a chunk empty after searching only at and
      // below its search index, see Go121HeapTest.BackgroundPassHides...)
      if (used == kPallocChunkPagesU && !sc.IsEmpty()) {
        Fail(absl::StrFormat("chunk %#x: full but not marked empty for the scavenger", c.raw()));
      }
      if (sc.gen > index.gen()) Fail("chunk generation ahead of the index");
    }
  }
  // Upper summary levels: each entry the merge of its children.
  for (int l = static_cast<int>(kSummaryLevels) - 2; l >= 0; --l) {
    for (const AddrRange& r : p.in_use().ranges()) {
      size_t lo, hi;
      AddrsToSummaryRange(static_cast<unsigned>(l), r.base.addr(), r.limit.addr(), &lo, &hi);
      for (size_t i = lo; i < hi; ++i) {
        PallocSum children[8];
        const size_t first = i << kLevelBits[l + 1];
        for (size_t k = 0; k < 8; ++k) children[k] = p.Summary(l + 1, first + k);
        if (MergeSummaries(children, 8, kLevelLogPages[l + 1]) != p.Summary(l, i)) {
          Fail(absl::StrFormat("summary[%d][%d] differs from the merge of its children", l, i));
        }
      }
    }
  }
  // Everything below the search address is in use.
  const OffAddr search = p.search_addr();
  for (const AddrRange& r : p.in_use().ranges()) {
    for (ChunkIdx c = ChunkIndex(r.base.addr()); c < ChunkIndex(r.limit.addr()); ++c) {
      const uintptr_t base = ChunkBase(c);
      if (!OffAddr(base).LessThan(search)) break;
      const uintptr_t below = search.Diff(OffAddr(base)) / kPageSize;
      const unsigned n = below >= kPallocChunkPagesU ? kPallocChunkPagesU : static_cast<unsigned>(below);
      if (n > 0 && p.ChunkOf(c).PopcntRange(0, n) != n) {
        Fail(absl::StrFormat("a free page in chunk %#x below the search address %#x", c.raw(),
                             search.addr()));
      }
    }
  }

  // Spans: in-use pages of the bitmaps, the span table, no overlap, no
  // page also in a page cache.
  uint64_t heap_bytes = 0, manual_bytes = 0, span_pages = 0, heap_pages = 0;
  for (const MSpan& s : span_structs_) {
    if (s.state == SpanState::kDead) continue;
    span_pages += s.npages;
    if (s.state == SpanState::kInUse) {
      heap_bytes += s.npages * kPageSize;
      heap_pages += s.npages;
    } else {
      manual_bytes += s.npages * kPageSize;
    }
    for (uintptr_t a = s.base(); a < s.limit(); a += kPageSize) {
      if (p.ChunkOf(ChunkIndex(a)).Get(ChunkPageIndex(a)) == 0) {
        Fail(absl::StrFormat("span page %#x free in the bitmap", a));
      }
      const HeapArena* ha = arena(ArenaIndex(a));
      if (ha == nullptr || ha->spans[(a / kPageSize) % kPagesPerArena] != &s) {
        Fail(absl::StrFormat("span table at %#x does not point at its span", a));
      }
      auto it = caches.find(AlignDown(a, kPageCachePages * kPageSize));
      if (it != caches.end() && (it->second >> ((a / kPageSize) % kPageCachePages) & 1)) {
        Fail(absl::StrFormat("page %#x both in a span and in a page cache", a));
      }
    }
  }
  // Every allocated page is in a span or a page cache (the scavenger's
  // temporary allocations exist only while it holds no lock between steps).
  const uint64_t used_pages = grown_pages - free_pages;
  if (used_pages != span_pages + cached) {
    Fail(absl::StrFormat("%d pages in use in the bitmaps, %d in spans and %d in page caches",
                         used_pages, span_pages, cached));
  }
  if (heap_pages != pages_in_use_) Fail("pagesInUse differs from the in-use spans");

  // The page reclaimer's bitmaps: pageInUse is exactly the first pages of
  // in-use spans. A page mark sits only on such a page (a span with a live
  // object is not freed before the next mark clears the marks), and every
  // span with a marked object has one, or the reclaimer would free it.
  std::map<uintptr_t, std::array<uint8_t, kPagesPerArena / 8>> in_use_bits;
  for (uintptr_t ai : all_arenas_) in_use_bits[ai].fill(0);
  for (const MSpan& s : span_structs_) {
    if (s.state != SpanState::kInUse) continue;
    const PageBit b = PageIndexOf(s.base());
    in_use_bits[ArenaIndex(s.base())][b.byte] |= b.mask;
    const bool marked = std::find(s.gcmark_bits.begin(), s.gcmark_bits.end(), true) !=
                        s.gcmark_bits.end();
    if (marked && !PageMarked(s.base())) {
      Fail(absl::StrFormat("span at %#x has marked objects but no page mark", s.base()));
    }
  }
  for (const auto& [ai, bits] : in_use_bits) {
    const HeapArena& ha = *arenas_.at(ai);
    for (uintptr_t i = 0; i < bits.size(); ++i) {
      if (ha.page_in_use[i] != bits[i]) {
        Fail(absl::StrFormat("arena %#x: pageInUse byte %d is %#x, the spans say %#x", ai, i,
                             ha.page_in_use[i], bits[i]));
      }
      if ((ha.page_marks[i] & ~bits[i]) != 0) {
        Fail(absl::StrFormat("arena %#x: pageMarks byte %d (%#x) marks no in-use span start", ai,
                             i, ha.page_marks[i]));
      }
    }
  }
  if (sweep_arenas_ > all_arenas_.size()) Fail("sweepArenas longer than allArenas");
  if (reclaim_index_ != kReclaimDone &&
      (reclaim_index_ % kPagesPerReclaimerChunk != 0 ||
       reclaim_index_ > uint64_t{sweep_arenas_} * kPagesPerArena)) {
    Fail(absl::StrFormat("reclaimIndex %d is not a chunk of the %d arenas swept", reclaim_index_,
                         sweep_arenas_));
  }

  // The statistics.
  auto eq = [](const char* what, uint64_t got, uint64_t want) {
    if (got != want) Fail(absl::StrFormat("%s = %d, recomputed %d", what, got, want));
  };
  eq("heapReleased", stats_.heap_released, (scav_pages + cached_scav) * kPageSize);
  eq("heapFree", stats_.heap_free,
     (free_pages - scav_pages + cached - cached_scav) * kPageSize);
  eq("heapInUse", stats_.heap_in_use, heap_bytes);
  eq("heapStats.inHeap", static_cast<uint64_t>(stats_.in_heap), heap_bytes);
  eq("manual spans", static_cast<uint64_t>(stats_.in_stacks + stats_.in_ptr_scalar_bits +
                                           stats_.in_work_bufs),
     manual_bytes);
  eq("heapStats.released", static_cast<uint64_t>(stats_.released), stats_.heap_released);
  eq("heapStats.committed + released", static_cast<uint64_t>(stats_.committed + stats_.released),
     grown_pages * kPageSize);
  eq("grown heap", p.in_use().total_bytes(), grown_pages * kPageSize);
  // mappedReady: metadata plus the committed heap (mstats.go's check).
  eq("mappedReady", mem_.mapped_ready(),
     stats_.gc_misc_sys + static_cast<uint64_t>(stats_.committed));
  eq("metadata", stats_.gc_misc_sys, p.summary_mapped_ready() + arena_meta_bytes_ + [&] {
       uint64_t blocks = 0;
       for (uintptr_t l1 = 0; l1 < (uintptr_t{1} << kPallocChunksL1Bits); ++l1) {
         if (p.ChunkBlockAddr(l1) != 0) blocks += PageAlloc::kChunkBlockBytes;
       }
       return blocks;
     }());
  // The heap's address space: every sysMap'd byte is either grown into the
  // page allocator or still ahead in the current arena.
  if (cur_arena_base_ > cur_arena_end_) Fail("curArena base past its end");
}

}  // namespace go121
}  // namespace thp
