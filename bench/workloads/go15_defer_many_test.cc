// kDeferManyAfterLoopNs and kDeferManyDeferredCallNs (go15_suite.h)
// measured again from Go 1.5.1's own run, as their comment says, and the
// program that spends them: the loop keeps the rest of the op's time, and
// the deferred calls' time comes after the loop and before the records are
// let go.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/workloads/go15_suite.h"
#include "bench/workloads/run_program.h"
#include "gtest/gtest.h"
#include "mheap/go15/testing/defer_many_runs.h"

namespace thp {
namespace {

// A run's teardown events as trace lines.
std::vector<std::string> TeardownLines(const RunProgram& prog) {
  std::vector<std::string> lines;
  for (const TraceEvent& e : prog.teardown) lines.push_back(FormatTraceEvent(e));
  return lines;
}

TEST(Go15DeferMany, TheCallsTimesAreTheRecordedRunsMedians) {
  absl::StatusOr<std::vector<DeferManyRun>> runs =
      RecordedDeferManyRuns("testdata/go151_heaplog/prefix.hlog.xz");
  ASSERT_TRUE(runs.ok()) << runs.status();
  ASSERT_EQ(runs->size(), 3u);
  std::vector<double> window, busy;
  for (const DeferManyRun& r : *runs) {
    EXPECT_GT(r.stopped_ns, 0) << "b.N " << r.n << ": no background cycle ended in its calls";
    window.push_back(static_cast<double>(r.end_ns - r.loop_end_ns) / static_cast<double>(r.n));
    busy.push_back(r.BusyNsPerCall());
  }
  EXPECT_EQ(kDeferManyAfterLoopNs, MedianRounded(window, 10))
      << window[0] << " " << window[1] << " " << window[2];
  EXPECT_EQ(kDeferManyDeferredCallNs, MedianRounded(busy, 10))
      << busy[0] << " " << busy[1] << " " << busy[2];
}

const Go15Benchmark& DeferMany() {
  absl::StatusOr<std::vector<const Go15Benchmark*>> picked =
      PickGo15Benchmarks("^BenchmarkDeferMany$");
  EXPECT_TRUE(picked.ok() && picked->size() == 1u);
  return *picked->front();
}

TEST(Go15DeferMany, TheLoopKeepsTheRestOfTheOpAndTheCallsComeBeforeTheRelease) {
  RunBuilder b(RunContext{1000, 2, 1.0});
  DeferMany().generate(b);
  const RunProgram prog = b.Build("BenchmarkDeferMany", 1000.0);
  EXPECT_EQ(prog.iterations, 1000);
  EXPECT_EQ(prog.ns_per_iteration, 1000 - 350);
  // Under a millisecond of calls (300 ns each; the model's stopped worlds
  // take the rest of the 350): one slice, then its release of every
  // record, then the teardown's own release (nothing left for it).
  EXPECT_EQ(TeardownLines(prog),
            (std::vector<std::string>{"compute 300000", "release 1000", "release"}));
}

TEST(Go15DeferMany, LongerCallsLetGoOfTheRecordsAMillisecondAtATime) {
  // 10^4 ops: 3 ms of calls in three slices, each followed by the release
  // of its third of the records (the newest first: release drops the last
  // retained).
  RunBuilder b(RunContext{10000, 2, 1.0});
  DeferMany().generate(b);
  const RunProgram prog = b.Build("BenchmarkDeferMany", 1000.0);
  EXPECT_EQ(TeardownLines(prog),
            (std::vector<std::string>{"compute 1000000", "release 3333", "compute 1000000",
                                      "release 3333", "compute 1000000", "release 3334",
                                      "release"}));
}

TEST(Go15DeferMany, TheCallsScaleWithTheTimeScaleAndLeaveTheLoopANanosecond) {
  RunBuilder half(RunContext{10, 2, 0.5});
  DeferMany().generate(half);
  const RunProgram h = half.Build("BenchmarkDeferMany", 500.0);
  EXPECT_EQ(h.ns_per_iteration, 500 - 175);
  EXPECT_EQ(FormatTraceEvent(h.teardown.at(0)), "compute 1500");  // 150 ns a call
  // An op shorter than the work's time: the loop keeps 1 ns of it, and the
  // calls are busy for 300/350 of the other 99 ns of each op.
  RunBuilder fast(RunContext{10, 2, 1.0});
  DeferMany().generate(fast);
  const RunProgram f = fast.Build("BenchmarkDeferMany", 100.0);
  EXPECT_EQ(f.ns_per_iteration, 1);
  EXPECT_EQ(FormatTraceEvent(f.teardown.at(0)), "compute 849");
}

}  // namespace
}  // namespace thp
