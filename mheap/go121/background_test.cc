// Runtime::RunUntil and FreeOSMemory: sysmon's forced GC at forcegcperiod,
// the background scavenger after idle time, the background sweeper's
// turns, and the release counters.
#include <memory>

#include "gtest/gtest.h"
#include "mheap/go121/runtime.h"
#include "runtime_port/base/clock.h"
#include "runtime_port/kernel/sim_kernel.h"
#include "scavenger/go121/sysmon.h"

namespace thp {
namespace go121 {
namespace {

constexpr int64_t kStart = 1'000'000'000;
constexpr int64_t kSecond = 1'000'000'000;

class BackgroundTest : public ::testing::Test {
 protected:
  void Start(int procs, const std::string& gogc = "100") {
    RuntimeOptions o;
    o.gomaxprocs = procs;
    o.gogc = gogc;
    o.sysmon_usleep_overshoot_ns = 0;
    absl::StatusOr<std::unique_ptr<Runtime>> r = Runtime::Create(sim_, clock_, o);
    ASSERT_TRUE(r.ok()) << r.status();
    rt_ = *std::move(r);
  }
  void Run(int64_t until, bool idle) {
    rt_->RunUntil(until, idle, [this](int64_t t) {
      EXPECT_GE(t, clock_.NanoTime()) << "the clock went back";
      clock_.Set(t);
      ++clock_sets_;
    });
    EXPECT_EQ(clock_.NanoTime(), until);
  }
  int TimedCycles() const {
    int n = 0;
    for (const GcCycle& c : rt_->gc().cycles()) n += c.timed ? 1 : 0;
    return n;
  }
  // A heap with garbage left unswept by a heap-triggered cycle.
  void UnsweptGarbage() {
    for (int i = 0; i < 2048; ++i) ASSERT_TRUE(rt_->AllocateHeld(512, false, 0).ok());
    rt_->DropHeldTo(0);
    while (rt_->gc().num_gc() == 0) ASSERT_TRUE(rt_->AllocateTransient(64 << 10, false, 0).ok());
    ASSERT_FALSE(rt_->sweeper().IsSweepDone());
  }

  SimulatedKernel sim_;
  VirtualClock clock_{kStart};
  std::unique_ptr<Runtime> rt_;
  int64_t clock_sets_ = 0;
};

TEST_F(BackgroundTest, NoForcedGcBeforeTheFirstCycleEnds) {
  Start(2);
  Run(kStart + 300 * kSecond, /*idle=*/false);
  EXPECT_EQ(rt_->gc().num_gc(), 0u);
}

TEST_F(BackgroundTest, ForcedGcAtTheFirstSysmonWakeTwoMinutesAfterTheLastGc) {
  Start(2);
  ASSERT_TRUE(rt_->Allocate(1000, false, 0).ok());
  rt_->GC();
  ASSERT_EQ(rt_->gc().last_gc_nanotime(), kStart);
  // sysmon's wake-ups from kStart, busy program: the first past 2 min.
  Sysmon replica(kStart, SysmonOptions{0});
  while (replica.next_wake() - kStart <= kForceGcPeriodNs) replica.Wake(false, INT64_MAX);
  const int64_t expected = replica.next_wake();
  EXPECT_LE(expected - kStart - kForceGcPeriodNs, 10'000'000);
  Run(expected - 1, false);
  EXPECT_EQ(TimedCycles(), 0);
  Run(expected, false);
  ASSERT_EQ(TimedCycles(), 1);
  EXPECT_EQ(rt_->gc().cycles().back().end_ns, expected);
  EXPECT_FALSE(rt_->gc().cycles().back().forced);
  // And again two minutes later, not before.
  Run(expected + kForceGcPeriodNs, false);
  EXPECT_EQ(TimedCycles(), 1);
  Run(expected + kForceGcPeriodNs + 20'000'000, false);
  EXPECT_EQ(TimedCycles(), 2);
  EXPECT_EQ(rt_->background().forced_gcs(), 2);
  rt_->heap().CheckInvariants();
}

TEST_F(BackgroundTest, IdleSysmonSleepsAMinuteAtATimeAndStillForcesTheGc) {
  Start(2);
  rt_->GC();
  Run(kStart + 10 * 60 * kSecond, /*idle=*/true);
  // Rounds at +20us (then a 60 s note), +60s+20us... the cycle comes at the
  // first duty more than 2 min after kStart: 2 min + 3 usleeps of 20 us
  // after two note sleeps and the first duty round.
  ASSERT_GE(TimedCycles(), 1);
  const GcCycle* first = nullptr;
  for (const GcCycle& c : rt_->gc().cycles()) {
    if (c.timed && first == nullptr) first = &c;
  }
  EXPECT_GT(first->end_ns - kStart, kForceGcPeriodNs);
  EXPECT_LT(first->end_ns - kStart, kForceGcPeriodNs + 60 * kSecond + 1'000'000);
  // Idle sysmon wakes a few times a minute, not every 10 ms.
  EXPECT_LT(rt_->background().sysmon().rounds(), 100);
}

TEST_F(BackgroundTest, GogcOffNeverForces) {
  Start(2, "off");
  rt_->GC();
  Run(kStart + 600 * kSecond, false);
  EXPECT_EQ(TimedCycles(), 0);
}

TEST_F(BackgroundTest, ScavengerReleasesAfterIdleTimeNotBefore) {
  Start(2);
  for (int i = 0; i < 256; ++i) ASSERT_TRUE(rt_->AllocateHeld(256 << 10, true, 0).ok());
  rt_->DropHeldTo(0);
  rt_->GC();  // 64 MiB free
  rt_->GC();  // gcPaceScavenger needs a last heap goal; finishsweep_m woke the scavenger
  const uint64_t released0 = rt_->heap().stats().heap_released;
  EXPECT_EQ(rt_->released_bytes_total(), 0u);
  EXPECT_FALSE(rt_->scavenger().parked());
  Run(kStart, true);  // no time: its first run, at kStart
  const uint64_t first = rt_->released_bytes_total();
  EXPECT_GT(first, 0u);
  EXPECT_EQ(rt_->scavenge_passes(), 1);
  Run(kStart + 10 * kSecond, true);
  EXPECT_GT(rt_->released_bytes_total(), first);
  EXPECT_GT(rt_->scavenge_passes(), 1);
  EXPECT_EQ(rt_->heap().stats().heap_released - released0,
            rt_->released_bytes_total());
  // Retained memory comes down toward the goal (4 MiB + 10%).
  EXPECT_LT(rt_->heap().stats().HeapRetained(), 8u << 20);
  rt_->heap().CheckInvariants();
}

TEST_F(BackgroundTest, FreeOSMemoryReleasesEveryFreePage) {
  Start(2);
  for (int i = 0; i < 64; ++i) ASSERT_TRUE(rt_->AllocateHeld(256 << 10, true, 0).ok());
  rt_->DropHeldTo(0);
  const uint64_t gcs = rt_->gc().num_gc();
  rt_->FreeOSMemory();
  EXPECT_EQ(rt_->gc().num_gc(), gcs + 1);
  EXPECT_EQ(rt_->heap().stats().heap_free, 0u);  // free pages not released
  EXPECT_EQ(rt_->heap().stats().heap_released, 16u << 20);
  EXPECT_GE(rt_->released_bytes_total(), 16u << 20);
  EXPECT_EQ(rt_->scavenge_passes(), 1);
}

TEST_F(BackgroundTest, WithTwoPsTheBackgroundSweeperFinishesAtOnce) {
  Start(2);
  UnsweptGarbage();
  Run(clock_.NanoTime(), false);
  EXPECT_TRUE(rt_->sweeper().IsSweepDone());
  EXPECT_EQ(rt_->background().sweep_turns(), 1);
}

TEST_F(BackgroundTest, WithOnePBusyTheSweeperGetsTenSpansPerQuantum) {
  Start(1);
  UnsweptGarbage();
  const uint64_t swept0 = rt_->sweeper().pages_swept();
  Run(kStart + 5'000'000, false);
  // One batch at sysmon's first wake-up (kStart + 20 us).
  EXPECT_EQ(rt_->background().sweep_turns(), 1);
  // Span classes in order: ten of the 8-page large spans come first.
  EXPECT_EQ(rt_->sweeper().pages_swept() - swept0, 80u);
  // Wake-ups every 20 us for 51 rounds, then 40, 80, ... 10 ms: batches at
  // the first wake-up 10 ms after the last, 11.26 ms and 21.26 ms.
  Run(kStart + 25'000'000, false);
  EXPECT_EQ(rt_->background().sweep_turns(), 3);
  EXPECT_FALSE(rt_->sweeper().IsSweepDone());
  // Idle, it finishes.
  Run(kStart + 30'000'000, true);
  EXPECT_TRUE(rt_->sweeper().IsSweepDone());
  rt_->heap().CheckInvariants();
}

}  // namespace
}  // namespace go121
}  // namespace thp
