// Conformance of the page heap with Go 1.5: layout, growth, LIFO reuse, best
// fit, coalescing, trimming, released-page accounting and every quirk of Go
// 1.5.1's runtime/mheap.go, each named: sysUsed over the whole span
// (mHeap_AllocSpanLocked), coalescing that keeps npreleased but restarts
// unusedsince (mHeap_FreeSpanLocked), the whole-span release (scavengelist),
// and heap spans never unmapped. The suite runs on every mem_linux variant and
// calls CheckInvariants after every step.
#include "mheap/go15/mheap.h"

#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime_port/kernel/recording_kernel.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

using ::testing::ElementsAre;

constexpr uintptr_t kMiB = uintptr_t{1} << 20;
constexpr uintptr_t kArenaStart = uintptr_t{0xc820000000};

PageCount P(uintptr_t n) { return PageCount(n); }

class HeapTest : public ::testing::TestWithParam<std::string> {
 protected:
  HeapTest() : rec_(sim_) {
    absl::StatusOr<std::unique_ptr<MemLinux>> m = NewMemLinux(rec_, GetParam());
    EXPECT_TRUE(m.ok()) << m.status();
    mem_ = *std::move(m);
    heap_ = std::make_unique<MHeap>(*mem_, clock_, /*nprocs=*/1);
  }
  MSpan* Alloc(uintptr_t pages) {
    MSpan* s = heap_->Alloc(P(pages), 0, /*large=*/true, /*needzero=*/true);
    heap_->CheckInvariants();
    return s;
  }
  void Free(MSpan* s) {
    heap_->Free(s, /*acct=*/true);
    heap_->CheckInvariants();
  }
  // Allocates the free tail of the arena, so only the test's own spans are free.
  void Plug() {
    const uintptr_t idle = heap_->stats().heap_idle / kPageSize;
    if (idle > 0) Alloc(idle);
    ASSERT_EQ(heap_->stats().heap_idle, 0u);
  }
  uintptr_t ScavengeAll() {
    uintptr_t r = heap_->Scavenge(-1, ~uint64_t{0}, 0);
    heap_->CheckInvariants();
    return r;
  }

  SimulatedKernel sim_;
  RecordingKernel rec_;
  VirtualClock clock_{1000};
  std::unique_ptr<MemLinux> mem_;
  std::unique_ptr<MHeap> heap_;
};

TEST_P(HeapTest, LayoutIsGo15s) {
  const HeapLayout& l = heap_->layout();
  EXPECT_EQ(l.reservation, uintptr_t{0xc000000000});
  EXPECT_EQ(l.spans, uintptr_t{0xc000000000});
  EXPECT_EQ(l.arena_start, kArenaStart);
  EXPECT_FALSE(l.arena_reserved);
  // The 64 KiB probe was unmapped; m0's mcache took the first 256 KiB
  // persistentalloc chunk.
  EXPECT_EQ(sim_.MapCount(), 1);
  EXPECT_EQ(heap_->persistent().chunks(), 1);
  EXPECT_EQ(heap_->stats().mcache_inuse, kMCacheStructBytes);
  MSpan* s = Alloc(1);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->base(), kArenaStart);
  EXPECT_EQ(heap_->stats().heap_sys, kMiB);
  // 1 MiB of arena needs 32 KiB of bitmap just below it and one 4 KiB page
  // of span table; bitmap and arena are one VMA.
  EXPECT_EQ(l.bitmap_mapped, 32u << 10);
  EXPECT_EQ(l.spans_mapped, 4096u);
  std::vector<Vma> runtime = sim_.Vmas(l.spans, l.arena_end);
  ASSERT_EQ(runtime.size(), 2u);
  EXPECT_EQ(runtime[0].start, l.spans);
  EXPECT_EQ(runtime[0].end, l.spans + 4096);
  EXPECT_EQ(runtime[1].start, kArenaStart - (32 << 10));
  EXPECT_EQ(runtime[1].end, kArenaStart + kMiB);
}

TEST_P(HeapTest, FirstGrowthMapsInGosOrder) {
  rec_.Clear();
  Alloc(1);
  std::vector<KernelCall> maps;
  for (const KernelCall& c : rec_.calls()) {
    if (c.kind == KernelCall::kMmap || c.kind == KernelCall::kMunmap) maps.push_back(c);
  }
  // arena, bitmap, span table (sysMap), then the span struct's fixalloc
  // chunk from P0's 256 KiB persistentalloc chunk, then recordspan's allspans.
  ASSERT_GE(maps.size(), 5u);
  EXPECT_EQ(maps[0], MmapCall(kArenaStart, kMiB));
  EXPECT_EQ(maps[1], MmapCall(kArenaStart - (32 << 10), 32 << 10));
  EXPECT_EQ(maps[2], MmapCall(uintptr_t{0xc000000000}, 4096));
  EXPECT_EQ(maps[3].len, 256u << 10);
  EXPECT_EQ(maps[4].len, 64u << 10);
  EXPECT_EQ(maps.size(), 5u);
  EXPECT_EQ(heap_->persistent().chunks(), 2);  // m0's global chunk, then P0's
}

TEST_P(HeapTest, GrowthIsA64KiBMultipleOfAtLeast1MiB) {
  Alloc(1);
  EXPECT_EQ(heap_->stats().heap_sys, kMiB);
  // 200 pages do not fit the 127 free pages left: grow by exactly 200 pages
  // (a multiple of 8), which coalesce with the free tail.
  MSpan* s = Alloc(200);
  EXPECT_EQ(heap_->stats().heap_sys, kMiB + 200 * kPageSize);
  EXPECT_EQ(s->base(), kArenaStart + kPageSize);
  // 3 pages round up to 8 pages, then to the 1 MiB minimum.
  Alloc(127);  // use up the rest
  Alloc(3);
  EXPECT_EQ(heap_->stats().heap_sys, 2 * kMiB + 200 * kPageSize);
}

TEST_P(HeapTest, ExactListsAreLastInFirstOut) {
  MSpan* a = Alloc(3);
  Alloc(1);
  MSpan* c = Alloc(3);
  Alloc(1);
  const uintptr_t a_base = a->base(), c_base = c->base();
  Free(a);
  Free(c);
  EXPECT_EQ(heap_->FreeListLength(3), 2u);
  EXPECT_EQ(Alloc(3)->base(), c_base);  // the one freed last
  EXPECT_EQ(Alloc(3)->base(), a_base);
}

TEST_P(HeapTest, SmallerRequestsTakeTheSmallestNonEmptyExactList) {
  MSpan* five = Alloc(5);
  Alloc(1);
  MSpan* seven = Alloc(7);
  Alloc(1);
  const uintptr_t five_base = five->base();
  Free(seven);
  Free(five);
  MSpan* got = Alloc(4);  // free[4] is empty; free[5] is the first non-empty list
  EXPECT_EQ(got->base(), five_base);
  EXPECT_EQ(heap_->FreeListLength(1), 1u);  // the trimmed page
}

TEST_P(HeapTest, FreelargeIsBestFitLowestAddressFirst) {
  // Three large free spans of 300, 200 and 200 pages, separated by in-use pages.
  MSpan* a = Alloc(300);
  Alloc(1);
  MSpan* b = Alloc(200);
  Alloc(1);
  MSpan* c = Alloc(200);
  Alloc(1);
  const uintptr_t b_base = b->base();
  Free(c);
  Free(a);
  Free(b);
  EXPECT_EQ(Alloc(150)->base(), b_base);  // smallest that fits, lower address among equals
}

TEST_P(HeapTest, Quirk2CoalescingKeepsReleasedPagesButRestartsTheIdleClock) {
  MSpan* a = Alloc(4);
  MSpan* b = Alloc(4);
  Plug();
  const uintptr_t a_base = a->base();
  Free(a);
  clock_.Advance(1000);
  ScavengeAll();  // a's 4 pages released
  EXPECT_EQ(heap_->stats().heap_released, 4 * kPageSize);
  clock_.Advance(1000);
  const int64_t t_free_b = clock_.NanoTime();
  Free(b);  // coalesces with a
  std::vector<const MSpan*> spans = heap_->SpansInAddressOrder();
  const MSpan* merged = spans[0];
  EXPECT_EQ(merged->base(), a_base);
  EXPECT_EQ(merged->npages, P(8));
  EXPECT_EQ(merged->npreleased, P(4));
  EXPECT_EQ(merged->unusedsince, t_free_b);
}

TEST_P(HeapTest, Quirk1SysUsedCoversTheWholeSpanAndTheRemainderForgetsItWasReleased) {
  MSpan* a = Alloc(10);
  Plug();
  const uintptr_t a_base = a->base();
  Free(a);
  const int64_t t_free = clock_.NanoTime();
  clock_.Advance(5000);
  ScavengeAll();
  rec_.Clear();
  MSpan* s = Alloc(3);  // reuses the released 10-page span, trimmed to 3
  EXPECT_EQ(s->base(), a_base);
  // sysUsed ran on all 10 pages.
  std::vector<KernelCall> calls = rec_.MadviseCalls();
  if (GetParam() == "prefix") {
    EXPECT_THAT(calls, ElementsAre(MadviseCall(a_base, 10 * kPageSize, Advice::kHugePage)));
  }
  // The 7-page remainder claims nothing released and keeps the old idle time.
  const MSpan* rest = heap_->SpansInAddressOrder()[1];
  EXPECT_EQ(rest->npages, P(7));
  EXPECT_EQ(rest->npreleased, P(0));
  EXPECT_EQ(rest->unusedsince, t_free);
  EXPECT_EQ(heap_->stats().heap_released, 0u);
  // So the scavenger releases it again at once.
  rec_.Clear();
  EXPECT_EQ(ScavengeAll(), 7 * kPageSize);
  EXPECT_EQ(rec_.MadviseCalls().back(),
            MadviseCall(a_base + 3 * kPageSize, 7 * kPageSize, Advice::kDontNeed));
}

TEST_P(HeapTest, Quirk3ThePartlyReleasedSpanIsReleasedWhole) {
  MSpan* a = Alloc(4);
  MSpan* b = Alloc(4);
  Plug();
  const uintptr_t a_base = a->base();
  Free(a);
  ScavengeAll();
  Free(b);  // 8 free pages, 4 of them released
  rec_.Clear();
  EXPECT_EQ(ScavengeAll(), 4 * kPageSize);  // counts only the new pages ...
  EXPECT_EQ(rec_.MadviseCalls().back(),     // ... but advises all 8
            MadviseCall(a_base, 8 * kPageSize, Advice::kDontNeed));
  EXPECT_EQ(heap_->stats().heap_released, 8 * kPageSize);
}

TEST_P(HeapTest, ScavengerHonoursTheIdleLimitAndListOrder) {
  MSpan* big = Alloc(200);
  Alloc(1);
  MSpan* small = Alloc(2);
  Plug();
  Free(big);
  clock_.Advance(100);
  Free(small);
  rec_.Clear();
  const uint64_t now = static_cast<uint64_t>(clock_.NanoTime());
  EXPECT_EQ(heap_->Scavenge(0, now, 100), 0u);  // neither idle for more than 100 ns
  EXPECT_EQ(heap_->Scavenge(0, now + 1, 100), 200 * kPageSize);  // only the older one
  heap_->CheckInvariants();
}

TEST_P(HeapTest, ScavengerWalksTheExactListsBeforeFreelarge) {
  MSpan* big = Alloc(200);
  Alloc(1);
  MSpan* small = Alloc(2);
  Plug();
  const uintptr_t big_base = big->base(), small_base = small->base();
  Free(big);
  Free(small);
  rec_.Clear();
  ScavengeAll();
  std::vector<KernelCall> dn;
  for (const KernelCall& c : rec_.MadviseCalls()) {
    if (c.advice == Advice::kDontNeed) dn.push_back(c);
  }
  EXPECT_THAT(dn, ElementsAre(MadviseCall(small_base, 2 * kPageSize, Advice::kDontNeed),
                              MadviseCall(big_base, 200 * kPageSize, Advice::kDontNeed)));
}

TEST_P(HeapTest, Quirk5NothingIsEverUnmapped) {
  std::vector<MSpan*> spans;
  for (int i = 0; i < 50; ++i) spans.push_back(Alloc(1 + i % 9));
  for (MSpan* s : spans) Free(s);
  ScavengeAll();
  for (const KernelCall& c : rec_.calls()) {
    if (c.kind == KernelCall::kMunmap) {
      // Only the 64 KiB reservation probe and allspans arrays, never arena.
      const bool probe = c.addr == heap_->layout().reservation && c.len == (64 << 10);
      EXPECT_TRUE(probe || c.addr < heap_->layout().spans || c.addr >= heap_->layout().arena_end)
          << KernelCallToString(c);
    }
  }
  EXPECT_EQ(heap_->stats().heap_sys, heap_->stats().heap_idle);
}

TEST_P(HeapTest, StacksAreInUseForTheHeapAndCountedApart) {
  MSpan* st = heap_->AllocStack(P(4));
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(st->state, SpanState::kStack);
  EXPECT_EQ(heap_->stats().stacks_inuse, 4 * kPageSize);
  EXPECT_EQ(heap_->stats().heap_inuse, 4 * kPageSize);
  heap_->CheckInvariants();
  heap_->FreeStack(st);
  EXPECT_EQ(heap_->stats().stacks_inuse, 0u);
  heap_->CheckInvariants();
}

TEST_P(HeapTest, LookupFindsInUseSpansOnly) {
  MSpan* a = Alloc(3);
  MSpan* b = Alloc(1);
  EXPECT_EQ(heap_->LookupMaybe(a->base() + 2 * kPageSize + 5), a);
  EXPECT_EQ(heap_->LookupMaybe(b->base()), b);
  const uintptr_t a_base = a->base();
  Free(a);
  EXPECT_EQ(heap_->LookupMaybe(a_base), nullptr);
  EXPECT_EQ(heap_->LookupMaybe(kArenaStart - 1), nullptr);
}

TEST_P(HeapTest, AllocationBeyondTheArenaFailsLikeGo) {
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(heap_->Alloc(PageCount::ForBytes(uintptr_t{600} << 30), 0, true, false), nullptr);
  EXPECT_THAT(::testing::internal::GetCapturedStderr(),
              ::testing::HasSubstr("runtime: out of memory: cannot allocate 644245094400-byte block"));
  heap_->CheckInvariants();
}

TEST_P(HeapTest, FreeingASpanTwiceIsFatal) {
  MSpan* a = Alloc(2);
  Alloc(1);
  Free(a);
  EXPECT_EXIT(heap_->Free(a, true), ::testing::ExitedWithCode(2),
              "fatal error: check failed.*MHeap_FreeSpanLocked - invalid span state");
}

INSTANTIATE_TEST_SUITE_P(AllVariants, HeapTest, ::testing::ValuesIn(HugePagePolicyNames()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace thp

namespace thp {
namespace {

// Writes down what an MHeapObserver is told, one line per call, pages
// counted from arena_start.
class LineHeapObserver final : public MHeapObserver {
 public:
  void OnGrow(PageCount npage, uintptr_t ask, uintptr_t v) override {
    lines.push_back(absl::StrFormat("grow %d %#x %#x", npage.raw(), ask, v));
  }
  void OnFreeSpan(PageId start, PageCount npages, bool acctinuse, bool acctidle, bool stamped,
                  const MSpan& merged) override {
    lines.push_back(absl::StrFormat("free %d+%d %d%d%d merged %d+%d released %d since %d", Page(start),
                                    npages.raw(), acctinuse, acctidle, stamped, Page(merged.start),
                                    merged.npages.raw(), merged.npreleased.raw(), merged.unusedsince));
  }
  void OnAllocSpan(const MSpan* s, PageCount found_npages, PageCount found_npreleased) override {
    lines.push_back(absl::StrFormat("alloc %d found %d released %d", s == nullptr ? -1 : Page(s->start),
                                    found_npages.raw(), found_npreleased.raw()));
  }
  void OnFreeCaller(FreeCaller caller) override {
    lines.push_back(caller == FreeCaller::kStack   ? "caller stack"
                    : caller == FreeCaller::kLarge ? "caller large"
                                                   : "caller central");
  }
  void OnStaleRelease(PageCount npages) override {
    lines.push_back(absl::StrFormat("stale %d", npages.raw()));
  }
  void OnScavenge(int32_t k, uint64_t now, uint64_t limit) override {
    lines.push_back(absl::StrFormat("scavenge %d now %d limit %d", k, now, limit));
  }
  void OnScavengeDone(uintptr_t released) override {
    lines.push_back(absl::StrFormat("scavenge_done %d", released));
  }
  std::vector<std::string> lines;

 private:
  static int64_t Page(PageId p) { return static_cast<int64_t>((p - PageId::ForAddr(kArenaStart)).raw()); }
};

// A heap on the simulated kernel (variant none), its clock at 1000 ns, and
// an observer writing down what it is told.
class MHeapObserverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<MemLinux>> mem = NewMemLinux(sim_, "none");
    ASSERT_TRUE(mem.ok());
    mem_ = *std::move(mem);
    heap_ = std::make_unique<MHeap>(*mem_, clock_, 1);
    heap_->set_observer(&obs_);
  }
  SimulatedKernel sim_;
  VirtualClock clock_{1000};
  LineHeapObserver obs_;
  std::unique_ptr<MemLinux> mem_;
  std::unique_ptr<MHeap> heap_;
};

TEST_F(MHeapObserverTest, SeesGrowFreesAndEachAllocationsFoundSpan) {
  MSpan* a = heap_->Alloc(P(1), 0, /*large=*/true, /*needzero=*/true);
  clock_.Set(2000);
  MSpan* b = heap_->Alloc(P(2), 0, true, true);
  clock_.Set(3000);
  heap_->Free(a, /*acct=*/true);
  heap_->Scavenge(-1, ~uint64_t{0}, 0);
  clock_.Set(4000);
  MSpan* stack = heap_->AllocStack(P(1));
  clock_.Set(5000);
  heap_->FreeStack(stack);
  heap_->Free(b, /*acct=*/false);
  EXPECT_THAT(obs_.lines,
              ElementsAre("grow 8 0x100000 0xc820000000",
                          "free 0+128 011 merged 0+128 released 0 since 1000",  // the grow's span
                          "free 1+127 000 merged 1+127 released 0 since 1000",  // the trim keeps it
                          "alloc 0 found 128 released 0",
                          "free 3+125 000 merged 3+125 released 0 since 1000",
                          "alloc 1 found 127 released 0",
                          // a's page alone: its neighbours are b (in use) and
                          // nothing; a large object's free (acct)
                          "caller large", "free 0+1 111 merged 0+1 released 0 since 3000",
                          // FreeOSMemory's pass: a's page and the arena's rest
                          "scavenge -1 now 18446744073709551615 limit 0",
                          "scavenge_done 1032192",
                          // free[1] comes first: a's page again, released as a whole
                          "alloc 0 found 1 released 1",
                          // mHeap_FreeStack, then an mcentral's span (no acct)
                          "caller stack", "free 0+1 111 merged 0+1 released 0 since 5000",
                          "caller central", "free 1+2 111 merged 0+128 released 125 since 5000"));
}

// go1.5.1 scavengelist subtracts on uint64: a span freed after the pass's
// `now` (sysmon read its clock before taking the heap lock) is released at
// once, and the observer hears of it; an idle one is released unremarked.
TEST_F(MHeapObserverTest, HearsOfAReleaseOfASpanStampedAfterThePassesNow) {
  MSpan* old_span = heap_->Alloc(P(3), 0, /*large=*/true, /*needzero=*/true);
  heap_->Alloc(P(1), 0, true, true);
  MSpan* young = heap_->Alloc(P(2), 0, true, true);
  heap_->Alloc(P(1), 0, true, true);  // keeps young from the arena's free rest
  heap_->Free(old_span, /*acct=*/true);
  clock_.Set(2000);
  const uint64_t now = static_cast<uint64_t>(clock_.NanoTime());
  clock_.Set(2010);
  heap_->Free(young, /*acct=*/true);  // stamped 10 ns after `now`
  obs_.lines.clear();
  // The old span (idle 1000 ns), young, and the arena's rest (idle since 1000).
  EXPECT_EQ(heap_->Scavenge(7, now, 100), (3 + 2 + 121) * kPageSize);
  EXPECT_THAT(obs_.lines, ElementsAre("scavenge 7 now 2000 limit 100", "stale 2",
                                      absl::StrFormat("scavenge_done %d", (3 + 2 + 121) * kPageSize)));
  heap_->CheckInvariants();
}

TEST_F(MHeapObserverTest, SeesAFailedAllocation) {
  // More than the 512 GiB arena: Grow gives up after its one ask.
  EXPECT_EQ(heap_->Alloc(P((uintptr_t{513} << 30) / kPageSize), 0, true, true), nullptr);
  EXPECT_THAT(obs_.lines, ElementsAre("grow 67239936 0x8040000000 0", "alloc -1 found 0 released 0"));
}

}  // namespace
}  // namespace thp
