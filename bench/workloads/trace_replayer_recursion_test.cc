// A deep recursion as a trace states it (trace_format.h): gouse with
// "frame" (each frame a GC's stack scan walks) and "compute nosafepoint"
// (copystack: no preemption point), on the Go 1.5 heap.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/workloads/trace_line_testing.h"
#include "bench/workloads/trace_replayer.h"
#include "gtest/gtest.h"
#include "mheap/go15/mgc.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

constexpr uint64_t kFrames = 100000;

// runtime.GC(), then a goroutine 100,000 frames of 24 bytes deep (its use
// stated with or without the frame size), then `rest` (trace lines).
std::vector<GcCycle> Cycles(bool frames_stated, const std::string& rest) {
  const std::string text =
      absl::StrCat("thp-trace 1\ngc\ngo 1 0\ngouse 1 ", kFrames * 24 + 512, " 0",
                   frames_stated ? " frame 24" : "", "\n", rest);
  SimulatedKernel sim;
  std::unique_ptr<TraceReplayer> r =
      ReplayTraceText(sim, text, /*batched=*/true, /*scavenge_debug=*/true);
  if (r == nullptr) return {};
  r->runtime().heap().CheckInvariants();
  return r->runtime().gc().cycles();
}

// go1.5.1's scanstack walks every frame: the cycle sysmon forces (10 ms
// after runtime.GC's, under scavenge=1) lasts kStackScanNsPerFrame longer
// for each frame of the goroutine's stated recursion, and no longer when
// the trace states no frame size.
TEST(TraceRecursion, EachStatedFrameLengthensACycleByItsScan) {
  const std::vector<GcCycle> with = Cycles(true, "compute 40000000\n");
  const std::vector<GcCycle> without = Cycles(false, "compute 40000000\n");
  ASSERT_GE(with.size(), 2u);
  ASSERT_GE(without.size(), 2u);
  EXPECT_EQ(with[1].mode, GcMode::kBackground);
  EXPECT_EQ(with[1].start_ns, without[1].start_ns);
  // The 24-byte frames of the use, the stack-limit room included.
  const int64_t frames = static_cast<int64_t>((kFrames * 24 + 512) / 24);
  EXPECT_EQ((with[1].end_ns - with[1].start_ns) - (without[1].end_ns - without[1].start_ns),
            frames * kStackScanNsPerFrame);
}

// A GC sysmon forces during a compute nosafepoint stops the world only at
// its end; during a plain compute, at once.
TEST(TraceRecursion, AForcedGcWaitsForTheEndOfANosafepointCompute) {
  const std::vector<GcCycle> plain = Cycles(false, "compute 50000000\ncompute 5000000\n");
  const std::vector<GcCycle> copying =
      Cycles(false, "compute 50000000 nosafepoint\ncompute 5000000\n");
  ASSERT_GE(plain.size(), 2u);
  ASSERT_EQ(copying.size(), 2u);
  // runtime.GC()'s stopped world ends where the compute starts.
  const int64_t from = copying[0].end_ns;
  EXPECT_LT(plain[1].start_ns, from + 20000000);
  EXPECT_EQ(copying[1].start_ns, from + 50000000);
}

// Inside a nosafepoint loop, a nosafepoint compute leaves the loop's state
// alone: the forced GC still waits for the loop's end, not the compute's.
TEST(TraceRecursion, ANosafepointComputeInANosafepointLoopLeavesItWithoutSafePoints) {
  const std::vector<GcCycle> cycles = Cycles(
      false, "loop 10 0 nosafepoint\ncompute 5000000 nosafepoint\nend\ncompute 5000000\n");
  ASSERT_EQ(cycles.size(), 2u);
  EXPECT_EQ(cycles[1].start_ns, cycles[0].end_ns + 50000000);
}

// A cycle whose mark runs out while the program is in a compute
// nosafepoint terminates (stops the world) at that compute's end.
TEST(TraceRecursion, MarkTerminationWaitsForTheEndOfANosafepointCompute) {
  // The stated frames make the mark last about 10 ms; it starts about 10 ms
  // in, and runs out inside the second compute.
  const std::vector<GcCycle> plain = Cycles(true, "compute 12000000\ncompute 30000000\n");
  const std::vector<GcCycle> copying =
      Cycles(true, "compute 12000000\ncompute 30000000 nosafepoint\n");
  ASSERT_GE(plain.size(), 2u);
  ASSERT_GE(copying.size(), 2u);
  const int64_t from = copying[0].end_ns;
  ASSERT_LT(copying[1].start_ns, from + 12000000) << "the cycle starts in the first compute";
  ASSERT_GT(plain[1].end_ns, from + 12000000) << "and its mark runs into the second";
  ASSERT_LT(plain[1].end_ns, from + 42000000);
  EXPECT_EQ(copying[1].start_ns, plain[1].start_ns);
  EXPECT_EQ(copying[1].end_ns, from + 42000000);
}

}  // namespace
}  // namespace thp
