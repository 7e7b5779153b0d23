#include "mheap/go15/chunks.h"

#include <algorithm>

#include "absl/strings/str_format.h"

#include "runtime_port/base/check.h"

namespace thp {

ChunkTracker::Chunk& ChunkTracker::At(size_t i) {
  if (i >= chunks_.size()) chunks_.resize(i + 1);
  return chunks_[i];
}

template <typename Fn>
void ChunkTracker::ForEachChunk(uintptr_t base, PageCount npages, Fn fn) const {
  const uintptr_t end = base + npages.bytes();
  for (uintptr_t a = base; a < end;) {
    const size_t i = (a - arena_start_) / kPallocChunkBytes;
    const uintptr_t chunk_end = arena_start_ + (i + 1) * kPallocChunkBytes;
    const uintptr_t stop = std::min(end, chunk_end);
    fn(i, arena_start_ + i * kPallocChunkBytes, static_cast<uint32_t>((stop - a) / kPageSize));
    a = stop;
  }
}

void ChunkTracker::Touch(Chunk& c) {
  if (c.gen != gen_) {
    c.last_in_use = c.in_use;
    c.gen = gen_;
  }
}

void ChunkTracker::OnAlloc(uintptr_t base, PageCount npages) {
  ForEachChunk(base, npages, [&](size_t i, uintptr_t chunk, uint32_t pages) {
    Chunk& c = At(i);
    Touch(c);
    c.in_use += pages;
    THP_CHECK(c.in_use <= kPallocChunkPages, "chunk has more pages in use than pages");
    if (!c.huge && c.in_use > kScavChunkHiOccPages) {
      c.huge = true;
      // Go's allocRange passes scavengeIndex.alloc each chunk's share of the
      // allocation, not its whole length, so a large allocation's partial
      // first and last chunks can still be collapsed.
      mem_.ChunkBecameDense(chunk, pages);
    }
  });
}

void ChunkTracker::OnFree(uintptr_t base, PageCount npages) {
  ForEachChunk(base, npages, [&](size_t i, uintptr_t, uint32_t pages) {
    Chunk& c = At(i);
    Touch(c);
    THP_CHECK(c.in_use >= pages, "chunk frees more pages than it has in use");
    c.in_use -= pages;
  });
}

bool ChunkTracker::Eligible(uintptr_t base, PageCount npages, bool force) {
  bool ok = true;
  ForEachChunk(base, npages, [&](size_t i, uintptr_t, uint32_t) {
    Chunk& c = At(i);
    if (c.in_use == kPallocChunkPages) {
      ok = false;  // no free page in it
    } else if (!force) {
      const bool dense_now = c.in_use >= kScavChunkHiOccPages;
      const bool dense_before = c.gen == gen_ && c.last_in_use >= kScavChunkHiOccPages;
      if (dense_now || dense_before) ok = false;
    }
  });
  return ok;
}

void ChunkTracker::BeforeRelease(uintptr_t base, PageCount npages) {
  ForEachChunk(base, npages, [&](size_t i, uintptr_t chunk, uint32_t) {
    Chunk& c = At(i);
    if (c.huge) {
      c.huge = false;
      mem_.BeforeChunkScavenge(chunk);
    }
  });
}

uint64_t ChunkTracker::InUse(uintptr_t chunk_base) {
  return At((chunk_base - arena_start_) / kPallocChunkBytes).in_use;
}

bool ChunkTracker::MarkedHuge(uintptr_t chunk_base) {
  return At((chunk_base - arena_start_) / kPallocChunkBytes).huge;
}

void ChunkTracker::CountPages(uintptr_t base, PageCount npages,
                              std::vector<uint64_t>* pages) const {
  ForEachChunk(base, npages, [&](size_t i, uintptr_t, uint32_t n) {
    if (i >= pages->size()) pages->resize(i + 1);
    (*pages)[i] += n;
  });
}

void ChunkTracker::CheckInUse(const std::vector<uint64_t>& pages) const {
  const size_t n = std::max(pages.size(), chunks_.size());
  for (size_t i = 0; i < n; ++i) {
    const uint64_t want = i < pages.size() ? pages[i] : 0;
    const uint64_t got = i < chunks_.size() ? chunks_[i].in_use : 0;
    THP_CHECK(got == want, absl::StrFormat("chunk %d at %#x counts %d pages in use, its spans hold %d",
                                           i, arena_start_ + i * kPallocChunkBytes, got, want));
  }
}

}  // namespace thp
