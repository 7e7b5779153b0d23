// For tests that drive a TraceReplayer one trace line at a time.
#ifndef THP_BENCH_WORKLOADS_TRACE_LINE_TESTING_H_
#define THP_BENCH_WORKLOADS_TRACE_LINE_TESTING_H_

#include <string>

#include "bench/workloads/trace_format.h"
#include "bench/workloads/trace_replayer.h"
#include "gtest/gtest.h"

namespace thp {

// Applies one trace line (trace_format.h); a line that does not parse, or an
// event the replayer refuses, fails the test.
inline void ApplyTraceLine(TraceReplayer& r, const std::string& line) {
  bool is_event = false;
  absl::StatusOr<TraceEvent> e = ParseTraceLine(line, 1, &is_event);
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_TRUE(r.Apply(*e).ok()) << line;
}

}  // namespace thp

#endif  // THP_BENCH_WORKLOADS_TRACE_LINE_TESTING_H_
