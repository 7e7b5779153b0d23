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


TEST(SysmonRoundFinder, APassTenToTwentyMsAfterThePreviousGivesItsOvershoot) {
  SysmonRoundFinder f;
  EXPECT_EQ(f.Observe(At(1, SysmonPass(1000000))), std::nullopt);  // the first has no gap
  EXPECT_EQ(f.Observe(At(2, SysmonPass(11400000))), std::optional<int64_t>(400000));
  EXPECT_EQ(f.Observe(At(3, SysmonPass(21400000))), std::optional<int64_t>(0));
  // 20 ms or more: not one capped sleep (a note sleep, a skipped round).
  EXPECT_EQ(f.Observe(At(4, SysmonPass(41400000))), std::nullopt);
  // Under 10 ms: a shorter sleep.
  EXPECT_EQ(f.Observe(At(5, SysmonPass(41500000))), std::nullopt);
  // The gap is from the pass before, whatever it gave.
  EXPECT_EQ(f.Observe(At(6, SysmonPass(51600000))), std::optional<int64_t>(100000));
}

TEST(SysmonRoundFinder, FreeOsMemorysPassesAndOtherRecordsAreNotRounds) {
  SysmonRoundFinder f;
  EXPECT_EQ(f.Observe(At(1, SysmonPass(1000000))), std::nullopt);
  EXPECT_EQ(f.Observe(At(2, SysmonPass(UINT64_MAX, -1))), std::nullopt);
  EXPECT_EQ(f.Observe(At(3, heaplog::ScavengeDone{})), std::nullopt);
  EXPECT_EQ(f.Observe(At(4, SysmonPass(12000000))), std::optional<int64_t>(1000000));
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
