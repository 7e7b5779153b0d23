#include "bench/calibrate/sweep_lock_waits.h"

#include <vector>

#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event.h"
#include "mheap/go15/events/test_events.h"

namespace thp {
namespace calibrate {
namespace {

using heaplog::At;
using heaplog::SysmonPass;


heaplog::Free SweepFree(heaplog::FreeWhy why = heaplog::FreeWhy::kCentral) {
  return heaplog::SpanFree(0, 1, why);
}

// A window from gc_done at 100 to its last sweep free at 140 (three frees),
// in segment 0, with two passes that read their clocks in it: the first
// took the lock at once, the second only after the last free.
void ObserveAWindowWithTwoPasses(SweepLockWaitFinder& f) {
  f.Observe(0, At(100, heaplog::GcDone{}));
  f.Observe(0, At(110, SweepFree()));
  f.Observe(0, At(121, SysmonPass(120)));  // took the lock at once
  f.Observe(0, At(130, SweepFree(heaplog::FreeWhy::kLarge)));
  f.Observe(0, At(140, SweepFree()));      // the window's last free
  f.Observe(0, At(141, SysmonPass(135)));  // read its clock before it: waited
}

TEST(SweepLockWaitFinder, APassInsideTheSweepWaitedWhenItsRecordComesAfterTheLastFree) {
  SweepLockWaitFinder f;
  ObserveAWindowWithTwoPasses(f);
  f.Observe(0, At(150, SysmonPass(145)));    // read its clock after it: outside
  f.Observe(0, At(200, heaplog::GcStart{}));
  const std::vector<SweepLockWaits> c = f.Finish();
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].passes_in_sweep, 2u);
  EXPECT_EQ(c[0].waited, 1u);
}

TEST(SweepLockWaitFinder, OnlySweepFreesMakeTheWindowAndItOpensAtGcDone) {
  SweepLockWaitFinder f;
  f.Observe(0, At(5, SysmonPass(4)));         // before any cycle ended
  f.Observe(0, At(10, SweepFree()));    // before gc_done: no window
  f.Observe(0, At(100, heaplog::GcDone{}));
  f.Observe(0, At(105, SysmonPass(99)));      // its clock read before gc_done
  f.Observe(0, At(110, SweepFree(heaplog::FreeWhy::kStack)));
  f.Observe(0, At(111, SweepFree(heaplog::FreeWhy::kTrim)));
  f.Observe(0, At(121, SysmonPass(120)));     // no sweep free in the window
  f.Observe(0, At(130, SysmonPass(UINT64_MAX, -1)));  // FreeOSMemory's
  f.Observe(0, At(200, heaplog::GcStart{}));
  const std::vector<SweepLockWaits> c = f.Finish();
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].passes_in_sweep, 0u);
  EXPECT_EQ(c[0].waited, 0u);
}

TEST(SweepLockWaitFinder, APassRecordedAfterTheNextCycleStartedWaitedPastTheSweep) {
  SweepLockWaitFinder f;
  f.Observe(0, At(100, heaplog::GcDone{}));
  f.Observe(0, At(110, SweepFree()));
  f.Observe(0, At(200, heaplog::GcStart{}));
  f.Observe(1, At(210, SysmonPass(105)));  // in segment 1, after the next gc_start
  f.Observe(1, At(300, heaplog::GcDone{}));
  f.Observe(1, At(305, SysmonPass(108)));  // and one after the next gc_done
  const std::vector<SweepLockWaits> c = f.Finish();
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].passes_in_sweep, 0u);
  EXPECT_EQ(c[1].passes_in_sweep, 2u);
  EXPECT_EQ(c[1].waited, 2u);
}

TEST(SweepLockWaitFinder, AWindowOpenAtTheEndClosesAtItsLastFree) {
  SweepLockWaitFinder f;
  f.Observe(3, At(100, heaplog::GcDone{}));
  f.Observe(3, At(110, SweepFree()));
  f.Observe(3, At(112, SysmonPass(105)));
  const std::vector<SweepLockWaits> c = f.Finish();
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[3].passes_in_sweep, 1u);
  EXPECT_EQ(c[3].waited, 1u);
}

// Each pass counted also carries its window's sweep frees and length: the
// window from gc_done to its last sweep free, whether the pass waited inside
// it or past the next cycle's start.
TEST(SweepLockWaitFinder, EachPassInASweepCarriesItsWindowsFreeRate) {
  SweepLockWaitFinder f;
  ObserveAWindowWithTwoPasses(f);
  f.Observe(0, At(200, heaplog::GcStart{}));
  f.Observe(1, At(210, SysmonPass(125)));  // waited past the next gc_start
  f.Finish();
  const std::vector<PassInSweep>& p = f.passes();
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].segment, 0u);
  EXPECT_EQ(p[0].window_frees, 3u);
  EXPECT_EQ(p[0].window_ns, 40);
  EXPECT_FALSE(p[0].waited);
  EXPECT_DOUBLE_EQ(p[0].FreesPerMs(), 3e6 / 40);
  EXPECT_TRUE(p[1].waited);
  EXPECT_EQ(p[2].segment, 1u);
  EXPECT_EQ(p[2].window_frees, 3u);
  EXPECT_EQ(p[2].window_ns, 40);
  EXPECT_TRUE(p[2].waited);
  // A window of one instant counts as 1 ns long.
  EXPECT_DOUBLE_EQ((PassInSweep{0, 1, 0, false}.FreesPerMs()), 1e6);
}

// Waits in proportion to each benchmark's passes are what a single rate
// gives: no gap, and every drawn suite reaches it.
TEST(UniformRateDispersion, WaitsInProportionToThePassesFitOneRate) {
  const WaitDispersion d = UniformRateDispersion(
      {SweepLockWaits{100, 5}, SweepLockWaits{0, 0}, SweepLockWaits{200, 10},
       SweepLockWaits{300, 15}},
      500, 1);
  EXPECT_EQ(d.benchmarks, 3u);  // the one with no pass in a sweep left out
  EXPECT_DOUBLE_EQ(d.rate, 0.05);
  EXPECT_DOUBLE_EQ(d.chi_square, 0);
  EXPECT_EQ(d.simulations, 500);
  EXPECT_DOUBLE_EQ(d.p_value, 1);
}

// Every wait in one of ten like benchmarks: no suite drawn at the rate
// comes near, so the waits are not one rate's.
TEST(UniformRateDispersion, WaitsAllInOneBenchmarkAreNotOneRates) {
  std::vector<SweepLockWaits> by(10, SweepLockWaits{100, 0});
  by[3].waited = 30;
  const WaitDispersion d = UniformRateDispersion(by, 1000, 7);
  EXPECT_DOUBLE_EQ(d.rate, 0.03);
  // (30 - 3)^2 / 3 for the one, 3 for each of the nine others.
  EXPECT_NEAR(d.chi_square, 243 + 9 * 3, 1e-9);
  EXPECT_EQ(d.p_value, 0);
}

// A middling spread gets a p_value between, the same for the same seed,
// and a different draw for another seed.
TEST(UniformRateDispersion, ThePValueIsSeededAndBetweenTheExtremes) {
  const std::vector<SweepLockWaits> by = {{50, 3}, {50, 0}, {60, 2}, {40, 1}, {45, 0}};
  const WaitDispersion a = UniformRateDispersion(by, 2000, 1);
  EXPECT_GT(a.p_value, 0.05);
  EXPECT_LT(a.p_value, 0.95);
  EXPECT_EQ(UniformRateDispersion(by, 2000, 1).p_value, a.p_value);
  EXPECT_EQ(UniformRateDispersion(by, 2000, 2).chi_square, a.chi_square);
}

// Nothing waited: no rate to spread.
TEST(UniformRateDispersion, NoWaitsGiveNoGap) {
  const WaitDispersion d = UniformRateDispersion({SweepLockWaits{40, 0}}, 100, 1);
  EXPECT_EQ(d.benchmarks, 1u);
  EXPECT_EQ(d.rate, 0);
  EXPECT_EQ(d.chi_square, 0);
  EXPECT_EQ(d.p_value, 1);
}

}  // namespace
}  // namespace calibrate
}  // namespace thp
