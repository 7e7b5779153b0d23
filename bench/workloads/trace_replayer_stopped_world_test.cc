// runtime.GC()'s stopped world on the replayer's virtual clock (go1.5.1
// mgc.go gc() in gcForceBlockMode; the lengths are mheap/go15/mgc.h's): it
// lasts kBlockingCycleNs, kBlockingCycleNsPerAllG for each g in allgs and
// kBlockingCycleNsPerG more for each live one,
// sysmon sleeps through it, and in a loop it is part of the op's measured
// time.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/workloads/trace_line_testing.h"
#include "bench/workloads/trace_replayer.h"
#include "gtest/gtest.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

std::string Goroutines(int n) {
  std::string lines;
  for (int i = 1; i <= n; ++i) absl::StrAppend(&lines, "go ", i, " 0\n");
  return lines;
}

// Each goroutine, in allgs and alive, lengthens the stop; the cycle starts where
// the world stopped and ends where it restarts, the clock there.
TEST(StoppedWorld, RuntimeGcStopsTheWorldLongerForEachLiveGoroutine) {
  SimulatedKernel sim;
  const std::unique_ptr<TraceReplayer> r =
      ReplayTraceText(sim, absl::StrCat("thp-trace 1\ngc\n", Goroutines(1000), "gc\n"),
                      /*batched=*/true);
  ASSERT_NE(r, nullptr);
  const std::vector<GcCycle>& cycles = r->runtime().gc().cycles();
  ASSERT_EQ(cycles.size(), 2u);
  EXPECT_EQ(cycles[0].end_ns - cycles[0].start_ns, kBlockingCycleNs);
  EXPECT_EQ(cycles[1].start_ns, cycles[0].end_ns);
  EXPECT_EQ(cycles[1].end_ns - cycles[1].start_ns,
            kBlockingCycleNs + 1000 * (kBlockingCycleNsPerAllG + kBlockingCycleNsPerG));
  EXPECT_EQ(r->now_ns(), cycles[1].end_ns);
}

// Each chain link held (an alloc marked chain: a goroutine's defer records)
// lengthens the cycle by kChainLinkMarkNs, in a loop's fast path (held) as
// by name; links let go of no longer count, nor do objects outside a chain.
TEST(StoppedWorld, EachChainLinkHeldLengthensTheCycle) {
  SimulatedKernel sim;
  const std::unique_ptr<TraceReplayer> r = ReplayTraceText(
      sim,
      "thp-trace 1\nloop 100 1000\nalloc 1 80 scan 0 systemstack chain\nretain 1\nend\n"
      "alloc 2 80 scan 0 chain\nalloc 3 80 scan 0\ngc\nrelease\ndrop 2\ngc\n",
      /*batched=*/true);
  ASSERT_NE(r, nullptr);
  const std::vector<GcCycle>& cycles = r->runtime().gc().cycles();
  ASSERT_EQ(cycles.size(), 2u);
  EXPECT_EQ(cycles[0].end_ns - cycles[0].start_ns, kBlockingCycleNs + 101 * kChainLinkMarkNs);
  EXPECT_EQ(cycles[1].end_ns - cycles[1].start_ns, kBlockingCycleNs);
}

// debug.FreeOSMemory runs runtime.GC()'s cycle first: the same stop, then
// its scavenge of everything free at the restart.
TEST(StoppedWorld, FreeOsMemoryStopsTheWorldAsRuntimeGcDoes) {
  SimulatedKernel sim;
  const std::unique_ptr<TraceReplayer> r = ReplayTraceText(
      sim, absl::StrCat("thp-trace 1\nfreeosmemory\n", Goroutines(10), "freeosmemory\n"),
      /*batched=*/true);
  ASSERT_NE(r, nullptr);
  const std::vector<GcCycle>& cycles = r->runtime().gc().cycles();
  ASSERT_EQ(cycles.size(), 2u);
  EXPECT_EQ(cycles[0].mode, GcMode::kForceBlock);
  EXPECT_EQ(cycles[0].end_ns - cycles[0].start_ns, kBlockingCycleNs);
  EXPECT_EQ(cycles[1].end_ns - cycles[1].start_ns,
            kBlockingCycleNs + 10 * (kBlockingCycleNsPerAllG + kBlockingCycleNsPerG));
  EXPECT_EQ(r->now_ns(), cycles[1].end_ns);
}

// In a loop the stop is part of the op's measured time: the busy time after
// it is cut by as much, so the loop lasts what it measured; an op shorter
// than its stop lasts the stop.
TEST(StoppedWorld, ALoopsRuntimeGcTakesItsTimeFromTheOps) {
  for (const int64_t op_ns : {int64_t{5000000}, int64_t{100000}}) {
    SimulatedKernel sim;
    const std::unique_ptr<TraceReplayer> r = ReplayTraceText(
        sim, absl::StrCat("thp-trace 1\nloop 10 ", op_ns, "\ngc\nend\n"), /*batched=*/true);
    ASSERT_NE(r, nullptr);
    ASSERT_EQ(r->runtime().gc().cycles().size(), 10u);
    EXPECT_EQ(r->stats().virtual_ns, 10 * std::max(op_ns, kBlockingCycleNs)) << op_ns;
  }
}

// Sysmon finds the world stopping and sleeps on its note until the world
// restarts: under scavenge=1 (a forced GC once none ended for 10 ms) a stop
// that spans the moment 10 ms after the last cycle's end forces nothing,
// for the round it wakes to comes after the stop's cycle. The program
// computing for as long instead is given a forced GC.
TEST(StoppedWorld, SysmonSleepsThroughIt) {
  const std::string gs = Goroutines(1000);
  const int64_t stop_ns =
      kBlockingCycleNs + 1000 * (kBlockingCycleNsPerAllG + kBlockingCycleNsPerG);
  for (const bool stopped : {true, false}) {
    SimulatedKernel sim;
    const std::unique_ptr<TraceReplayer> r = ReplayTraceText(
        sim,
        absl::StrCat("thp-trace 1\ngc\n", gs, "compute 9000000\n",
                     stopped ? "gc\n" : absl::StrCat("compute ", stop_ns, "\n"),
                     "compute 9000000\n"),
        /*batched=*/true, /*scavenge_debug=*/true);
    ASSERT_NE(r, nullptr);
    const std::vector<GcCycle>& cycles = r->runtime().gc().cycles();
    ASSERT_GE(cycles.size(), 2u) << stopped;
    if (stopped) {
      EXPECT_EQ(cycles.size(), 2u);
      EXPECT_EQ(cycles[1].mode, GcMode::kForceBlock);
    } else {
      EXPECT_EQ(cycles[1].mode, GcMode::kBackground);
      EXPECT_LT(cycles[1].start_ns, cycles[0].end_ns + 9000000 + stop_ns);
    }
  }
}

// A stop longer than sysmon's note sleep (maxsleep, 5 ms under
// scavenge=1) and its longest delay (10 ms) together: a round it wakes to
// inside the stop finds the last cycle over 10 ms old and readies
// forcegchelper, whose background cycle starts once the world restarts,
// after runtime.GC()'s own.
TEST(StoppedWorld, AForcedGcReadiedInALongStopStartsAtTheRestart) {
  const int64_t stop_ns =
      kBlockingCycleNs + 8000 * (kBlockingCycleNsPerAllG + kBlockingCycleNsPerG);
  ASSERT_GT(stop_ns, 20000000);
  SimulatedKernel sim;
  const std::unique_ptr<TraceReplayer> r = ReplayTraceText(
      sim,
      absl::StrCat("thp-trace 1\ngc\n", Goroutines(8000),
                   "compute 9000000\ngc\ncompute 40000000\n"),
      /*batched=*/true, /*scavenge_debug=*/true);
  ASSERT_NE(r, nullptr);
  const std::vector<GcCycle>& cycles = r->runtime().gc().cycles();
  ASSERT_GE(cycles.size(), 3u);
  EXPECT_EQ(cycles[1].mode, GcMode::kForceBlock);
  EXPECT_EQ(cycles[1].end_ns - cycles[1].start_ns, stop_ns);
  EXPECT_EQ(cycles[2].mode, GcMode::kBackground);
  EXPECT_EQ(cycles[2].start_ns, cycles[1].end_ns);
}

}  // namespace
}  // namespace thp
