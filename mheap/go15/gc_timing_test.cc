// The chain costs of mgc.h (kChainLinkMarkNs, kChainLinkRescanNs) measured
// again from Go 1.5.1's own run (testdata/go151_heaplog/prefix.hlog.xz).
// The cycle lengths' bases and per-goroutine costs are measured by
// //bench/workloads:go15_gc_cycle_length_test, which needs the suite's
// loops.
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event_log.h"
#include "mheap/go15/mgc.h"
#include "mheap/go15/testing/defer_many_runs.h"

namespace thp {
namespace {

constexpr char kLog[] = "testdata/go151_heaplog/prefix.hlog.xz";

// The log's DeferMany runs of b.N >= 10^6, read once for the two tests
// below (the log is 4.6 million records).
const absl::StatusOr<std::vector<DeferManyRun>>& DeferManyRuns() {
  static const auto* runs =
      new absl::StatusOr<std::vector<DeferManyRun>>(RecordedDeferManyRuns(kLog));
  return *runs;
}

// kChainLinkMarkNs: BenchmarkDeferMany's runs of b.N >= 10^6 hold b.N
// defer records in one chain when the cycle sysmon forced in their loop
// stops the world at the loop's end (no safe point: none comes inside it);
// the time from the loop's last span allocation to the next gc_mark_term,
// over b.N, per run; the median, to the nearest 10 ns.
TEST(GcTiming, TheChainLinkCostIsDeferManysMedian) {
  const absl::StatusOr<std::vector<DeferManyRun>>& runs = DeferManyRuns();
  ASSERT_TRUE(runs.ok()) << runs.status();
  ASSERT_EQ(runs->size(), 3u);
  std::vector<double> per_link;
  for (const DeferManyRun& r : *runs) {
    ASSERT_GT(r.first_mark_term_ns, r.loop_end_ns) << "b.N " << r.n;
    per_link.push_back(static_cast<double>(r.first_mark_term_ns - r.loop_end_ns) /
                       static_cast<double>(r.n));
  }
  EXPECT_EQ(kChainLinkMarkNs, MedianRounded(per_link, 10))
      << per_link[0] << " " << per_link[1] << " " << per_link[2];
}

// kChainLinkRescanNs: that cycle's mark termination (gc_mark_term ->
// gc_done) over the records not yet run at its gc_mark_term: b.N less the
// calls made since the loop's end at the run's own time per call
// (DeferManyRun::BusyNsPerCall); per run, the median, to the nearest 10 ns.
TEST(GcTiming, TheChainRescanCostIsDeferManysMedian) {
  const absl::StatusOr<std::vector<DeferManyRun>>& runs = DeferManyRuns();
  ASSERT_TRUE(runs.ok()) << runs.status();
  ASSERT_EQ(runs->size(), 3u);
  std::vector<double> per_link;
  for (const DeferManyRun& r : *runs) {
    const double run_by_then =
        static_cast<double>(r.first_mark_term_ns - r.loop_end_ns) / r.BusyNsPerCall();
    const double not_run = static_cast<double>(r.n) - run_by_then;
    ASSERT_GT(not_run, 0) << "b.N " << r.n << ": every call ran before the mark ended";
    ASSERT_GT(r.first_stop_ns, 0) << "b.N " << r.n;
    per_link.push_back(static_cast<double>(r.first_stop_ns) / not_run);
  }
  EXPECT_EQ(kChainLinkRescanNs, MedianRounded(per_link, 10))
      << per_link[0] << " " << per_link[1] << " " << per_link[2];
}

}  // namespace
}  // namespace thp
