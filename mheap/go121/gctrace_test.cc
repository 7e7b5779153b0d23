// Go 1.21's gctrace and scavtrace lines, field by field.
#include "mheap/go121/gctrace.h"

#include "gtest/gtest.h"

namespace thp {
namespace go121 {
namespace {

TEST(Gctrace121, GcLineOfAnInstantaneousCycle) {
  GcCycle c;
  c.num = 7;
  c.start_ns = 1000 + 12'345'678'901;  // 12.345 s after the runtime's start
  c.heap0 = (uint64_t{5} << 20) + 1;
  c.heap1 = uint64_t{6} << 20;
  c.heap2 = (uint64_t{3} << 20) - 1;  // truncated to 2
  c.heap_goal = uint64_t{8} << 20;
  c.stack_scan = uint64_t{1} << 20;
  c.globals_scan = 4096;
  EXPECT_EQ(GcLine(c, 1000, 2),
            "gc 7 @12.345s 0%: 0+0+0 ms clock, 0+0/0/0+0 ms cpu, 5->6->2 MB, 8 MB goal, "
            "1 MB stacks, 0 MB globals, 2 P");
  c.forced = true;  // runtime.GC
  c.num = 1;
  c.start_ns = 1000 + 3'000'000;
  EXPECT_EQ(GcLine(c, 1000, 4),
            "gc 1 @0.003s 0%: 0+0+0 ms clock, 0+0/0/0+0 ms cpu, 5->6->2 MB, 8 MB goal, "
            "1 MB stacks, 0 MB globals, 4 P (forced)");
  c.timed = true;  // sysmon's forced GC is not userForced
  c.forced = false;
  EXPECT_EQ(GcLine(c, 1000, 4).find("(forced)"), std::string::npos);
}

TEST(Gctrace121, ScavTraceLine) {
  EXPECT_EQ(ScavTraceLine(uint64_t{3} << 20, 8191, uint64_t{10} << 20, 750, 1000, false, false),
            "scav 3072 KiB work (bg), 7 KiB work (eager), 10240 KiB now, 75% util");
  EXPECT_EQ(ScavTraceLine(0, 4096, 4096, 1, 3, true, true),
            "scav 0 KiB work (bg), 4 KiB work (eager), 4 KiB now, 33% util (forced)");
  EXPECT_EQ(ScavTraceLine(0, 0, 0, 0, 10, false, true),
            "scav 0 KiB work (bg), 0 KiB work (eager), 0 KiB now, 0% util [controller reset]");
}

}  // namespace
}  // namespace go121
}  // namespace thp
