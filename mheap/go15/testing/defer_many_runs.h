// BenchmarkDeferMany's runs of b.N >= 10^6 as Go 1.5.1's heap-event log
// (tools/go151/FORMAT.md) records them, for the tests that measure the
// model's DeferMany constants again from it (mgc.h kChainLinkMarkNs and
// kChainLinkRescanNs, bench/workloads/go15_suite.h kDeferManyAfterLoopNs
// and kDeferManyDeferredCallNs). Each run's loop allocates a defer record
// an op; its deferred calls, which run once the loop is done, allocate
// nothing, so the run's last span allocation ends the loop.
#ifndef THP_MHEAP_GO15_TESTING_DEFER_MANY_RUNS_H_
#define THP_MHEAP_GO15_TESTING_DEFER_MANY_RUNS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mheap/go15/testing/median.h"

namespace thp {

struct DeferManyRun {
  uint64_t n = 0;              // b.N
  int64_t loop_end_ns = 0;     // the run's last span allocation
  int64_t end_ns = 0;          // the next bench_run or bench_end
  // The first cycle's gc_mark_term after the loop's end, and its
  // gc_mark_term -> gc_done (-1 and 0 when none).
  int64_t first_mark_term_ns = -1;
  int64_t first_stop_ns = 0;
  // The background cycles' gc_mark_term -> gc_done after the loop's end:
  // mark termination, with the world stopped.
  int64_t stopped_ns = 0;

  // The calls' own time each: the time after the loop less the stops.
  double BusyNsPerCall() const {
    return static_cast<double>(end_ns - loop_end_ns - stopped_ns) / static_cast<double>(n);
  }
};

// The runs of b.N >= 10^6 of BenchmarkDeferMany in the log at `path`, in
// log order; a failed status if the log cannot be read.
absl::StatusOr<std::vector<DeferManyRun>> RecordedDeferManyRuns(const std::string& path);

}  // namespace thp

#endif  // THP_MHEAP_GO15_TESTING_DEFER_MANY_RUNS_H_
