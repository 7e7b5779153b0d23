#include "mheap/go121/mgcpacer.h"

#include "gtest/gtest.h"

namespace thp {
namespace go121 {
namespace {

constexpr uint64_t kMiB = 1 << 20;

TEST(GcControllerTest, FirstCycleTriggersAt61Of64OfTheMinimumHeap) {
  GcController c(100, INT64_MAX, nullptr);
  EXPECT_EQ(c.heap_minimum(), 4 * kMiB);
  const GcController::TriggerAndGoal tg = c.Trigger();
  EXPECT_EQ(tg.goal, 4 * kMiB);
  // No cons/mark estimate yet: the runway is 0 and the trigger is clamped
  // to the upper bound, heapMarked + 61/64 of the way to the goal.
  EXPECT_EQ(tg.trigger, 4 * kMiB / 64 * 61);
}

TEST(GcControllerTest, GoalCountsStacksAndGlobals) {
  GcController c(100, INT64_MAX, nullptr);
  c.AddGlobals(1 * kMiB);
  c.ResetLive(10 * kMiB, 10 * kMiB, 2 * kMiB);
  c.Commit(/*is_sweep_done=*/true);
  EXPECT_EQ(c.HeapGoal(), 10 * kMiB + 13 * kMiB);
  c.SetGcPercent(50);
  c.Commit(true);
  EXPECT_EQ(c.HeapGoal(), 10 * kMiB + 13 * kMiB / 2);
}

TEST(GcControllerTest, TriggerBounds) {
  GcController c(100, INT64_MAX, nullptr);
  c.ResetLive(10 * kMiB, 0, 0);
  c.Commit(/*is_sweep_done=*/false);  // sweepDistMinTrigger = 11 MiB
  const GcController::TriggerAndGoal tg = c.Trigger();
  EXPECT_EQ(tg.goal, 20 * kMiB);
  // max(61/64 of the runway, goal - 4 MiB).
  EXPECT_EQ(tg.trigger, 10 * kMiB / 64 * 61 + 10 * kMiB);
  // A large heap: goal - 4 MiB is the higher bound.
  c.ResetLive(1000 * kMiB, 0, 0);
  c.Commit(true);
  EXPECT_EQ(c.Trigger().trigger, 2000 * kMiB - 4 * kMiB);
}

TEST(GcControllerTest, SweepDistanceRaisesTheGoal) {
  GcController c(100, INT64_MAX, nullptr);
  c.ResetLive(0, 0, 0);
  c.Update(int64_t{5} * kMiB, 0);
  c.Commit(/*is_sweep_done=*/false);  // heapLive 5 MiB + 1 MiB > the 4 MiB minimum
  EXPECT_EQ(c.HeapGoal(), 6 * kMiB);
}

TEST(GcControllerTest, MemoryLimitGoal) {
  GcController c(-1, int64_t{64} * kMiB, [] {
    return MemoryLimitInputs{/*heap_free=*/0, /*mapped_ready=*/20 * kMiB};
  });
  c.AddTotalAlloc(int64_t{10} * kMiB);
  // 10 MiB of the 20 mapped is not heap; 3% headroom off the rest.
  const uint64_t goal = 54 * kMiB;
  EXPECT_EQ(c.MemoryLimitHeapGoal(), goal - goal / 100 * 3);
  EXPECT_EQ(c.HeapGoal(), goal - goal / 100 * 3);
  // GOGC=off with no limit: the goal is the memory limit's, maxInt64 less
  // its 3% headroom, out of reach.
  GcController off(-1, INT64_MAX, nullptr);
  const uint64_t max = INT64_MAX;
  EXPECT_EQ(off.HeapGoal(), max - max / 100 * 3);
}

}  // namespace
}  // namespace go121
}  // namespace thp
