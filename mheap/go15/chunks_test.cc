// The Go 1.21 chunk bookkeeping on the Go 1.5 heap: when the dense-chunk and
// before-scavenge advice fire for each chunk-tracking variant, and the
// scavenger's one-generation hysteresis.
#include "mheap/go15/chunks.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mheap/go15/mheap.h"
#include "runtime_port/kernel/recording_kernel.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

using ::testing::ElementsAre;

constexpr uintptr_t kChunk = kPallocChunkBytes;

std::vector<KernelCall> HugeAdvice(const RecordingKernel& rec) {
  std::vector<KernelCall> out;
  for (const KernelCall& c : rec.MadviseCalls()) {
    if (c.advice != Advice::kDontNeed) out.push_back(c);
  }
  return out;
}

struct Heap {
  explicit Heap(const std::string& variant) : rec(sim), clock(1) {
    mem = *NewMemLinux(rec, variant);
    heap = std::make_unique<MHeap>(*mem, clock, 1);
  }
  SimulatedKernel sim;
  RecordingKernel rec;
  VirtualClock clock;
  std::unique_ptr<MemLinux> mem;
  std::unique_ptr<MHeap> heap;
};

TEST(Chunks, HugepageEagerMarksNewMemoryUnmarksBeforeReleaseAndRemarksWhenDense) {
  Heap h("hugepage_eager");
  const uintptr_t a0 = h.heap->layout().arena_start;
  MSpan* s = h.heap->Alloc(PageCount(500), 0, true, false);
  // New memory (504 pages: 500 rounded to 64 KiB) gets HUGEPAGE on the whole
  // huge pages inside it, just the first 2 MiB; no dense transition, since a
  // new chunk is already marked.
  EXPECT_THAT(HugeAdvice(h.rec), ElementsAre(MadviseCall(a0, 2 << 20, Advice::kHugePage)));
  h.heap->Free(s, true);
  h.rec.Clear();
  h.heap->Scavenge(-1, ~uint64_t{0}, 0);  // forced, like FreeOSMemory
  EXPECT_THAT(HugeAdvice(h.rec), ElementsAre(MadviseCall(a0, kChunk, Advice::kNoHugePage)));
  EXPECT_FALSE(h.heap->chunks()->MarkedHuge(a0));
  h.rec.Clear();
  h.heap->Alloc(PageCount(500), 0, true, false);  // dense again
  EXPECT_THAT(HugeAdvice(h.rec), ElementsAre(MadviseCall(a0, kChunk, Advice::kHugePage)));
  EXPECT_TRUE(h.heap->chunks()->MarkedHuge(a0));
  h.heap->CheckInvariants();
}

// MHeap::CheckInvariants recomputes every chunk's pages in use from the
// spans: a count that drifts from them is caught.
TEST(ChunksDeathTest, TheHeapCheckRecomputesChunkCountsFromTheSpans) {
  Heap h("collapse");
  const uintptr_t a0 = h.heap->layout().arena_start;
  MSpan* big = h.heap->Alloc(PageCount(700), 0, true, false);  // two chunks
  MSpan* stack = h.heap->AllocStack(PageCount(4));
  ASSERT_NE(big, nullptr);
  ASSERT_NE(stack, nullptr);
  h.heap->CheckInvariants();
  EXPECT_EQ(h.heap->chunks()->InUse(a0), 512u);
  h.heap->chunks()->OnFree(big->base(), PageCount(1));  // the books now miss a page
  EXPECT_DEATH(h.heap->CheckInvariants(), "chunk 0 at 0x[0-9a-f]+ counts 511 pages in use, its "
                                          "spans hold 512");
}

TEST(Chunks, CollapseVariantsCollapseADenseChunkOnlyForSubChunkAllocations) {
  for (const char* v : {"collapse", "try_collapse"}) {
    Heap h(v);
    const uintptr_t a0 = h.heap->layout().arena_start;
    MSpan* s = h.heap->Alloc(PageCount(500), 0, true, false);
    h.heap->Free(s, true);
    h.heap->Scavenge(-1, ~uint64_t{0}, 0);
    h.rec.Clear();
    h.heap->Alloc(PageCount(500), 0, true, false);
    const Advice want = std::string(v) == "collapse" ? Advice::kCollapse : Advice::kTryCollapse;
    EXPECT_THAT(HugeAdvice(h.rec), ElementsAre(MadviseCall(a0, kChunk, want))) << v;
  }
}

TEST(Chunks, CollapseJudgesEachChunkByItsOwnShareOfTheAllocation) {
  // Go 1.21.1's allocRange hands scavengeIndex.alloc the pages of each chunk
  // separately: an allocation of 1016 pages that fills the last 504 pages of
  // chunk 0 and all of chunk 1 collapses chunk 0 (504 < 512) but not chunk 1.
  Heap h("collapse");
  const uintptr_t a0 = h.heap->layout().arena_start;
  MSpan* s = h.heap->Alloc(PageCount(1024), 0, true, false);
  h.heap->Free(s, true);
  h.heap->Scavenge(-1, ~uint64_t{0}, 0);  // both chunks lose their huge mark
  ASSERT_FALSE(h.heap->chunks()->MarkedHuge(a0));
  ASSERT_FALSE(h.heap->chunks()->MarkedHuge(a0 + kChunk));
  MSpan* head = h.heap->Alloc(PageCount(8), 0, true, false);
  ASSERT_EQ(head->base(), a0);
  h.rec.Clear();
  MSpan* rest = h.heap->Alloc(PageCount(1016), 0, true, false);
  ASSERT_EQ(rest->base(), a0 + 8 * kPageSize);
  EXPECT_THAT(HugeAdvice(h.rec), ElementsAre(MadviseCall(a0, kChunk, Advice::kCollapse)));
  EXPECT_TRUE(h.heap->chunks()->MarkedHuge(a0 + kChunk));  // marked dense, not collapsed
  h.heap->CheckInvariants();
}

TEST(Chunks, ADenseChunkWaitsOneGenerationBeforeItIsScavenged) {
  Heap h("hugepage_eager");
  MSpan* a = h.heap->Alloc(PageCount(400), 0, true, false);
  MSpan* b = h.heap->Alloc(PageCount(100), 0, true, false);  // chunk 0: 500 pages in use
  h.heap->NextGeneration();
  h.heap->Free(b, true);  // 400 in use now, but 500 at the start of this generation
  const uint64_t t = ~uint64_t{0} - 1;
  EXPECT_EQ(h.heap->Scavenge(0, t, 1), 0u);  // not forced: held back by the hysteresis
  h.heap->NextGeneration();
  EXPECT_GT(h.heap->Scavenge(0, t, 1), 0u);  // a generation later it goes
  (void)a;
  h.heap->CheckInvariants();
}

TEST(Chunks, Go15VariantsTrackNothing) {
  Heap h("fixed");
  EXPECT_EQ(h.heap->chunks(), nullptr);
}

}  // namespace
}  // namespace thp
