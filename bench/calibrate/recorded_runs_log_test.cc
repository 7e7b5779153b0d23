// The premise of timing the log's runs by wall clock (recorded_runs.h)
// against Go 1.5.1's own run (testdata/go151_heaplog/prefix.hlog.xz): a
// run's wall time holds its timer's time and what the benchmark did with
// the timer stopped, and the model's sleeps and setup's busy time are part
// of the latter. So no run lasts less than the time the modelled program
// states itself outside its ops (which TimedNsPerOp takes out), every final
// run's wall time less its timer's (bench_end's ns) is at least that time,
// and a benchmark without modelled sleeps has next to no untimed time to
// lose (wall within 3% of its timer).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bench/calibrate/real_tally.h"
#include "bench/calibrate/recorded_runs.h"
#include "bench/workloads/go15_suite.h"
#include "bench/workloads/run_program.h"
#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event_log.h"

namespace thp {
namespace calibrate {
namespace {

struct LoggedBenchmark {
  RecordedRunTimer timer;
  int64_t timer_ns = -1;  // bench_end's ns: the final run's timer
};

// What the modelled program states itself outside its ops in a run of b.N
// = n at GOMAXPROCS 2 (a whole-run body, Matmult's tree, streams into
// nothing instead of being held): its sleeps and its setup's busy time.
struct Stated {
  int64_t sleep_ns = 0;
  int64_t setup_busy_ns = 0;
  int64_t total() const { return sleep_ns + setup_busy_ns; }
};

Stated StatedNs(const Go15Benchmark& b, int64_t n) {
  class Discard final : public EventSink {
   public:
    void Put(const TraceEvent&) override {}
  } discard;
  RunBuilder builder(RunContext{n, 2}, &discard);
  b.generate(builder);
  return {builder.SleepNs(), builder.SetupBusyNs()};
}

TEST(RecordedRunsInTheLog, EveryRunLastsAtLeastItsModelledSleepsAndSetup) {
  std::map<std::string, LoggedBenchmark> logged;
  LoggedBenchmark* current = nullptr;
  const absl::Status st = heaplog::ForEachHeapEvent(
      "testdata/go151_heaplog/prefix.hlog.xz", [&](const heaplog::HeapEvent& e) {
        if (const auto* s = std::get_if<heaplog::BenchStart>(&e.body)) {
          current = &logged[s->BaseName()];
        }
        if (current == nullptr) return;
        current->timer.Observe(e);
        if (const auto* end = std::get_if<heaplog::BenchEnd>(&e.body)) current->timer_ns = end->ns;
      });
  ASSERT_TRUE(st.ok()) << st;
  int compared = 0, sleeping = 0, setup_busy = 0;
  for (const Go15Benchmark& b : Go15RuntimeBenchmarks()) {
    const auto it = logged.find(b.name);
    if (it == logged.end() || it->second.timer_ns < 0) continue;
    const std::vector<RecordedRun>& runs = it->second.timer.runs();
    ASSERT_FALSE(runs.empty()) << b.name;
    for (const RecordedRun& r : runs) {
      ASSERT_TRUE(r.wall) << b.name;
      EXPECT_GE(r.ns_per_op * static_cast<double>(r.n), static_cast<double>(StatedNs(b, r.n).total()))
          << b.name << " b.N=" << r.n;
    }
    const RecordedRun& final_run = runs.back();
    const double wall = final_run.ns_per_op * static_cast<double>(final_run.n);
    const double untimed = wall - static_cast<double>(it->second.timer_ns);
    const Stated stated = StatedNs(b, final_run.n);
    EXPECT_GE(untimed, static_cast<double>(stated.total())) << b.name;
    if (stated.setup_busy_ns > 0) ++setup_busy;
    if (stated.sleep_ns == 0) {
      EXPECT_LT(wall, 1.03 * static_cast<double>(it->second.timer_ns)) << b.name;
    } else {
      ++sleeping;
    }
    ++compared;
  }
  EXPECT_EQ(compared, 243);
  EXPECT_EQ(sleeping, 4);    // benchHelper's three and GoroutineIdle
  EXPECT_EQ(setup_busy, 1);  // Matmult's matrices
}

}  // namespace
}  // namespace calibrate
}  // namespace thp
