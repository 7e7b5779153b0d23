// Loops whose only preemption points are their allocations (trace_format.h
// "allocsafepoints": append's loop, where growslice is the only call) on
// the Go 1.5 heap: a background cycle that one of their allocations starts
// scans the program's stack at the next one (go1.5.1 gcscan_m's scang of
// a running goroutine), the allocation there comes before the mark
// blackens anything, and mark termination waits for the first allocation
// after the mark's work (GcModel::set_scan_program_at_safe_point). Also
// what sysmon's forced GC does while a cycle waits for the program.
#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "bench/workloads/trace_line_testing.h"
#include "bench/workloads/trace_replayer.h"
#include "gtest/gtest.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

constexpr uint64_t kMiB = 1 << 20;  // a large object of 128 pages
// What the GC's own goroutines keep live from the first background cycle
// on (backgroundgc and a mark worker per P, of 2 Ps: three g structs of the
// 384-byte class and allgs, 4 pointers).
constexpr uint64_t kGcGoroutines = 3 * 384 + 32;
constexpr int64_t kStretchNs = 5000000;  // each alloc's share of the loop

// A first background cycle (it makes the GC's goroutines) and runtime.GC(),
// leaving next_gc at the 4 MiB minimum; then one iteration of append's
// pattern: arrays of 1, 2, ... 8 MiB, each allocated while the one before
// is live, which is dropped just after, kStretchNs of work after each
// alloc. The third allocation reaches the trigger.
std::string GrowthTrace(const std::string& loop_flags) {
  std::string t = "thp-trace 1\n";
  for (int i = 1; i <= 5; ++i) absl::StrAppend(&t, "alloc ", 100 + i, " ", kMiB, " scan 0\n");
  for (int i = 1; i <= 5; ++i) absl::StrAppend(&t, "drop ", 100 + i, "\n");
  t += "compute 10000000\ngc\n";
  absl::StrAppend(&t, "loop 1 ", 8 * kStretchNs, loop_flags, "\n");
  for (int i = 1; i <= 8; ++i) {
    absl::StrAppend(&t, "alloc ", i, " ", i * kMiB, " scan 0 work 1\n");
    if (i > 1) absl::StrAppend(&t, "drop ", i - 1, "\n");
  }
  t += "drop 8\nend\n";
  return t;
}

// The first background cycle after runtime.GC()'s.
const GcCycle& CycleAfterTheForcedOne(const GcModel& gc) {
  size_t i = 0;
  while (gc.cycles().at(i).mode != GcMode::kForceBlock) ++i;
  return gc.cycles().at(i + 1);
}

TEST(AllocSafePoints, TheCycleScansAtTheNextAllocAndEndsAtTheOneAfter) {
  SimulatedKernel sim;
  std::unique_ptr<TraceReplayer> r =
      ReplayTraceText(sim, GrowthTrace(" allocsafepoints"), /*batched=*/true);
  ASSERT_NE(r, nullptr);
  const GcCycle& c = CycleAfterTheForcedOne(r->runtime().gc());
  EXPECT_EQ(c.mode, GcMode::kBackground);
  // Started by the third allocation; scanned at the fourth, whose own
  // allocation does not end the mark; the mark's time runs out in the
  // fourth's stretch, and mark termination stops the world at the fifth.
  EXPECT_EQ(c.mark_term_ns - c.start_ns, 2 * kStretchNs);
  EXPECT_EQ(c.heap0, 6 * kMiB + kGcGoroutines);
  EXPECT_EQ(c.heap1, 10 * kMiB + kGcGoroutines);
  // Marked: the array held at the scan (the third) and the one held at
  // mark termination (the fourth), not the second, dropped after the copy.
  EXPECT_EQ(c.heap2, (3 + 4) * kMiB + kGcGoroutines);
  r->runtime().heap().CheckInvariants();
}

// The same loop with safe points everywhere: the cycle scans where it
// starts, while the second array is still held for the copy, and its mark
// ends on the clock within the third's stretch.
TEST(AllocSafePoints, WithSafePointsEverywhereTheCycleMarksTheArrayBeingCopied) {
  SimulatedKernel sim;
  std::unique_ptr<TraceReplayer> r = ReplayTraceText(sim, GrowthTrace(""), /*batched=*/true);
  ASSERT_NE(r, nullptr);
  const GcCycle& c = CycleAfterTheForcedOne(r->runtime().gc());
  EXPECT_EQ(c.heap0, 6 * kMiB + kGcGoroutines);
  EXPECT_EQ(c.heap2, (2 + 3) * kMiB + kGcGoroutines);
  EXPECT_LT(c.mark_term_ns - c.start_ns, kStretchNs);
}

TEST(AllocSafePoints, OneByOneAsBatched) {
  SimulatedKernel a, b;
  std::unique_ptr<TraceReplayer> batched =
      ReplayTraceText(a, GrowthTrace(" allocsafepoints"), /*batched=*/true);
  std::unique_ptr<TraceReplayer> one_by_one =
      ReplayTraceText(b, GrowthTrace(" allocsafepoints"), /*batched=*/false);
  ASSERT_NE(batched, nullptr);
  ASSERT_NE(one_by_one, nullptr);
  const auto& x = batched->runtime().gc().cycles();
  const auto& y = one_by_one->runtime().gc().cycles();
  ASSERT_EQ(x.size(), y.size());
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(x[i].start_ns, y[i].start_ns);
    EXPECT_EQ(x[i].mark_term_ns, y[i].mark_term_ns);
    EXPECT_EQ(x[i].heap2, y[i].heap2);
  }
}

TEST(AllocSafePoints, ApplyLoopRefusesWhatWouldReachASafePointBetweenAllocs) {
  SimulatedKernel sim;
  absl::StatusOr<std::unique_ptr<TraceReplayer>> r =
      TraceReplayer::Create(sim, RuntimeOptions(), /*scavenge_debug=*/false, nullptr);
  ASSERT_TRUE(r.ok()) << r.status();
  TraceEvent alloc{}, drop{}, go{};
  alloc.kind = TraceEvent::kAlloc;
  alloc.id = 1;
  alloc.bytes = 64;
  drop.kind = TraceEvent::kDrop;
  drop.id = 1;
  go.kind = TraceEvent::kGo;
  go.id = 1;
  LoopOptions o;
  o.alloc_safe_points = true;
  EXPECT_TRUE((*r)->ApplyLoop({alloc, drop}, 3, 1000, o).ok());
  const std::string why =
      "a loop with safe points at its allocs holds only allocs, drops, retains and nosafepoint "
      "computes, and neither stays without one, keeps every P busy nor moves";
  EXPECT_EQ((*r)->ApplyLoop({go}, 3, 1000, o).message(), why);
  LoopOptions busy = o, moving = o, none = o;
  busy.every_p_busy = true;
  moving.p_move = 2;
  none.no_safe_point = true;
  for (const LoopOptions& bad : {busy, moving, none}) {
    EXPECT_EQ((*r)->ApplyLoop({alloc, drop}, 3, 1000, bad).message(), why);
  }
}

// Under GODEBUG=scavenge=1 sysmon forces a GC once none has ended for
// 10 ms. While a background cycle waits for a loop without a preemption
// point to end, go1.5.1's startGC finds bggc.working and starts nothing:
// the loop's end terminates the waiting cycle, and no second one starts.
TEST(AllocSafePoints, AForcedGcWhileACycleWaitsStartsNone) {
  std::string t = "thp-trace 1\n";
  for (int i = 1; i <= 5; ++i) absl::StrAppend(&t, "alloc ", 100 + i, " ", kMiB, " scan 0\n");
  for (int i = 1; i <= 5; ++i) absl::StrAppend(&t, "drop ", 100 + i, "\n");
  t += "compute 10000000\ngc\n";
  // Garbage up to the trigger: the fourth starts a cycle, whose mark
  // cannot end inside the 50 ms loop that follows.
  for (int i = 1; i <= 4; ++i) absl::StrAppend(&t, "alloc ", i, " ", kMiB, " scan 0\ndrop ", i, "\n");
  t += "loop 1 25000000 nosafepoint\ncompute 25000000 nosafepoint\nend\n";
  SimulatedKernel sim;
  std::unique_ptr<TraceReplayer> r =
      ReplayTraceText(sim, t, /*batched=*/true, /*scavenge_debug=*/true);
  ASSERT_NE(r, nullptr);
  const GcModel& gc = r->runtime().gc();
  const GcCycle& c = CycleAfterTheForcedOne(gc);
  EXPECT_EQ(c.mode, GcMode::kBackground);
  EXPECT_EQ(c.mark_term_ns - c.start_ns, 50000000);
  EXPECT_EQ(&c, &gc.cycles().back());
  EXPECT_FALSE(gc.marking());
}

}  // namespace
}  // namespace thp
