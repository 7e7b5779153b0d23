// The program's wait for a mark (go1.5.1 mgcmark.go gcAssistAlloc: an
// assist that cannot pay sleeps until blackening is off): once a loop has
// allocated its share of a background cycle's mark (GcModel::
// MarkGrowthCap), the allocation that found the heap there waits for the
// mark's end on the clock, and the loop's ops repay the wait out of their
// measured busy time (TraceReplayer::AssistWaits).
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/workloads/trace_line_testing.h"
#include "bench/workloads/trace_replayer.h"
#include "gtest/gtest.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

constexpr int64_t kIterations = 200000;
constexpr int64_t kNsPerIteration = 200;  // 1 KiB per 200 ns: 5 bytes/ns
// What the GC's own goroutines add to a background mark from the first
// background cycle on (mgc.h: backgroundgc and a mark worker per P).
constexpr int64_t kMarkNs =
    kBackgroundCycleNs + 3 * (kBackgroundCycleNsPerAllG + kBackgroundCycleNsPerG);

std::string GarbageLoop(const std::string& flags = "") {
  return absl::StrCat("thp-trace 1\ngc\nbench Waits 200000\nloop ", kIterations, " ", kNsPerIteration,
                      flags, "\nalloc 1 1024 scan 0\ndrop 1\nend\n");
}

struct Outcome {
  int64_t virtual_ns;
  int64_t waited;
  int64_t repaid;
  std::vector<std::pair<int64_t, int64_t>> marks;  // background cycles: start, mark termination
  bool operator==(const Outcome& o) const {
    return virtual_ns == o.virtual_ns && waited == o.waited && repaid == o.repaid &&
           marks == o.marks;
  }
};

Outcome Replay(const std::string& text, bool batched) {
  SimulatedKernel sim;
  std::unique_ptr<TraceReplayer> r = ReplayTraceText(sim, text, batched);
  if (r == nullptr) return {};
  Outcome o{r->stats().virtual_ns, r->assist_waited_ns(), r->assist_repaid_ns(), {}};
  for (const GcCycle& c : r->runtime().gc().cycles()) {
    if (c.mode == GcMode::kBackground) o.marks.emplace_back(c.start_ns, c.mark_term_ns);
  }
  EXPECT_FALSE(r->runtime().gc().program_waits_for_mark());
  r->runtime().heap().CheckInvariants();
  return o;
}

// A fast loop allocates its share early in each mark and waits out the
// rest: every background mark lasts its whole time. Its ops repay the
// waits, so the loop takes its measured time plus what is still owed; the
// batched path makes the same decisions as the one-by-one path.
TEST(AssistWait, AFastLoopWaitsOutEachMarkAndItsOpsRepayTheWaits) {
  const Outcome batched = Replay(GarbageLoop(), /*batched=*/true);
  EXPECT_EQ(batched, Replay(GarbageLoop(), /*batched=*/false));
  ASSERT_GE(batched.marks.size(), 10u);
  for (const auto& [start, term] : batched.marks) EXPECT_EQ(term - start, kMarkNs) << start;
  EXPECT_GT(batched.waited, 0);
  EXPECT_GT(batched.repaid, batched.waited / 2);
  EXPECT_LE(batched.repaid, batched.waited);
  // The run: runtime.GC()'s stopped world, then the loop.
  SimulatedKernel sim;
  const std::unique_ptr<TraceReplayer> gc_only = ReplayTraceText(sim, "thp-trace 1\ngc\n", true);
  ASSERT_NE(gc_only, nullptr);
  EXPECT_EQ(batched.virtual_ns, gc_only->stats().virtual_ns + kIterations * kNsPerIteration +
                                    batched.waited - batched.repaid);
}

// While every P runs goroutines of the workload's, the one that cannot
// pay waits and the others run on: the program as a whole does not wait,
// and a mark ends where the program reached its share, as before the wait
// was modelled.
TEST(AssistWait, NotWhileEveryPIsBusy) {
  const Outcome busy = Replay(GarbageLoop(" everypbusy"), /*batched=*/true);
  ASSERT_GE(busy.marks.size(), 10u);
  EXPECT_EQ(busy.waited, 0);
  EXPECT_EQ(busy.repaid, 0);
  int shorter = 0;
  for (const auto& [start, term] : busy.marks) shorter += term - start < kMarkNs;
  EXPECT_GT(shorter, 0);
}

// Outside a loop no measured op holds a wait (a benchmark's setup runs
// with the timer stopped): the program waits, and nothing repays it.
TEST(AssistWait, AWaitOutsideALoopIsNotRepaid) {
  std::string t = "thp-trace 1\ngc\nbench Setup 1000\n";
  for (int i = 1; i <= 3000; ++i) absl::StrAppend(&t, "alloc ", i, " 4096 scan 0\ndrop ", i, "\n");
  t += absl::StrCat("loop 1000 1000\nalloc 1 8 noscan 0\ndrop 1\nend\n");
  SimulatedKernel sim;
  const std::unique_ptr<TraceReplayer> r = ReplayTraceText(sim, t, /*batched=*/true);
  ASSERT_NE(r, nullptr);
  const GcModel& gc = r->runtime().gc();
  ASSERT_GE(gc.cycles().size(), 3u);
  const GcCycle& first = gc.cycles().at(1);
  ASSERT_EQ(first.mode, GcMode::kBackground);
  EXPECT_EQ(first.mark_term_ns - first.start_ns, kMarkNs);  // the setup waited for it
  EXPECT_EQ(r->assist_waited_ns(), 0);
  EXPECT_EQ(r->assist_repaid_ns(), 0);
}

}  // namespace
}  // namespace thp
