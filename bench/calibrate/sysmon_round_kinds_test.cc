#include "bench/calibrate/sysmon_round_kinds.h"

#include "bench/calibrate/sysmon_rounds.h"
#include "bench/workloads/go15_suite.h"
#include "bench/workloads/go15_suite_testing.h"
#include "gtest/gtest.h"

namespace thp {
namespace calibrate {
namespace {

constexpr SysmonRound kOutside{300000, false};
constexpr SysmonRound kInCycle{300000, true};

TEST(SysmonRoundKinds, ALoopThatKeepsEveryPBusyHasBusyRounds) {
  const SysmonRoundKinds k(Go15BenchmarkNamed("BenchmarkChanSem"));
  EXPECT_EQ(k.Of(kOutside), SysmonRoundKind::kEveryPBusy);
  EXPECT_EQ(k.Of(kInCycle), SysmonRoundKind::kEveryPBusy);
}

// benchHelper's iterations sleep 10 ms and call runtime.GC();
// GoroutineIdle's call runtime.GC().
TEST(SysmonRoundKinds, ALoopThatSleepsOrGcsLeavesSysmonOnItsNote) {
  for (const char* name : {"BenchmarkGoroutineSelect", "BenchmarkGoroutineIdle"}) {
    const SysmonRoundKinds k(Go15BenchmarkNamed(name));
    EXPECT_TRUE(k.loop_sleeps_or_gcs()) << name;
    EXPECT_EQ(k.Of(kOutside), SysmonRoundKind::kNoteSleeps) << name;
  }
}

// Memmove's loop has no preemption point: a round that began during a
// cycle (the forced GC's stop waiting for the loop) is note sleeps; one
// outside is a 10 ms sleep.
TEST(SysmonRoundKinds, ALoopWithoutAPreemptionPointHoldsAStopDuringACycle) {
  const SysmonRoundKinds k(Go15BenchmarkNamed("BenchmarkMemmove64"));
  EXPECT_FALSE(k.loop_sleeps_or_gcs());
  EXPECT_EQ(k.Of(kInCycle), SysmonRoundKind::kNoteSleeps);
  EXPECT_EQ(k.Of(kOutside), SysmonRoundKind::kCapped);
}

TEST(SysmonRoundKinds, AnAllocatingLoopHasTenMsSleepsInAndOutOfCycles) {
  const SysmonRoundKinds k(Go15BenchmarkNamed("BenchmarkMalloc16"));
  EXPECT_FALSE(k.loop_sleeps_or_gcs());
  EXPECT_EQ(k.Of(kInCycle), SysmonRoundKind::kCapped);
  EXPECT_EQ(k.Of(kOutside), SysmonRoundKind::kCapped);
}

}  // namespace
}  // namespace calibrate
}  // namespace thp
