// Allocs marked finalizer through the replayer (mheap/go15/mgc.h's
// finalizers): a loop of them batched makes the decisions the same events
// make one by one, and the objects a cycle's sweep queued on finq are
// marked by the next cycle (go1.5.1 mgcmark.go markroot _RootFinalizers).
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "bench/workloads/trace_line_testing.h"
#include "bench/workloads/trace_replayer.h"
#include "gtest/gtest.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

TEST(FinalizerReplay, ABatchedLoopKeepsWhatOneByOneKeeps) {
  // gc, 5000 objects of 1 KiB with a finalizer, each dropped at once (a
  // background cycle starts partway through), the cycle's end, runtime.GC().
  auto run = [](bool batched) {
    SimulatedKernel sim;
    const std::unique_ptr<TraceReplayer> r = ReplayTraceText(
        sim,
        "thp-trace 1\ngc\nloop 5000 0\nalloc 1 1024 scan 0 finalizer\ndrop 1\nend\n"
        "compute 2000000\ngc\n",
        batched);
    EXPECT_NE(r, nullptr);
    if (r == nullptr) return std::make_pair(std::vector<uint64_t>(), uint64_t{0});
    std::vector<uint64_t> marked;
    for (const GcCycle& c : r->runtime().gc().cycles()) marked.push_back(c.heap2);
    r->runtime().heap().CheckInvariants();
    return std::make_pair(marked, r->runtime().heap().stats().heap_inuse);
  };
  const auto batched = run(true);
  EXPECT_EQ(batched, run(false));
  ASSERT_EQ(batched.first.size(), 3u);
  // runtime.GC() marks from finq what the background cycle's sweep kept:
  // the objects made before that cycle started, most of the 4 MiB trigger.
  EXPECT_GT(batched.first[2], uint64_t{3} << 20);
}

}  // namespace
}  // namespace thp
