// The page allocator's half of Go 1.21's mgcscavenge.go: pageAlloc.scavenge
// and pageAlloc.scavengeOne (go1.21.0 = 21ff9be0eb; in 1.21.1+ the
// NOHUGEPAGE before a release is gone, which is the policy's business).
#include <functional>

#include "mheap/go121/mpagealloc.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace go121 {

uintptr_t PageAlloc::Scavenge(uintptr_t nbytes, const std::function<bool()>& should_stop,
                              bool force) {
  uintptr_t released = 0;
  while (released < nbytes) {
    const ScavengeFind f = scav_index_.Find(force);
    if (f.ci.raw() == 0) break;
    released += ScavengeOne(f.ci, f.page, nbytes - released);
    if (should_stop && should_stop()) break;
  }
  return released;
}

uintptr_t PageAlloc::ScavengeOne(ChunkIdx ci, unsigned search_idx, uintptr_t max) {
  // max may be ~0: round up to pages without overflowing.
  uintptr_t max_pages = max / kPageSize;
  if (max % kPageSize != 0) ++max_pages;
  // Whole physical pages only (one runtime page holds two of them here).
  uintptr_t min_pages = kPhysPageSize / kPageSize;
  if (min_pages < 1) min_pages = 1;

  lock_.Lock();
  if (summary_[kSummaryLevels - 1][ci.raw()].max() >= min_pages) {
    const PageRun run = ChunkOf(ci).FindScavengeCandidate(search_idx, min_pages, max_pages);
    if (run.npages != 0) {
      const uintptr_t addr = ChunkBase(ci) + uintptr_t{run.start} * kPageSize;
      const uintptr_t nbytes = uintptr_t{run.npages} * kPageSize;
      // Hide the run from allocators while the lock is dropped; only the
      // bitmap and summaries, not the scavenge index.
      ChunkOf(ci).AllocRange(run.start, run.npages);
      Update(addr, run.npages, /*contig=*/true, /*alloc=*/true);
      // The chunk's huge page is about to be broken: clear the dense mark.
      const bool was_huge = scav_index_.SetNoHugePage(ci);
      lock_.Unlock();

      // go1.21.0 sends NOHUGEPAGE on the whole chunk here if it was marked.
      if (was_huge) mem_.BeforeChunkScavenge(ChunkBase(ci));
      mem_.SysUnused(addr, nbytes);
      if (env_ != nullptr) env_->Scavenged(nbytes);

      lock_.Lock();
      LowerSearchAddr(addr);
      ChunkOf(ci).Free(run.start, run.npages);
      Update(addr, run.npages, /*contig=*/true, /*alloc=*/false);
      ChunkOf(ci).scavenged.SetRange(run.start, run.npages);
      lock_.Unlock();
      return nbytes;
    }
  }
  // Nothing (more) to take here for now.
  scav_index_.SetEmpty(ci);
  lock_.Unlock();
  return 0;
}

}  // namespace go121
}  // namespace thp
