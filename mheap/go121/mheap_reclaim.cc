// The page reclaimer of go1.21.0 (21ff9be0eb): mheap.reclaim and
// mheap.reclaimChunk, with the state gcSweep resets and the page marks
// greyobject sets and gcResetMarkState clears.
#include <algorithm>

#include "mheap/go121/mheap.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace go121 {

void MHeap::ResetReclaimer() {
  lock_.Lock();
  sweep_arenas_ = all_arenas_.size();
  reclaim_index_ = 0;
  reclaim_credit_ = 0;
  lock_.Unlock();
}

void MHeap::SetPageMark(const MSpan& s) {
  const PageBit b = PageIndexOf(s.base());
  arenas_.at(ArenaIndex(s.base()))->page_marks[b.byte] |= b.mask;
}

void MHeap::ClearPageMarks() {
  for (uintptr_t ai : all_arenas_) arenas_.at(ai)->page_marks.fill(0);
}

bool MHeap::PageInUse(uintptr_t addr) const {
  const HeapArena* ha = arena(ArenaIndex(addr));
  const PageBit b = PageIndexOf(addr);
  return ha != nullptr && (ha->page_in_use[b.byte] & b.mask) != 0;
}

bool MHeap::PageMarked(uintptr_t addr) const {
  const HeapArena* ha = arena(ArenaIndex(addr));
  const PageBit b = PageIndexOf(addr);
  return ha != nullptr && (ha->page_marks[b.byte] & b.mask) != 0;
}

// mheap.reclaim, go1.21.0.
void MHeap::Reclaim(uintptr_t npage) {
  THP_CHECK(!lock_.held(), "reclaim called with the heap lock held");
  if (reclaim_index_ >= kReclaimDone) return;
  bool locked = false;
  while (npage > 0) {
    // Pages an earlier sweep returned beyond its need pay first.
    if (reclaim_credit_ > 0) {
      const uintptr_t take = std::min(reclaim_credit_, npage);
      reclaim_credit_ -= take;
      npage -= take;
      continue;
    }
    // Claim the next chunk of the snapshot; past its end, the walk is over
    // for this cycle.
    const uint64_t idx = reclaim_index_;
    reclaim_index_ += kPagesPerReclaimerChunk;
    if (idx / kPagesPerArena >= sweep_arenas_) {
      reclaim_index_ = kReclaimDone;
      break;
    }
    if (!locked) {
      lock_.Lock();
      locked = true;
    }
    const uintptr_t nfound = ReclaimChunk(idx, kPagesPerReclaimerChunk);
    if (nfound <= npage) {
      npage -= nfound;
    } else {
      reclaim_credit_ += nfound - npage;
      npage = 0;
    }
  }
  if (locked) lock_.Unlock();
}

// mheap.reclaimChunk, go1.21.0.
uintptr_t MHeap::ReclaimChunk(uint64_t page_idx, uintptr_t n) {
  // The span table may hold stale pointers where spans were freed; only the
  // lock keeps them from changing under the walk.
  lock_.AssertHeld("reclaimChunk");
  uintptr_t freed = 0;
  if (!reclaim_sweeper_->BeginSweep()) return 0;
  while (n > 0) {
    HeapArena& ha = *arenas_.at(all_arenas_[page_idx / kPagesPerArena]);
    const uintptr_t arena_page = page_idx % kPagesPerArena;
    const uintptr_t nbytes = std::min((kPagesPerArena - arena_page) / 8, n / 8);
    const uintptr_t first = arena_page / 8;
    for (uintptr_t i = first; i < first + nbytes; ++i) {
      // An in-use span whose first page is unmarked holds no live object.
      uint8_t unmarked = ha.page_in_use[i] & static_cast<uint8_t>(~ha.page_marks[i]);
      if (unmarked == 0) continue;
      for (unsigned j = 0; j < 8; ++j) {
        if ((unmarked & (1u << j)) == 0) continue;
        MSpan* s = ha.spans[i * 8 + j];
        if (!reclaim_sweeper_->TryAcquire(s)) continue;
        const uintptr_t npages = s->npages;
        lock_.Unlock();
        if (reclaim_sweeper_->Sweep(s, /*preserve=*/false)) freed += npages;
        lock_.Lock();
        // The sweep ran unlocked: read the byte again rather than trust
        // what it said about its neighbours.
        unmarked = ha.page_in_use[i] & static_cast<uint8_t>(~ha.page_marks[i]);
      }
    }
    page_idx += nbytes * 8;
    n -= nbytes * 8;
  }
  return freed;
}

}  // namespace go121
}  // namespace thp
