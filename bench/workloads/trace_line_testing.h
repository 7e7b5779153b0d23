// For tests that drive a TraceReplayer one trace line at a time.
#ifndef THP_BENCH_WORKLOADS_TRACE_LINE_TESTING_H_
#define THP_BENCH_WORKLOADS_TRACE_LINE_TESTING_H_

#include <memory>
#include <string>

#include "bench/workloads/trace_format.h"
#include "bench/workloads/trace_replayer.h"
#include "gtest/gtest.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {

// Applies one trace line (trace_format.h); a line that does not parse, or an
// event the replayer refuses, fails the test.
inline void ApplyTraceLine(TraceReplayer& r, const std::string& line) {
  bool is_event = false;
  absl::StatusOr<TraceEvent> e = ParseTraceLine(line, 1, &is_event);
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_TRUE(r.Apply(*e).ok()) << line;
}

// A replayer on `sim` (default options, GODEBUG=scavenge=1 or not) that has
// run the whole trace `text` (trace_format.h), its loops batched or applied
// one by one; a trace that does not parse or run fails the test (and gives
// null).
inline std::unique_ptr<TraceReplayer> ReplayTraceText(SimulatedKernel& sim,
                                                      const std::string& text, bool batched,
                                                      bool scavenge_debug = false) {
  absl::StatusOr<std::unique_ptr<TraceReplayer>> r =
      TraceReplayer::Create(sim, RuntimeOptions(), scavenge_debug, nullptr);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return nullptr;
  (*r)->set_batched_loops(batched);
  absl::StatusOr<std::vector<TraceEvent>> events = ParseTrace(text);
  EXPECT_TRUE(events.ok()) << events.status();
  if (!events.ok()) return nullptr;
  const absl::Status st = (*r)->Run(*events, nullptr);
  EXPECT_TRUE(st.ok()) << st;
  return *std::move(r);
}

}  // namespace thp

#endif  // THP_BENCH_WORKLOADS_TRACE_LINE_TESTING_H_
