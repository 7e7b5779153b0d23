// The Go 1.21 chunk-based variants (runtime/mgcscavenge.go's
// scavengeIndex.alloc and pageAlloc.scavengeOne, and mpagealloc.go's
// pageAlloc.grow, at the commits named below) and the 2024 MADV_TRY_COLLAPSE
// proposal (Lance Yang, "[PATCH v1 1/2] mm/madvise: introduce
// MADV_TRY_COLLAPSE for attempted synchronous hugepage collapse",
// linux-kernel, 2024-01-17).
//
//  hugepage_eager  Go 1.21.0 (8fa9e3b): new heap memory gets HUGEPAGE on its
//                  aligned interior; a chunk that becomes dense gets HUGEPAGE;
//                  a chunk still marked dense gets NOHUGEPAGE before the
//                  scavenger releases any of it. No per-span advice.
//  collapse        Go 1.21.1-1.21.3 (9f9bb26, cherry-picked as 06df329):
//                  MADV_COLLAPSE on a chunk that becomes dense through an
//                  allocation smaller than a whole chunk; nothing else.
//  try_collapse    The same with MADV_TRY_COLLAPSE (Lance Yang, 2024-01-17):
//                  a collapse that never enters direct reclaim or compaction.
// The heap's chunk bookkeeping decides when the hooks fire: on the Go 1.21
// heap (mheap/go121) the page allocator's own scavenge index, as in Go; on
// the Go 1.5 heap the hybrid's ChunkTracker. Go121HeapLockHeld is the table
// for the hybrid; the Go 1.21 heap's memory layer reports the lock's actual
// state at each call instead.
#include "runtime_port/mem_linux/policies.h"

namespace thp {

bool Go121HeapLockHeld(AdviceSite site) {
  return site == AdviceSite::kSysMap || site == AdviceSite::kHeapGrow ||
         site == AdviceSite::kChunkDense;
}

namespace {

class HugepageEagerPolicy final : public HugePagePolicy {
 public:
  absl::string_view Name() const override { return "hugepage_eager"; }
  absl::string_view Mirrors() const override {
    return "Go 1.21.0 explicit huge page management (commit 8fa9e3b)";
  }
  std::vector<Advice> Needs() const override {
    return {Advice::kHugePage, Advice::kNoHugePage};
  }
  uintptr_t FlagGranularity() const override { return kPallocChunkBytes; }
  bool TracksChunkDensity() const override { return true; }

  // Mirrors sysHugePage on the page allocator's grow, Go 1.21.0.
  void OnHeapGrow(uintptr_t v, uintptr_t n, Advisor& a) const override {
    AdviseHugeInterior(v, n, a);
  }
  // Mirrors the dense-chunk transition of pageAlloc.allocRange, Go 1.21.0.
  void OnChunkDense(uintptr_t chunk, uint64_t /*alloc_pages*/, Advisor& a) const override {
    a.Advise(chunk, kPallocChunkBytes, Advice::kHugePage);
  }
  // Mirrors the scavenger's NOHUGEPAGE before releasing a huge-marked chunk.
  void BeforeChunkScavenge(uintptr_t chunk, Advisor& a) const override {
    a.Advise(chunk, kPallocChunkBytes, Advice::kNoHugePage);
  }
  bool HeapLockHeld(AdviceSite site) const override { return Go121HeapLockHeld(site); }
};

class CollapsePolicy final : public HugePagePolicy {
 public:
  explicit CollapsePolicy(Advice advice) : advice_(advice) {}

  absl::string_view Name() const override {
    return advice_ == Advice::kCollapse ? "collapse" : "try_collapse";
  }
  absl::string_view Mirrors() const override {
    return advice_ == Advice::kCollapse
               ? "Go 1.21.1-1.21.3 MADV_COLLAPSE on dense chunks (commit 9f9bb26)"
               : "Go 1.21.1 with the 2024 MADV_TRY_COLLAPSE kernel proposal";
  }
  std::vector<Advice> Needs() const override { return {advice_}; }
  uintptr_t FlagGranularity() const override { return 0; }  // collapse sets no VMA flag
  bool TracksChunkDensity() const override { return true; }

  // Mirrors the dense-chunk transition of pageAlloc.allocRange, Go 1.21.1:
  // a whole-chunk allocation is skipped (likely one huge object, better
  // demand-paged, and a collapse needs a resident page to start from).
  void OnChunkDense(uintptr_t chunk, uint64_t alloc_pages, Advisor& a) const override {
    if (alloc_pages < kPallocChunkPages) a.Advise(chunk, kPallocChunkBytes, advice_);
  }
  bool HeapLockHeld(AdviceSite site) const override { return Go121HeapLockHeld(site); }

 private:
  const Advice advice_;
};

}  // namespace

std::unique_ptr<HugePagePolicy> NewHugepageEagerPolicy() {
  return std::make_unique<HugepageEagerPolicy>();
}
std::unique_ptr<HugePagePolicy> NewCollapsePolicy() {
  return std::make_unique<CollapsePolicy>(Advice::kCollapse);
}
std::unique_ptr<HugePagePolicy> NewTryCollapsePolicy() {
  return std::make_unique<CollapsePolicy>(Advice::kTryCollapse);
}

}  // namespace thp
