// kDeferManyDeferredCallNs (go15_suite.h) measured again from Go 1.5.1's own
// run, as its comment says, and the program that spends it: the loop keeps
// the rest of the op's time, and the deferred calls' time comes after the
// loop and before the records are let go.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "bench/workloads/go15_suite.h"
#include "bench/workloads/run_program.h"
#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event_log.h"

namespace thp {
namespace {

// A run's teardown events as trace lines.
std::vector<std::string> TeardownLines(const RunProgram& prog) {
  std::vector<std::string> lines;
  for (const TraceEvent& e : prog.teardown) lines.push_back(FormatTraceEvent(e));
  return lines;
}

TEST(Go15DeferMany, TheDeferredCallTimeIsTheRecordedRunsMedian) {
  std::vector<double> per_call;  // of the runs with b.N >= 10^6
  bool in_defer_many = false;
  std::optional<uint64_t> run_n;
  std::optional<int64_t> last_alloc;
  auto close_run = [&](int64_t t) {
    if (in_defer_many && run_n.has_value() && *run_n >= 1000000 && last_alloc.has_value()) {
      per_call.push_back(static_cast<double>(t - *last_alloc) / static_cast<double>(*run_n));
    }
    run_n.reset();
    last_alloc.reset();
  };
  const absl::Status st = heaplog::ForEachHeapEvent(
      "testdata/go151_heaplog/prefix.hlog.xz", [&](const heaplog::HeapEvent& e) {
        if (const auto* b = std::get_if<heaplog::BenchStart>(&e.body)) {
          in_defer_many = b->BaseName() == "BenchmarkDeferMany";
        } else if (const auto* r = std::get_if<heaplog::BenchRun>(&e.body)) {
          close_run(e.time_ns);
          run_n = r->n;
        } else if (std::get_if<heaplog::BenchEnd>(&e.body) != nullptr) {
          close_run(e.time_ns);
        } else if (std::get_if<heaplog::Alloc>(&e.body) != nullptr) {
          last_alloc = e.time_ns;
        }
      });
  ASSERT_TRUE(st.ok()) << st;
  ASSERT_EQ(per_call.size(), 3u);
  std::sort(per_call.begin(), per_call.end());
  EXPECT_EQ(kDeferManyDeferredCallNs, std::round(per_call[1] / 10) * 10)
      << per_call[0] << " " << per_call[1] << " " << per_call[2];
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
  // Under a millisecond of calls: one slice, then its release of every
  // record, then the teardown's own release (nothing left for it).
  EXPECT_EQ(TeardownLines(prog), (std::vector<std::string>{"compute 350000", "release 1000", "release"}));
}

TEST(Go15DeferMany, LongerCallsLetGoOfTheRecordsAMillisecondAtATime) {
  // 10^4 ops: 3.5 ms of calls in four slices, each followed by the release
  // of its quarter of the records (the newest first: release drops the last
  // retained).
  RunBuilder b(RunContext{10000, 2, 1.0});
  DeferMany().generate(b);
  const RunProgram prog = b.Build("BenchmarkDeferMany", 1000.0);
  EXPECT_EQ(TeardownLines(prog), (std::vector<std::string>{"compute 875000", "release 2500", "compute 875000",
                                                "release 2500", "compute 875000", "release 2500",
                                                "compute 875000", "release 2500", "release"}));
}

TEST(Go15DeferMany, TheCallsScaleWithTheTimeScaleAndLeaveTheLoopANanosecond) {
  RunBuilder half(RunContext{10, 2, 0.5});
  DeferMany().generate(half);
  const RunProgram h = half.Build("BenchmarkDeferMany", 500.0);
  EXPECT_EQ(h.ns_per_iteration, 500 - 175);
  EXPECT_EQ(FormatTraceEvent(h.teardown.at(0)), "compute 1750");
  // An op shorter than the calls' time: the loop keeps 1 ns of it.
  RunBuilder fast(RunContext{10, 2, 1.0});
  DeferMany().generate(fast);
  const RunProgram f = fast.Build("BenchmarkDeferMany", 100.0);
  EXPECT_EQ(f.ns_per_iteration, 1);
  EXPECT_EQ(FormatTraceEvent(f.teardown.at(0)), "compute 990");
}

}  // namespace
}  // namespace thp
