// Go 1.21's TestScavenger (mgcscavenge_test.go) with the same stubs and
// checks, then the goroutine's sleep and wake on the virtual clock.
#include "scavenger/go121/bg_scavenger.h"

#include <algorithm>

#include "gtest/gtest.h"
#include "scavenger/go121/pacing.h"

namespace thp {
namespace go121 {
namespace {

constexpr uint64_t kPhys = 4096;

TEST(BackgroundScavengerTest, GoTestScavenger) {
  // Work in bytes converts to time at 10 us per page.
  auto worked_time = [](uintptr_t bytes) { return static_cast<int64_t>((bytes + 4095) / 4096) * 10000; };
  const uint64_t total_work = (64 << 20) - 3 * kPhys;
  int64_t total_slept = 0, total_worked = 0;
  uint64_t available = 0, stop_at = 0;
  ScavengerHooks hooks;
  hooks.sleep_stub = [&](int64_t ns) {
    total_slept += ns;
    return ns;
  };
  hooks.scavenge = [&](uintptr_t bytes) {
    bytes = std::min<uint64_t>(bytes, available);
    const int64_t t = worked_time(bytes);
    if (bytes != 0) {
      available -= bytes;
      total_worked += t;
    }
    return ScavengeWork{bytes, t};
  };
  hooks.should_stop = [&] { return available <= stop_at; };
  hooks.gomaxprocs = [] { return 1; };
  VirtualClock clock;
  BackgroundScavenger s(clock, hooks);
  ASSERT_TRUE(s.parked());

  auto verify = [&](uint64_t exp_work) {
    EXPECT_EQ(s.released_total(), exp_work);
    const double ideal = kScavengePercent / 100.0;
    const double cpu = static_cast<double>(total_worked) / (total_worked + total_slept);
    EXPECT_GE(cpu, ideal - 0.005);
    EXPECT_LE(cpu, ideal + 0.005);
  };
  // BlockUntilParked: with a sleep stub one RunDue runs until it parks.
  auto run_until_parked = [&] {
    s.RunDue();
    ASSERT_TRUE(s.parked());
    ASSERT_FALSE(s.sleeping());
  };

  available = total_work;
  s.Wake();
  run_until_parked();
  verify(total_work);

  // No work: straight back to sleep.
  s.Wake();
  run_until_parked();
  verify(total_work);

  available = total_work;
  s.Wake();
  run_until_parked();
  verify(2 * total_work);

  // Stop part way.
  available = total_work;
  const uint64_t stopping_point = (1 << 20) - 3 * kPhys;
  stop_at = stopping_point;
  s.Wake();
  run_until_parked();
  verify(2 * total_work + (total_work - stopping_point));
}

// A heap with `available` bytes to release, 64 KiB a call, on the clock.
class ClockHarness {
 public:
  explicit ClockHarness(uint64_t available) : available_(available) {
    ScavengerHooks h;
    h.scavenge = [this](uintptr_t n) {
      const uintptr_t r = std::min<uint64_t>(n, available_);
      available_ -= r;
      ++calls_;
      return ScavengeWork{r, 0};  // the virtual clock does not move
    };
    h.should_stop = [] { return false; };
    h.gomaxprocs = [] { return 2; };
    s_ = std::make_unique<BackgroundScavenger>(clock_, h);
  }
  VirtualClock clock_{1'000'000'000};
  uint64_t available_;
  int calls_ = 0;
  std::unique_ptr<BackgroundScavenger> s_;
};

TEST(BackgroundScavengerTest, RunsAtLeastOneMillisecondThenSleepsOnTheClock) {
  ClockHarness h(64 << 20);
  BackgroundScavenger& s = *h.s_;
  EXPECT_EQ(s.RunDue(), 0u);  // parked until woken
  s.Wake();
  // 1 ms at 10 us a page is 100 pages: seven 64 KiB calls (112 pages).
  EXPECT_EQ(s.RunDue(), 7u * (64 << 10));
  EXPECT_EQ(h.calls_, 7);
  ASSERT_TRUE(s.sleeping());
  // worked = 1.12 ms, sleepRatio = 0.001: 1.12 s of sleep.
  EXPECT_EQ(s.timer_deadline(), h.clock_.NanoTime() + 1'120'000'000);
  h.clock_.Advance(1'119'999'999);
  EXPECT_EQ(s.RunDue(), 0u);
  h.clock_.Advance(1);
  EXPECT_EQ(s.RunDue(), 7u * (64 << 10));
  // The controller saw 1.12 ms of work in 1.12112 s over 2 Ps: 0.05%, far
  // under 1%, so the ratio went up and the next sleep is shorter.
  EXPECT_GT(s.sleep_ratio(), kStartingScavSleepRatio);
  EXPECT_LT(s.timer_deadline() - h.clock_.NanoTime(), 1'120'000'000);
}

TEST(BackgroundScavengerTest, WakeCutsASleepShortAndSysmonDeliversReady) {
  ClockHarness h(64 << 20);
  BackgroundScavenger& s = *h.s_;
  s.Ready();
  EXPECT_EQ(s.RunDue(), 0u);  // ready() alone does nothing until sysmon looks
  s.SysmonCheck();
  EXPECT_FALSE(s.sysmon_wake());
  EXPECT_GT(s.RunDue(), 0u);
  ASSERT_TRUE(s.sleeping());
  h.clock_.Advance(1000);
  s.Wake();
  EXPECT_GT(s.RunDue(), 0u);  // ran 1 us after going to sleep
}

TEST(BackgroundScavengerTest, ParksWhenNothingIsReleased) {
  ClockHarness h(100 << 10);  // one full quantum and a bit
  BackgroundScavenger& s = *h.s_;
  s.Wake();
  EXPECT_EQ(s.RunDue(), 100u << 10);  // the short call ends the run
  ASSERT_TRUE(s.sleeping());
  h.clock_.Set(s.timer_deadline());
  EXPECT_EQ(s.RunDue(), 0u);
  EXPECT_TRUE(s.parked());
  EXPECT_FALSE(s.sleeping());
}

TEST(BackgroundScavengerTest, ReleasingLessThanAPhysicalPageThrows) {
  ScavengerHooks h;
  h.scavenge = [](uintptr_t) { return ScavengeWork{100, 0}; };
  h.should_stop = [] { return false; };
  h.gomaxprocs = [] { return 1; };
  VirtualClock clock;
  BackgroundScavenger s(clock, h);
  s.Wake();
  EXPECT_DEATH(s.RunDue(), "released less than one physical page of memory");
}

}  // namespace
}  // namespace go121
}  // namespace thp
