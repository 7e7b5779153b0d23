#include "bench/calibrate/model_observer.h"

#include "gtest/gtest.h"
#include "mheap/go15/mspan.h"

namespace thp {
namespace calibrate {
namespace {

// The port's callbacks become the records Go's patch writes, counted by the
// same Tally; GC cycles come in through Sync.
TEST(ModelObserverTest, CountsThePortsDecisionsAsGosRecords) {
  int64_t vmas = 10;
  ModelObserver obs([&vmas] { return vmas; });
  ModelSide a, b;
  std::vector<GcCycle> cycles(1);
  cycles[0].heap2 = 1 << 20;
  obs.OnScavenge(-1, ~uint64_t{0}, 0);  // before any side: counted nowhere
  obs.OnScavengeDone(0);
  obs.Sync(cycles);
  obs.set_side(&a, 0);
  for (int32_t k = 1; k <= 3; ++k) {
    obs.OnScavenge(k, 1000 * static_cast<uint64_t>(k), 300);
    obs.OnScavengeDone(0);
  }
  obs.OnAllocRequest(PageCount(1), /*sizeclass=*/5, /*stack=*/false);
  obs.OnAllocRequest(PageCount(4), 0, /*stack=*/true);
  obs.OnAllocRequest(PageCount(10), 0, /*stack=*/false);
  const MSpan merged;
  obs.OnFreeSpan(PageId(), PageCount(2), true, true, true, merged);     // mHeap_Free
  obs.OnFreeSpan(PageId(), PageCount(128), false, true, true, merged);  // grow
  obs.OnFreeSpan(PageId(), PageCount(5), false, false, false, merged);  // trim
  vmas = 14;
  obs.OnStaleRelease(PageCount(3));
  obs.OnSysUnused(0xc820000000, 3 * 8192);
  obs.OnMadvise(0xc820000000, 3 * 8192, Advice::kNoHugePage, 0);
  obs.OnMadvise(0xc820000000, 3 * 8192, Advice::kDontNeed, 0);
  vmas = 12;
  obs.OnMadvise(0xc820000000, 8192, Advice::kHugePage, 22);
  cycles.resize(3);
  cycles[1].heap2 = 3000;
  cycles[1].start_ns = 1000;  // a background cycle: its mark is counted
  cycles[1].mark_term_ns = 951000;
  cycles[1].heap0 = 4 << 20;
  cycles[1].heap1 = (4 << 20) + 300 * 1024;
  cycles[2].heap2 = 5000;
  cycles[2].mode = GcMode::kForceBlock;  // runtime.GC(): no concurrent mark
  cycles[2].start_ns = 2000000;
  cycles[2].mark_term_ns = 2560000;
  obs.Sync(cycles);
  obs.set_side(&b, 1);
  vmas = 11;
  obs.OnSysUnused(0xc820000000, 8192);
  cycles.resize(4);
  cycles[3].heap2 = 70000;
  obs.Sync(cycles);
  obs.set_side(nullptr, 0);
  obs.OnSysUnused(0xc820000000, 8192);  // counted nowhere

  const Tally& t = a.tally;
  EXPECT_EQ(t.allocs, (std::array<uint64_t, 3>{1, 1, 1}));
  EXPECT_EQ(t.alloc_pages, (std::array<uint64_t, 3>{1, 10, 4}));
  EXPECT_EQ(t.alloc_hist, (SizeHistogram{1, 0, 1, 0, 1, 0, 0}));
  EXPECT_EQ(t.frees, 1u);
  EXPECT_EQ(t.free_pages, 2u);
  EXPECT_EQ(t.gc_cycles, 2u);
  EXPECT_EQ(t.heap_marked, 8000u);  // the cycles synced while on a
  EXPECT_EQ(b.tally.heap_marked, 70000u);
  EXPECT_EQ(t.scavenge_passes, 3u);
  EXPECT_EQ(t.releases, 1u);
  EXPECT_EQ(t.stale_now_releases, 1u);
  EXPECT_EQ(t.stale_release_hist, (SizeHistogram{0, 0, 1, 0, 0, 0, 0}));
  EXPECT_EQ(t.release_hist, (SizeHistogram{0, 0, 1, 0, 0, 0, 0}));
  EXPECT_EQ(t.hugepage_calls, 1u);
  EXPECT_EQ(t.nohugepage_calls, 1u);
  EXPECT_EQ(a.max_go_vmas, 14);
  ASSERT_EQ(t.marks.size(), 1u);
  EXPECT_EQ(t.marks[0].ns, 950000);
  EXPECT_EQ(t.marks[0].grow_bytes, 300 * 1024);
  EXPECT_EQ(b.tally.marks.size(), 1u);  // cycle 3, background, synced on b

  EXPECT_EQ(b.tally.releases, 1u);
  EXPECT_EQ(b.tally.gc_cycles, 1u);
  EXPECT_EQ(b.tally.scavenge_passes, 0u);
  EXPECT_EQ(b.tally.stale_now_releases, 0u);
  EXPECT_EQ(b.tally.total_allocs(), 0u);
  EXPECT_EQ(b.max_go_vmas, 12);  // b opened while the count was still 12
}

// The spans a side took come as alloc and alloc_done records, counted from
// arena_start as Go's log counts them; those still in use when the side two
// further on opens outlived the benchmark after theirs.
TEST(ModelObserverTest, CountsTheSpansOfEachBenchmarkThatOutliveTheNext) {
  ModelObserver obs(nullptr);
  constexpr uintptr_t kArena = 0xc820000000;
  obs.set_arena_start(kArena);
  ModelSide a, b, c;
  MSpan x, y;
  x.start = PageId::ForAddr(kArena) + PageCount(3);
  y.start = PageId::ForAddr(kArena) + PageCount(9);
  obs.set_side(&a, 0);
  obs.OnAllocRequest(PageCount(1), /*sizeclass=*/2, /*stack=*/false);
  obs.OnAllocSpan(&x, PageCount(1), PageCount(0));
  obs.OnAllocRequest(PageCount(1), /*sizeclass=*/2, /*stack=*/false);
  obs.OnAllocSpan(&y, PageCount(1), PageCount(0));
  obs.set_side(&b, 1);
  const MSpan merged;
  obs.OnFreeSpan(y.start, PageCount(1), true, true, true, merged);
  obs.set_side(&c, 2);
  obs.set_side(nullptr, 0);
  obs.OnFreeSpan(x.start, PageCount(1), true, true, true, merged);  // counted nowhere
  EXPECT_EQ(obs.FinishOutlivingSpans(), (std::vector<uint64_t>{1, 0, 0}));
  EXPECT_EQ(a.tally.allocs[0], 2u);
  EXPECT_EQ(b.tally.frees, 1u);
}

// The taps get a side's records (a scavenge pass's two included) but the
// gc_done records Sync makes, and each cycle Sync brings in while a side is
// set.
TEST(ModelObserverTest, TapsGetTheRecordsAndTheCyclesOfASide) {
  ModelObserver obs(nullptr);
  int records = 0;
  std::vector<uint64_t> cycles_seen;
  obs.set_tap([&records](const heaplog::EventBody&) { ++records; },
              [&cycles_seen](const GcCycle& c) { cycles_seen.push_back(c.num); });
  std::vector<GcCycle> cycles(1);
  cycles[0].num = 1;
  obs.Sync(cycles);  // no side yet: no cycle, no record
  ModelSide a;
  obs.set_side(&a, 0);
  obs.OnAllocRequest(PageCount(1), /*sizeclass=*/2, /*stack=*/false);
  obs.OnScavenge(4, 5000, 300);
  obs.OnSysUnused(0xc820000000, 8192);
  obs.OnScavengeDone(8192);
  cycles.resize(3);
  cycles[1].num = 2;
  cycles[2].num = 3;
  obs.Sync(cycles);
  EXPECT_EQ(records, 4);
  EXPECT_EQ(cycles_seen, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(a.tally.gc_cycles, 2u);
}

// A free that accounts a span in use is named by the call the heap said
// came before it, as Go's patch names it (the sweep's finders read only
// central and large frees as the sweep's); with no call said, central. A
// grow's or a trim's free is named by its flags alone.
TEST(ModelObserverTest, NamesEachFreeByItsCaller) {
  ModelObserver obs(nullptr);
  std::vector<heaplog::FreeWhy> whys;
  obs.set_tap(
      [&whys](const heaplog::EventBody& body) {
        if (const auto* f = std::get_if<heaplog::Free>(&body)) whys.push_back(f->why);
      },
      nullptr);
  ModelSide a;
  obs.set_side(&a, 0);
  const MSpan merged;
  obs.OnFreeCaller(MHeapObserver::FreeCaller::kStack);
  obs.OnFreeSpan(PageId(), PageCount(4), true, true, true, merged);
  obs.OnFreeSpan(PageId(), PageCount(1), true, true, true, merged);  // no call said
  obs.OnFreeCaller(MHeapObserver::FreeCaller::kLarge);
  obs.OnFreeSpan(PageId(), PageCount(5), false, false, false, merged);  // a trim between
  obs.OnFreeSpan(PageId(), PageCount(3), true, true, true, merged);
  obs.OnFreeCaller(MHeapObserver::FreeCaller::kCentral);
  obs.OnFreeSpan(PageId(), PageCount(1), true, true, true, merged);
  obs.OnFreeSpan(PageId(), PageCount(128), false, true, true, merged);  // grow
  using W = heaplog::FreeWhy;
  EXPECT_EQ(whys, (std::vector<W>{W::kStack, W::kCentral, W::kTrim, W::kLarge, W::kCentral,
                                   W::kGrow}));
}

// A side starts with the free spans every record before it left, those
// made before any side included.
TEST(ModelObserverTest, ASideStartsWithTheFreeSpansBeforeIt) {
  ModelObserver obs(nullptr);
  obs.set_arena_start(PageId(1000).addr());
  MSpan grown;
  grown.Init(PageId(1000), PageCount(128));
  obs.OnFreeSpan(PageId(1000), PageCount(128), false, true, true, grown);  // grow
  MSpan tail;
  tail.Init(PageId(1004), PageCount(124));
  obs.OnFreeSpan(PageId(1004), PageCount(124), false, false, false, tail);  // trim
  MSpan taken;
  taken.Init(PageId(1000), PageCount(4));
  obs.OnAllocSpan(&taken, PageCount(128), PageCount(0));
  MSpan rest;
  rest.Init(PageId(1008), PageCount(120));
  obs.OnFreeSpan(PageId(1008), PageCount(120), false, false, false, rest);  // trim
  MSpan next;
  next.Init(PageId(1004), PageCount(4));
  obs.OnAllocSpan(&next, PageCount(124), PageCount(0));
  ModelSide a, b;
  obs.set_side(&a, 0);
  obs.OnFreeSpan(PageId(1000), PageCount(4), true, true, true, taken);  // 1004 in use
  obs.set_side(&b, 1);
  obs.set_side(nullptr, 0);
  EXPECT_EQ(a.tally.free_spans_at_start, (SizeHistogram{0, 0, 0, 0, 0, 1, 0}));
  EXPECT_EQ(b.tally.free_spans_at_start, (SizeHistogram{0, 0, 1, 0, 0, 1, 0}));
}

}  // namespace
}  // namespace calibrate
}  // namespace thp
