#include "bench/calibrate/sysmon_rounds.h"

#include <optional>

#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event.h"
#include "mheap/go15/events/test_events.h"

namespace thp {
namespace calibrate {
namespace {

using heaplog::At;
using heaplog::SysmonPass;

// The overshoot of a round that began outside a cycle.
std::optional<int64_t> Overshoot(const std::optional<SysmonRound>& r) {
  if (!r.has_value()) return std::nullopt;
  EXPECT_FALSE(r->in_cycle);
  return r->overshoot_ns;
}

TEST(SysmonRoundFinder, APassTenToTwentyMsAfterThePreviousGivesItsOvershoot) {
  SysmonRoundFinder f;
  EXPECT_EQ(f.Observe(At(1, SysmonPass(1000000))), std::nullopt);  // the first has no gap
  EXPECT_EQ(Overshoot(f.Observe(At(2, SysmonPass(11400000)))), std::optional<int64_t>(400000));
  EXPECT_EQ(Overshoot(f.Observe(At(3, SysmonPass(21400000)))), std::optional<int64_t>(0));
  // 20 ms or more: not one capped sleep (a note sleep, a skipped round).
  EXPECT_EQ(f.Observe(At(4, SysmonPass(41400000))), std::nullopt);
  // Under 10 ms: a shorter sleep.
  EXPECT_EQ(f.Observe(At(5, SysmonPass(41500000))), std::nullopt);
  // The gap is from the pass before, whatever it gave.
  EXPECT_EQ(Overshoot(f.Observe(At(6, SysmonPass(51600000)))), std::optional<int64_t>(100000));
}

TEST(SysmonRoundFinder, FreeOsMemorysPassesAndOtherRecordsAreNotRounds) {
  SysmonRoundFinder f;
  EXPECT_EQ(f.Observe(At(1, SysmonPass(1000000))), std::nullopt);
  EXPECT_EQ(f.Observe(At(2, SysmonPass(UINT64_MAX, -1))), std::nullopt);
  EXPECT_EQ(f.Observe(At(3, heaplog::ScavengeDone{})), std::nullopt);
  EXPECT_EQ(Overshoot(f.Observe(At(4, SysmonPass(12000000)))), std::optional<int64_t>(1000000));
}

// A round is in a cycle when its first pass came after a gc_start and
// before that cycle's gc_mark_term, whatever happened before its second.
TEST(SysmonRoundFinder, ARoundThatBeganDuringACyclesConcurrentPhaseSaysSo) {
  SysmonRoundFinder f;
  EXPECT_EQ(f.Observe(At(1, SysmonPass(1000000))), std::nullopt);
  EXPECT_EQ(f.Observe(At(2, heaplog::GcStart{})), std::nullopt);
  std::optional<SysmonRound> r = f.Observe(At(3, SysmonPass(11200000)));
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->in_cycle);  // began before the gc_start
  EXPECT_EQ(r->overshoot_ns, 200000);
  r = f.Observe(At(4, SysmonPass(21600000)));
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->in_cycle);
  EXPECT_EQ(r->overshoot_ns, 400000);
  EXPECT_EQ(f.Observe(At(5, heaplog::GcMarkTerm{})), std::nullopt);
  r = f.Observe(At(6, SysmonPass(31700000)));
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->in_cycle);  // began before the gc_mark_term
  r = f.Observe(At(7, SysmonPass(41800000)));
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->in_cycle);
}

TEST(SummarizeRounds, NearestRankQuantilesAndTheMean) {
  EXPECT_EQ(SummarizeRounds({}).rounds, 0u);
  const SysmonRounds r = SummarizeRounds({500, 100, 300, 200, 400, 100, 100, 100, 100, 1000});
  EXPECT_EQ(r.rounds, 10u);
  EXPECT_EQ(r.median_ns, 200);  // sorted: 100 x5, 200, 300, 400, 500, 1000; rank 4.5 -> 5
  EXPECT_EQ(r.p90_ns, 500);     // rank 8.1 -> 8
  EXPECT_EQ(r.mean_ns, 290);
}

}  // namespace
}  // namespace calibrate
}  // namespace thp
