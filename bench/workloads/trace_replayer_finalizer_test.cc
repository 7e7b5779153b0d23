// Allocs marked finalizer through the replayer (mheap/go15/mgc.h's
// finalizers): a loop of them batched makes the decisions the same events
// make one by one, and the objects a cycle's sweep queued on finq are
// marked by the next cycle unless the finalizer goroutine ran them first
// (go1.5.1 mgcmark.go markroot _RootFinalizers; proc1.go wakefing).
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bench/workloads/trace_line_testing.h"
#include "bench/workloads/trace_replayer.h"
#include "gtest/gtest.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

// gc, 5000 objects of 1 KiB with a finalizer, each dropped at once (a
// background cycle starts partway through), `between` (the cycle's end and
// its sweep), runtime.GC(): each cycle's bytes marked, and heap_inuse.
std::pair<std::vector<uint64_t>, uint64_t> Replay(bool batched, const std::string& between) {
  SimulatedKernel sim;
  const std::unique_ptr<TraceReplayer> r = ReplayTraceText(
      sim,
      "thp-trace 1\ngc\nloop 5000 0\nalloc 1 1024 scan 0 finalizer\ndrop 1\nend\n" + between +
          "gc\n",
      batched);
  EXPECT_NE(r, nullptr);
  if (r == nullptr) return std::make_pair(std::vector<uint64_t>(), uint64_t{0});
  std::vector<uint64_t> marked;
  for (const GcCycle& c : r->runtime().gc().cycles()) marked.push_back(c.heap2);
  r->runtime().heap().CheckInvariants();
  return std::make_pair(marked, r->runtime().heap().stats().heap_inuse);
}

TEST(FinalizerReplay, ABatchedLoopKeepsWhatOneByOneKeeps) {
  const auto batched = Replay(true, "compute 2000000\n");
  EXPECT_EQ(batched, Replay(false, "compute 2000000\n"));
  ASSERT_EQ(batched.first.size(), 3u);
}

// With a P left idle, the finalizer goroutine runs what the background
// cycle's sweep queued before runtime.GC() (the idle P's findrunnable
// readies it), so that cycle finds those objects unreachable; while every
// P runs the workload's goroutines and none schedules, they wait on finq
// and runtime.GC() marks them from it (go1.5.1 mgcmark.go markroot
// _RootFinalizers): most of the 4 MiB trigger.
TEST(FinalizerReplay, RunFinqMarksWhatTheFinalizerGoroutineHasNotRunYet) {
  const auto idle_p = Replay(true, "compute 2000000\n");
  ASSERT_EQ(idle_p.first.size(), 3u);
  EXPECT_LT(idle_p.first[2], uint64_t{1} << 20);
  const auto busy = Replay(true, "globrunqput 2\ncompute 2000000\n");
  ASSERT_EQ(busy.first.size(), 3u);
  EXPECT_GT(busy.first[2], uint64_t{3} << 20);
}

// While a loop keeps every P busy, what the sweep queues waits for a P to
// schedule: sysmon's preemption of a worker, or the loop's end, where the
// Ps' findrunnable readies the finalizer goroutine before anything else
// that waited runs (Go15HeapRuntime's RunWhatWaitsForAP).
TEST(FinalizerReplay, WhereALoopKeepingEveryPBusyLetsAPScheduleTheQueueRuns) {
  SimulatedKernel sim;
  const std::unique_ptr<TraceReplayer> r = ReplayTraceText(
      sim,
      "thp-trace 1\ngc\nloop 20000 5000 everypbusy\nalloc 1 1024 scan 0 finalizer\ndrop 1\n"
      "end\n",
      /*batched=*/true);
  ASSERT_NE(r, nullptr);
  const GcModel& gc = r->runtime().gc();
  EXPECT_GT(gc.cycles().size(), 3u);
  EXPECT_LT(gc.finalizers(), 20000u);  // the sweeps queued some
  EXPECT_EQ(gc.finq(), 0u);            // and the loop's end ran them
}

}  // namespace
}  // namespace thp
