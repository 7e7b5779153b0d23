// Go 1.5's trace formats, checked digit for digit, and a golden scavenger
// trace of a small deterministic run (testdata/golden/scvg_trace.txt).
#include "scavenger/gctrace.h"

#include <sstream>

#include "gtest/gtest.h"
#include "runtime_port/base/file_io.h"
#include "runtime_port/kernel/sim_kernel.h"
#include "scavenger/scavenger.h"

namespace thp {
namespace {

TEST(GcTrace, ItoaDivAndFmtNsAsMsAsGoPrintsThem) {
  EXPECT_EQ(ItoaDiv(1234, 3), "1.234");
  EXPECT_EQ(ItoaDiv(5, 3), "0.005");
  EXPECT_EQ(ItoaDiv(12, 0), "12");
  EXPECT_EQ(ItoaDiv(120000, 3), "120.000");
  EXPECT_EQ(FmtNsAsMs(12345678), "12");
  EXPECT_EQ(FmtNsAsMs(1500000), "1.5");
  EXPECT_EQ(FmtNsAsMs(123456), "0.12");
  EXPECT_EQ(FmtNsAsMs(5000), "0.005");
  EXPECT_EQ(FmtNsAsMs(999), "0");
}

TEST(GcTrace, ScavengerLinesMatchGo15sFormat) {
  MemStats s;
  s.heap_inuse = 16u << 20;
  s.heap_idle = (1018u << 20) + 123;
  s.heap_sys = 1035u << 20;
  s.heap_released = 0;
  // The line quoted in golang/go#13552 (aclements, 2015-12-09); the format is
  // Go 1.5.1's mHeap_Scavenge (runtime/mheap.go).
  EXPECT_EQ(ScvgStatsLine(59, s),
            "scvg59: inuse: 16, idle: 1018, sys: 1035, released: 0, consumed: 1035 (MB)");
  EXPECT_EQ(ScvgReleasedLine(-1, (3u << 20) + 5), "scvg-1: 3 MB released");
}

TEST(GcTrace, GcLine) {
  GcCycle c;
  c.num = 3;
  c.mode = GcMode::kForceBlock;
  c.start_ns = 1234567890 + 100;
  c.end_ns = c.start_ns + 3200000;  // the world stopped throughout
  c.heap0 = 5u << 20;
  c.heap1 = 5u << 20;
  c.heap2 = 2u << 20;
  c.heap_goal = 5u << 20;
  EXPECT_EQ(GcLine(c, 100, 2),
            "gc 3 @1.234s 0%: 0+0+0+0+3 ms clock, 0+0+0+0/0/0+0 ms cpu, 5->5->2 MB, 5 MB goal, "
            "2 P (forced)");
  // A blocking cycle's stop is its mark termination's time (tEnd -
  // tMarkTerm); a background cycle's concurrent mark is tMarkTerm - tMark,
  // in whole milliseconds.
  c.mode = GcMode::kBackground;
  c.end_ns = c.start_ns + 2999999;
  EXPECT_EQ(GcLine(c, 100, 2),
            "gc 3 @1.234s 0%: 0+0+0+2+0 ms clock, 0+0+0+0/0/0+0 ms cpu, 5->5->2 MB, 5 MB goal, 2 P");
}

// A small run: allocate 40 MiB of large objects, drop half, FreeOSMemory,
// allocate again, FreeOSMemory. Its trace is pinned.
TEST(GcTrace, GoldenScavengerTrace) {
  SimulatedKernel sim;
  VirtualClock clock(1000);
  RuntimeOptions o;
  o.variant = "fixed";
  absl::StatusOr<std::unique_ptr<Runtime>> rt = Runtime::Create(sim, clock, o);
  ASSERT_TRUE(rt.ok());
  std::ostringstream out;
  GcTraceWriter sink = [&](const std::string& line) { out << line << "\n"; };
  (*rt)->gc().set_on_cycle([&](const GcCycle& c) { out << GcLine(c, 1000, 2) << "\n"; });
  std::vector<uintptr_t> objs;
  for (int i = 0; i < 40; ++i) objs.push_back(*(*rt)->Allocate(1 << 20, true, i % 2));
  for (int i = 0; i < 40; i += 2) ASSERT_TRUE((*rt)->Drop(objs[static_cast<size_t>(i)]).ok());
  clock.Advance(50000000);
  FreeOSMemory(**rt, &sink);
  for (int i = 0; i < 10; ++i) (*rt)->Allocate(3 << 20, true, 0).IgnoreError();
  clock.Advance(50000000);
  FreeOSMemory(**rt, &sink);
  absl::StatusOr<std::string> golden = ReadWholeFile("testdata/golden/scvg_trace.txt");
  ASSERT_TRUE(golden.ok()) << golden.status();
  EXPECT_EQ(out.str(), *golden) << "regenerate with: bazel-bin/scavenger/gctrace_test "
                                   "--gtest_filter=*Golden* and copy the output";
}

}  // namespace
}  // namespace thp
