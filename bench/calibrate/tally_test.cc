#include "bench/calibrate/tally.h"

#include <cmath>
#include <vector>

#include "bench/calibrate/gap.h"
#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event.h"
#include "mheap/go15/events/test_events.h"

namespace thp {
namespace calibrate {
namespace {

using heaplog::Alloc;
using heaplog::AllocCaller;
using heaplog::EventBody;
using heaplog::Free;
using heaplog::FreeWhy;

TEST(SizeBinTest, BinsArePages1_2_3to4_5to8_9to32_33to256_Over256) {
  const std::vector<std::pair<uint64_t, int>> cases = {
      {0, 0}, {1, 0}, {2, 1}, {3, 2}, {4, 2}, {5, 3}, {8, 3}, {9, 4},
      {32, 4}, {33, 5}, {256, 5}, {257, 6}, {1 << 20, 6}};
  for (const auto& [pages, bin] : cases) EXPECT_EQ(SizeBin(pages), bin) << pages << " pages";
  EXPECT_EQ(SizeBinName(0), "1");
  EXPECT_EQ(SizeBinName(4), "9-32");
  EXPECT_EQ(SizeBinName(6), ">256");
  EXPECT_EQ(BytesToPages(8192), 1u);
  EXPECT_EQ(BytesToPages(8193), 2u);
  EXPECT_EQ(BytesToPages(3 * 8192), 3u);
}

Alloc AllocOf(uint64_t npage, AllocCaller caller) {
  Alloc a;
  a.npage = npage;
  a.caller = caller;
  a.sizeclass = caller == AllocCaller::kSmall ? 5 : 0;
  return a;
}

Free FreeOf(uint64_t npages, FreeWhy why) { return heaplog::SpanFree(0, npages, why); }

// A hand-made sequence: every kind the tally counts, and some it does not.
std::vector<EventBody> Sequence() {
  return {
      AllocOf(1, AllocCaller::kSmall),
      AllocOf(1, AllocCaller::kSmall),
      AllocOf(40, AllocCaller::kLarge),
      AllocOf(2, AllocCaller::kStack),
      heaplog::Grow{128, 1 << 20, 0xc820000000},
      FreeOf(128, FreeWhy::kGrow),     // the heap's own: not a free
      FreeOf(87, FreeWhy::kTrim),      // nor this
      FreeOf(1, FreeWhy::kCentral),
      FreeOf(40, FreeWhy::kLarge),
      FreeOf(2, FreeWhy::kStack),
      heaplog::GcStart{},
      heaplog::GcDone{1, 3 << 20, 8 << 20},
      heaplog::GcDone{2, 1 << 20, 8 << 20},
      heaplog::Scavenge{},
      heaplog::SysUnused{0xc820000000, 3 * 8192},    // 3-4
      heaplog::SysUnused{0xc820100000, 8192},        // 1
      heaplog::SysUnused{0xc820200000, 300 * 8192},  // >256
      heaplog::ScavengeDone{},
      heaplog::Madvise{0xc820000000, 8192, 14, 0},
      heaplog::Madvise{0xc820000000, 8192, 14, -22},  // failed calls count too
      heaplog::Madvise{0xc820000000, 8192, 15, 0},
      heaplog::Madvise{0xc820000000, 8192, 4, 0},  // DONTNEED: not counted
      heaplog::SysUsed{0xc820000000, 8192},
  };
}

TEST(TallyTest, CountsEachKindOfRecordExactly) {
  Tally t;
  for (const EventBody& b : Sequence()) t.Add(b);
  EXPECT_EQ(t.allocs, (std::array<uint64_t, 3>{2, 1, 1}));
  EXPECT_EQ(t.alloc_pages, (std::array<uint64_t, 3>{2, 40, 2}));
  EXPECT_EQ(t.alloc_hist, (SizeHistogram{2, 1, 0, 0, 0, 1, 0}));
  EXPECT_EQ(t.total_allocs(), 4u);
  EXPECT_EQ(t.frees, 3u);
  EXPECT_EQ(t.free_pages, 43u);
  EXPECT_EQ(t.gc_cycles, 2u);
  EXPECT_EQ(t.heap_marked, uint64_t{4} << 20);
  EXPECT_EQ(t.mean_marked_kib(), 2048u);
  EXPECT_EQ(t.scavenge_passes, 1u);
  EXPECT_EQ(t.releases, 3u);
  EXPECT_EQ(t.released_pages, 304u);
  EXPECT_EQ(t.release_hist, (SizeHistogram{1, 0, 1, 0, 0, 0, 1}));
  EXPECT_EQ(t.hugepage_calls, 2u);
  EXPECT_EQ(t.nohugepage_calls, 1u);
}

TEST(TallyTest, SumIsTheTallyOfBothSequences) {
  Tally once, twice, sum;
  for (const EventBody& b : Sequence()) {
    once.Add(b);
    twice.Add(b);
    twice.Add(b);
  }
  sum += once;
  sum += once;
  EXPECT_EQ(sum, twice);
  EXPECT_FALSE(sum == once);
}

// Marks are kept one by one: the quantiles are nearest-rank over them, and
// a sum holds both tallies' marks in order.
TEST(TallyTest, MarkQuantilesAreNearestRankAndSumsAppend) {
  Tally t;
  EXPECT_EQ(t.mark_us_quantile(0.5), 0);
  for (int64_t us : {900, 100, 5000, 300, 1000}) t.AddMark(MarkPhase{us * 1000, us * 1024});
  EXPECT_EQ(t.mark_us_quantile(0.5), 900);
  EXPECT_EQ(t.mark_us_quantile(0.9), 5000);
  EXPECT_EQ(t.mark_us_quantile(0), 100);
  EXPECT_EQ(t.mark_grow_kib_quantile(0.5), 900);
  Tally u;
  u.AddMark(MarkPhase{2000, -4096});
  Tally sum = t;
  sum += u;
  ASSERT_EQ(sum.marks.size(), 6u);
  EXPECT_EQ(sum.marks.back().grow_bytes, -4096);
  EXPECT_EQ(sum.mark_grow_kib_quantile(0), -4);
  EXPECT_FALSE(sum == t);
}

TEST(GapTest, ReleaseRatioIsSymmetricAndHandlesZero) {
  EXPECT_EQ(ReleaseRatio(0, 0), 1.0);
  EXPECT_EQ(ReleaseRatio(0, 5), 6.0);
  EXPECT_EQ(ReleaseRatio(5, 0), 6.0);
  EXPECT_EQ(ReleaseRatio(1, 0), 2.0);
  EXPECT_EQ(ReleaseRatio(10, 5), 2.0);
  EXPECT_EQ(ReleaseRatio(5, 10), 2.0);
  EXPECT_EQ(ReleaseRatio(7, 7), 1.0);
}

TEST(GapTest, TotalVariationOfFractions) {
  const SizeHistogram a = {2, 2, 0, 0, 0, 0, 0};
  const SizeHistogram b = {0, 4, 0, 0, 0, 0, 0};
  const SizeHistogram c = {0, 40, 0, 0, 0, 0, 0};  // b scaled: the same fractions
  const SizeHistogram d = {0, 0, 0, 0, 0, 0, 9};
  const SizeHistogram none{};
  EXPECT_DOUBLE_EQ(TotalVariation(a, b), 0.5);
  EXPECT_DOUBLE_EQ(TotalVariation(b, a), 0.5);
  EXPECT_DOUBLE_EQ(TotalVariation(b, c), 0.0);
  EXPECT_DOUBLE_EQ(TotalVariation(a, d), 1.0);
  EXPECT_DOUBLE_EQ(TotalVariation(none, none), 0.0);
  EXPECT_DOUBLE_EQ(TotalVariation(none, a), 1.0);
  EXPECT_DOUBLE_EQ(TotalVariation(a, none), 1.0);
  // 1 page: 1/4 vs 3/4; 2 pages: 3/4 vs 1/4.
  EXPECT_DOUBLE_EQ(TotalVariation({1, 3, 0, 0, 0, 0, 0}, {3, 1, 0, 0, 0, 0, 0}), 0.5);
}

Tally Releases(const SizeHistogram& h) {
  Tally t;
  t.release_hist = h;
  for (uint64_t n : h) t.releases += n;
  return t;
}

TEST(GapTest, DistanceIsTheLargerOfCountGapAndTvd) {
  // Twice as many releases, same sizes: the count decides (ln 2).
  Gap g = ReleaseGap(Releases({4, 4, 0, 0, 0, 0, 0}), Releases({2, 2, 0, 0, 0, 0, 0}));
  EXPECT_DOUBLE_EQ(g.ratio, 2.0);
  EXPECT_DOUBLE_EQ(g.count_gap, std::log(2.0));
  EXPECT_DOUBLE_EQ(g.tvd, 0.0);
  EXPECT_DOUBLE_EQ(g.distance, std::log(2.0));
  // Same count, other sizes: the histogram decides.
  g = ReleaseGap(Releases({4, 0, 0, 0, 0, 0, 0}), Releases({1, 3, 0, 0, 0, 0, 0}));
  EXPECT_DOUBLE_EQ(g.ratio, 1.0);
  EXPECT_DOUBLE_EQ(g.count_gap, 0.0);
  EXPECT_DOUBLE_EQ(g.tvd, 0.75);
  EXPECT_DOUBLE_EQ(g.distance, 0.75);
  // Nothing released by the model, 3 times by Go: ratio 4, tvd 1.
  g = ReleaseGap(Tally{}, Releases({0, 0, 3, 0, 0, 0, 0}));
  EXPECT_DOUBLE_EQ(g.ratio, 4.0);
  EXPECT_DOUBLE_EQ(g.tvd, 1.0);
  EXPECT_DOUBLE_EQ(g.distance, std::log(4.0));
  // Neither released: no gap at all.
  g = ReleaseGap(Tally{}, Tally{});
  EXPECT_DOUBLE_EQ(g.distance, 0.0);
}

TEST(GapTest, OtherReleaseGapLeavesStaleNowReleasesOut) {
  Tally m, r;
  m.releases = 10;
  m.release_hist = {10, 0, 0, 0, 0, 0, 0};
  r.releases = 30;
  r.release_hist = {10, 0, 20, 0, 0, 0, 0};
  r.AddStale(3);  // 20 of the 3-4 page releases were stale-now
  for (int i = 0; i < 19; ++i) r.AddStale(4);
  EXPECT_EQ(r.stale_now_releases, 20u);
  EXPECT_EQ(r.stale_release_hist, (SizeHistogram{0, 0, 20, 0, 0, 0, 0}));
  const Gap all = ReleaseGap(m, r);
  EXPECT_DOUBLE_EQ(all.ratio, 3.0);
  const Gap others = OtherReleaseGap(m, r);
  EXPECT_DOUBLE_EQ(others.ratio, 1.0);
  EXPECT_DOUBLE_EQ(others.tvd, 0.0);
}

}  // namespace
}  // namespace calibrate
}  // namespace thp
