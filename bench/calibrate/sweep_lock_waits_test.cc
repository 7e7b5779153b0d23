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

// The records' order decides whether a pass waited, not their times: at one
// instant (as a model makes them), a pass recorded before the window's last
// free took the lock before it, one recorded after it waited.
TEST(SweepLockWaitFinder, AtOneInstantTheRecordsOrderDecidesWhetherAPassWaited) {
  SweepLockWaitFinder f;
  f.Observe(0, At(100, heaplog::GcDone{}));
  f.Observe(0, At(110, SweepFree()));
  f.Observe(0, At(120, SysmonPass(105)));  // before the free at its instant
  f.Observe(0, At(120, SweepFree()));      // the window's last free
  f.Observe(0, At(120, SysmonPass(115)));  // after it
  f.Observe(0, At(200, heaplog::GcStart{}));
  const std::vector<SweepLockWaits> c = f.Finish();
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].passes_in_sweep, 2u);
  EXPECT_EQ(c[0].waited, 1u);
  ASSERT_EQ(f.passes().size(), 2u);
  EXPECT_FALSE(f.passes()[0].waited);
  EXPECT_TRUE(f.passes()[1].waited);
}

// A pass is mid-burst when a sweep free came less than kMidBurstNs before
// its clock read; one that read it before the window's first free is not.
// One that read it less than kJustAfterNs after a window's last free, in
// the window or once the next cycle started, counts as just after it, and
// one in the kJustAfterNs after that as next after.
TEST(SweepLockWaitFinder, TellsPassesMidBurstAndJustAfterTheSweep) {
  SweepLockWaitFinder f;
  constexpr int64_t kDone = 1'000'000;
  f.Observe(0, At(kDone, heaplog::GcDone{}));
  f.Observe(0, At(kDone + 10'000, SysmonPass(kDone + 5'000)));  // before any free
  f.Observe(0, At(kDone + 20'000, SweepFree()));
  f.Observe(0, At(kDone + 30'000, SweepFree()));
  f.Observe(0, At(kDone + 129'000, SysmonPass(kDone + 128'000)));  // 98 us after a free
  f.Observe(0, At(kDone + 200'000, SysmonPass(kDone + 130'000)));  // 100 us after: not
  f.Observe(0, At(kDone + 300'000, SweepFree()));                   // the last free
  f.Observe(0, At(kDone + 320'000, SysmonPass(kDone + 310'000)));  // just after it
  f.Observe(0, At(kDone + 400'000, SysmonPass(kDone + 350'000)));  // 50 us after: next
  f.Observe(0, At(kDone + 450'000, SysmonPass(kDone + 400'000)));  // 100 us after: neither
  f.Observe(0, At(kDone + 500'000, heaplog::GcStart{}));
  f.Observe(1, At(kDone + 600'000, SysmonPass(kDone + 349'999)));  // just after, seen late
  f.Observe(1, At(kDone + 700'000, SysmonPass(kDone + 299'000)));  // waited past the sweep
  const std::vector<SweepLockWaits> c = f.Finish();
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].passes_in_sweep, 3u);
  EXPECT_EQ(c[0].waited, 0u);
  EXPECT_EQ(c[0].mid_burst, 1u);
  EXPECT_EQ(c[0].mid_burst_waited, 0u);
  EXPECT_EQ(c[0].just_after, 1u);
  EXPECT_EQ(c[0].next_after, 1u);
  EXPECT_EQ(c[1].passes_in_sweep, 1u);
  EXPECT_EQ(c[1].mid_burst, 0u);  // 269 us after the free before it
  EXPECT_EQ(c[1].waited, 1u);
  EXPECT_EQ(c[1].just_after, 1u);
  EXPECT_EQ(c[1].next_after, 0u);
  const std::vector<PassInSweep>& p = f.passes();
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].since_free_ns, -1);
  EXPECT_EQ(p[1].since_free_ns, 98'000);
  EXPECT_TRUE(p[1].MidBurst());
  EXPECT_EQ(p[2].since_free_ns, 100'000);
  EXPECT_FALSE(p[2].MidBurst());
  EXPECT_EQ(p[3].since_free_ns, 269'000);
  EXPECT_TRUE(p[3].waited);
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
