// A Go 1.5 background cycle's concurrent phase on the replayer's virtual
// clock (mheap/go15/mgc.h): it lasts kBackgroundCycleNs, or until
// runtime.GC() waits for it; the program allocates on meanwhile until it
// has allocated what it does in a mark (GcModel::MarkGrowthCap), then
// waits for the mark's end (go1.5.1 mgcmark.go gcAssistAlloc), and what it
// stores through the write barrier then is marked (go1.5.1 mgc.go gc(),
// mbarrier.go writebarrierptr).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/workloads/trace_format.h"
#include "bench/workloads/trace_line_testing.h"
#include "bench/workloads/trace_replayer.h"
#include "gtest/gtest.h"
#include "mheap/go15/mark_share.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

constexpr uint64_t kLarge = 16384;  // a 2-page large object
constexpr uint64_t kSmall = 1024;   // a size class of its own
// What the GC's own goroutines keep live from the first background cycle
// on (go1.5.1 startGC's backgroundgc and a mark worker per P, of 2 Ps):
// three g structs of the 384-byte class and allgs, 4 pointers.
constexpr uint64_t kGcGoroutines = 3 * 384 + 32;
// Those three goroutines, in allgs and alive, their stacks scanned in every
// cycle from then on:
// how long a background cycle's mark and runtime.GC()'s stopped world last.
constexpr int64_t kMarkNs =
    kBackgroundCycleNs + 3 * (kBackgroundCycleNsPerAllG + kBackgroundCycleNsPerG);
constexpr int64_t kStoppedNs =
    kBlockingCycleNs + 3 * (kBlockingCycleNsPerAllG + kBlockingCycleNsPerG);

class MarkPhaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<TraceReplayer>> r =
        TraceReplayer::Create(sim_, RuntimeOptions(), /*scavenge_debug=*/false, nullptr);
    ASSERT_TRUE(r.ok()) << r.status();
    r_ = *std::move(r);
  }
  void Apply(const std::string& line) { ApplyTraceLine(*r_, line); }
  // An object the program drops at once, with `flags` on its alloc line.
  void Garbage(uint64_t bytes, const std::string& flags = "") {
    ++ids_;
    Apply(absl::StrCat("alloc ", ids_, " ", bytes, " scan 0", flags));
    Apply(absl::StrCat("drop ", ids_));
  }
  // A first background cycle (it makes the GC's goroutines), runtime.GC(),
  // then garbage until an allocation starts another background cycle (its
  // concurrent phase runs when this returns), the program computing
  // `between_ns` after each object (0: no time passes).
  void GarbageUntilACycleStarts(int64_t between_ns = 0) {
    while (gc().cycles_started() < 1) Garbage(kLarge);
    Apply("compute 2000000");
    Apply("gc");
    first_ = gc().cycles().size();
    while (gc().cycles_started() < first_ + 1) GarbageThenCompute(between_ns);
    ASSERT_TRUE(gc().marking());
  }
  // The same garbage on, until the measured cycle's mark ends.
  void GarbageUntilTheMarkEnds(int64_t between_ns = 0) {
    while (gc().marking()) GarbageThenCompute(between_ns);
  }
  void GarbageThenCompute(int64_t ns) {
    Garbage(kLarge);
    if (ns > 0) Apply(absl::StrCat("compute ", ns));
  }
  // runtime.GC()'s cycle before the measured one.
  const GcCycle& Forced() { return gc().cycles().at(first_ - 1); }
  // The measured cycle, once it has ended.
  const GcCycle& Measured() { return gc().cycles().at(first_); }
  const GcModel& gc() { return r_->runtime().gc(); }
  const MemStats& stats() { return r_->runtime().heap().stats(); }

  SimulatedKernel sim_;
  std::unique_ptr<TraceReplayer> r_;
  uint64_t ids_ = 0;
  size_t first_ = 0;  // cycles ended before the measured one
};

// The cycle is recorded, sweepgen bumped and the garbage swept only when
// its concurrent phase ends, kMarkNs after it started; the
// program's allocations meanwhile grow the heap, and the cycle's pacing
// sees that growth (heap1 > heap0).
TEST_F(MarkPhaseTest, ACycleEndsItsMarkOnTheClock) {
  GarbageUntilACycleStarts();
  const int64_t start = r_->now_ns();
  const uint32_t sweepgen = r_->runtime().heap().sweepgen();
  EXPECT_EQ(gc().mark_end_ns(), start + kMarkNs);
  for (int i = 0; i < 8; ++i) Garbage(kLarge);
  Apply("compute 500000");  // 0.5 ms: not yet
  EXPECT_TRUE(gc().marking());
  EXPECT_EQ(gc().cycles().size(), first_);
  EXPECT_EQ(r_->runtime().heap().sweepgen(), sweepgen);
  Apply("compute 1000000");
  EXPECT_FALSE(gc().marking());
  ASSERT_EQ(gc().cycles().size(), first_ + 1);
  const GcCycle& c = Measured();
  EXPECT_EQ(c.mode, GcMode::kBackground);
  EXPECT_EQ(c.start_ns, start);
  EXPECT_EQ(c.end_ns, start + kMarkNs);
  EXPECT_EQ(c.heap1, c.heap0 + 8 * kLarge);
  EXPECT_EQ(c.heap2, kLarge + kGcGoroutines);  // and the object whose allocation started it
  EXPECT_EQ(r_->runtime().heap().sweepgen(), sweepgen + 2);
  r_->runtime().heap().CheckInvariants();
}

// Chain links held when the mark ends are rescanned in mark termination
// (kChainLinkRescanNs each, go1.5.1 scanstack's tracebackdefers), the
// world stopped: the cycle ends that much later, and so does the program's
// work that the stop held up; a sleeping program wakes on time.
TEST_F(MarkPhaseTest, MarkTerminationRescansTheHeldChainWithTheWorldStopped) {
  for (int i = 0; i < 10; ++i) Apply(absl::StrCat("alloc ", 1000 + i, " 80 scan 0 chain"));
  GarbageUntilACycleStarts();
  const int64_t start = r_->now_ns();
  const int64_t mark = kMarkNs + 10 * kChainLinkMarkNs;
  EXPECT_EQ(gc().mark_end_ns(), start + mark);
  Apply("compute 3000000");
  ASSERT_EQ(gc().cycles().size(), first_ + 1);
  EXPECT_EQ(Measured().end_ns, start + mark + 10 * kChainLinkRescanNs);
  EXPECT_EQ(r_->now_ns(), start + 3000000 + 10 * kChainLinkRescanNs);
  // The next cycle ends while the program sleeps.
  while (gc().cycles_started() < first_ + 2) Garbage(kLarge);
  const int64_t asleep = r_->now_ns();
  Apply("sleep 5000000");
  ASSERT_EQ(gc().cycles().size(), first_ + 2);
  EXPECT_EQ(r_->now_ns(), asleep + 5000000);
}

// Objects the program stores through the write barrier during the
// concurrent phase are marked, dropped or not; the same objects held only
// in locals are garbage to that cycle and swept.
TEST_F(MarkPhaseTest, TheWriteBarrierShadesWhatTheProgramStoresDuringTheMark) {
  GarbageUntilACycleStarts();
  for (int i = 0; i < 10; ++i) Garbage(kSmall, " writebarrier");
  for (int i = 0; i < 7; ++i) Garbage(kSmall);
  Garbage(kSmall, " systemstack writebarrier");
  Apply("compute 2000000");
  ASSERT_EQ(gc().cycles().size(), first_ + 1);
  EXPECT_EQ(Measured().heap2, kGcGoroutines + kLarge + 11 * kSmall);
  // Stored before or after the phase, nothing is shaded.
  for (int i = 0; i < 5; ++i) Garbage(kSmall, " writebarrier");
  Apply("gc");
  EXPECT_EQ(gc().cycles().back().heap2, kGcGoroutines);
  r_->runtime().heap().CheckInvariants();
}

// A batched loop of stored objects makes the decisions the same objects
// applied one by one make, also where an allocation partway through the
// loop starts the cycle whose barrier then shades the rest.
TEST(MarkPhaseBatched, AStoredRunThatStartsACycleShadesAsOneByOne) {
  auto run = [](bool batched) {
    SimulatedKernel sim;
    const std::unique_ptr<TraceReplayer> r = ReplayTraceText(
        sim,
        "thp-trace 1\ngc\nloop 5000 0\nalloc 1 1024 scan 0 writebarrier\ndrop 1\nend\n"
        "compute 2000000\n",
        batched);
    EXPECT_NE(r, nullptr);
    if (r == nullptr) return std::make_pair(uint64_t{0}, uint64_t{0});
    const GcModel& gc = r->runtime().gc();
    EXPECT_EQ(gc.cycles().size(), 2u);
    return std::make_pair(gc.cycles().back().heap2, r->runtime().heap().stats().heap_inuse);
  };
  const auto batched = run(true);
  EXPECT_EQ(batched, run(false));
  EXPECT_GT(batched.first, kGcGoroutines + 100 * kSmall);  // the phase's stores, marked
}

// With no time passing since runtime.GC() ended, the program's rate is
// unknown, and the program allocates as far as go1.5.1 revise's pacing
// lets it: the heap 1 MiB past its start (the goal lies nearer). The
// allocation that found it there waits for the mark's end on the clock,
// the object still held (and so marked).
TEST_F(MarkPhaseTest, AProgramOutpacingTheMarkWaitsAtRevisesDistance) {
  GarbageUntilACycleStarts();
  const int64_t start = r_->now_ns();
  GarbageUntilTheMarkEnds();
  ASSERT_EQ(gc().cycles().size(), first_ + 1);
  const GcCycle& c = Measured();
  EXPECT_EQ(c.mark_term_ns, start + kMarkNs);
  EXPECT_EQ(c.end_ns, start + kMarkNs);
  EXPECT_EQ(r_->now_ns(), start + kMarkNs);
  EXPECT_FALSE(gc().program_waits_for_mark());
  EXPECT_LT(c.heap_goal, c.heap0 + (1 << 20));
  EXPECT_EQ(c.mark_growth_cap, 1u << 20);
  EXPECT_GE(c.heap1, c.heap0 + (1 << 20));
  EXPECT_LT(c.heap1, c.heap0 + (1 << 20) + kLarge);
  EXPECT_EQ(c.heap2, kGcGoroutines + 2 * kLarge);  // and the objects that started and ended it
}

// A program that allocated fast since runtime.GC() ended (16 KiB every
// 100 us, 0.16 bytes/ns) allocates in the mark its drawn share of the mark's length
// at that rate (mheap/go15/mark_share.h); the allocation that reaches it
// waits for the mark's end on the clock, where at its rate the program
// would have allocated more.
TEST_F(MarkPhaseTest, AFastProgramWaitsOnceItAllocatedItsShareOfTheMark) {
  GarbageUntilACycleStarts(100000);
  GarbageUntilTheMarkEnds(100000);
  ASSERT_EQ(gc().cycles().size(), first_ + 1);
  const GcCycle& c = Measured();
  MarkShareDraws draws;
  draws.Next();  // the first background cycle's
  EXPECT_EQ(c.mark_share, draws.Next());
  const double rate = static_cast<double>(c.heap0 - Forced().heap2) /
                      static_cast<double>(c.start_ns - Forced().end_ns);
  EXPECT_GE(rate, kMarkShareMinBytesPerNs);
  EXPECT_EQ(c.mark_growth_cap,
            static_cast<uint64_t>(c.mark_share * static_cast<double>(kMarkNs) * rate));
  EXPECT_LT(c.mark_growth_cap, 1u << 20);
  EXPECT_GE(c.heap1, c.heap0 + c.mark_growth_cap);
  EXPECT_LT(c.heap1, c.heap0 + c.mark_growth_cap + kLarge);
  EXPECT_LT(static_cast<double>(c.mark_growth_cap), 0.5 * rate * static_cast<double>(kMarkNs));
  EXPECT_EQ(c.mark_term_ns, c.start_ns + kMarkNs);
}

// A program allocating slower than the shares were measured on (16 KiB a
// millisecond, 0.016 bytes/ns) draws too, but only revise's distance
// bounds it: its mark ends on the clock.
TEST_F(MarkPhaseTest, ASlowProgramsMarkEndsOnTheClock) {
  GarbageUntilACycleStarts(500000);
  GarbageUntilTheMarkEnds(500000);
  ASSERT_EQ(gc().cycles().size(), first_ + 1);
  const GcCycle& c = Measured();
  EXPECT_GT(c.mark_share, 0);
  EXPECT_EQ(c.mark_growth_cap, 1u << 20);
  EXPECT_EQ(c.mark_term_ns, c.start_ns + kMarkNs);
  EXPECT_EQ(c.heap1, c.heap0 + kLarge);  // one more allocation in the 0.70 ms
}

// The draws start from RuntimeOptions::mark_share_seed (the drivers'
// --mark_share_seed): the first background cycle takes its seed's first.
TEST(MarkShareSeed, TheRuntimesOptionsSeedTheDraws) {
  for (uint64_t seed : {kMarkShareSeed, uint64_t{7}}) {
    SimulatedKernel sim;
    RuntimeOptions o;
    o.mark_share_seed = seed;
    absl::StatusOr<std::unique_ptr<TraceReplayer>> r =
        TraceReplayer::Create(sim, o, /*scavenge_debug=*/false, nullptr);
    ASSERT_TRUE(r.ok()) << r.status();
    for (int id = 1; (*r)->runtime().gc().cycles().empty(); ++id) {
      ApplyTraceLine(**r, absl::StrCat("alloc ", id, " ", kLarge, " scan 0"));
      ApplyTraceLine(**r, absl::StrCat("drop ", id));
      ApplyTraceLine(**r, "compute 100000");
    }
    const GcCycle& c = (*r)->runtime().gc().cycles().front();
    ASSERT_EQ(c.mode, GcMode::kBackground);
    EXPECT_EQ(c.mark_share, MarkShareDraws(seed).Next()) << seed;
  }
  EXPECT_NE(MarkShareDraws(kMarkShareSeed).Next(), MarkShareDraws(7).Next());
}

// runtime.GC() waits for the running cycle's end (gc's worldsema), the
// program computing no further, then stops the world for its own blocking
// cycle, which ends when the world restarts; the time both took is what
// the gc line let pass.
TEST_F(MarkPhaseTest, RuntimeGcWaitsForTheMarkingCycle) {
  GarbageUntilACycleStarts();
  const int64_t start = r_->now_ns();
  Apply("compute 500000");
  const uint64_t heap_live = stats().heap_live;
  Apply("gc");
  ASSERT_EQ(gc().cycles().size(), first_ + 2);
  EXPECT_EQ(Measured().mode, GcMode::kBackground);
  EXPECT_EQ(Measured().end_ns, start + kMarkNs);
  EXPECT_EQ(Measured().heap1, heap_live);
  const GcCycle& blocking = gc().cycles()[first_ + 1];
  EXPECT_EQ(blocking.mode, GcMode::kForceBlock);
  EXPECT_EQ(blocking.start_ns, start + kMarkNs);
  EXPECT_EQ(blocking.end_ns, start + kMarkNs + kStoppedNs);
  EXPECT_EQ(r_->now_ns(), blocking.end_ns);
  EXPECT_FALSE(gc().marking());
}

// testing's StartTimer and StopTimer (runtime.ReadMemStats) stop the world
// too: they wait for the running cycle's end on worldsema, and no longer.
TEST_F(MarkPhaseTest, ReadMemStatsWaitsForTheMarkingCycle) {
  GarbageUntilACycleStarts();
  const int64_t start = r_->now_ns();
  Apply("readmemstats");
  ASSERT_EQ(gc().cycles().size(), first_ + 1);
  EXPECT_FALSE(gc().marking());
  EXPECT_EQ(Measured().end_ns, start + kMarkNs);
  EXPECT_EQ(r_->now_ns(), start + kMarkNs);
}

}  // namespace
}  // namespace thp
