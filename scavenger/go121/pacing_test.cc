// gcPaceScavenger of go1.21.x, the memoryLimitGoal bug included, and Go's
// float64-to-uint64 conversion on amd64.
#include "scavenger/go121/pacing.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace thp {
namespace go121 {
namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;

TEST(PacingTest, FloatToUint64AsGoOnAmd64) {
  EXPECT_EQ(GoFloat64ToUint64(1.9), 1u);
  EXPECT_EQ(GoFloat64ToUint64(9223372036854775808.0), uint64_t{1} << 63);
  EXPECT_EQ(GoFloat64ToUint64(12e18), uint64_t{12000000000000000000u});
  // Past 2^64: the indefinite integer, with the top bit set.
  EXPECT_EQ(GoFloat64ToUint64(1e30), uint64_t{1} << 63);
}

TEST(PacingTest, NoGcPercentGoalBeforeTheFirstGc) {
  PacingInputs in;
  in.memory_limit = INT64_MAX;
  in.heap_retained = 500 * kMiB;
  const ScavengeGoals g = GcPaceScavenger(in);
  EXPECT_EQ(g.gc_percent_goal, kNoGoal);
  EXPECT_EQ(g.memory_limit_goal, kNoGoal);
  // And the zero value before any commit is 0, not "none".
  EXPECT_EQ(ScavengeGoals().gc_percent_goal, 0u);
}

TEST(PacingTest, GcPercentGoalScalesLastHeapInUse) {
  PacingInputs in;
  in.memory_limit = INT64_MAX;
  in.heap_goal = 200 * kMiB;
  in.last_heap_goal = 100 * kMiB;
  in.last_heap_in_use = 50 * kMiB;
  in.heap_retained = 200 * kMiB;
  // 50 MiB * 2 = 100 MiB, + 10% = 110 MiB, already page aligned.
  EXPECT_EQ(GcPaceScavenger(in).gc_percent_goal, 110 * kMiB);
  in.heap_retained = 110 * kMiB + 4095;  // within a page of it: no goal
  EXPECT_EQ(GcPaceScavenger(in).gc_percent_goal, kNoGoal);
}

TEST(PacingTest, MemoryLimitGoalIs95TimesTheLimitIn121) {
  PacingInputs in;
  in.memory_limit = int64_t{1} << 30;
  in.mapped_ready = uint64_t{2} << 30;  // twice the limit
  // With master's 0.95 the goal would be 972.8 MiB and the scavenger would
  // work; 1.21's 95 GiB says the limit is far away.
  EXPECT_EQ(GcPaceScavenger(in).memory_limit_goal, kNoGoal);
  in.mapped_ready = uint64_t{96} << 30;
  EXPECT_EQ(GcPaceScavenger(in).memory_limit_goal, uint64_t{95} << 30);
}

}  // namespace
}  // namespace go121
}  // namespace thp
