// kMakeMatrixNsPerSpan (go15_suite.h) measured again from Go 1.5.1's own
// run, the way its comment says: in each BenchmarkMatmult run of b.N >=
// 10^8, the setup lies between the run's forced cycle's gc_done and the
// tree's first stack allocation; the intervals between its consecutive
// alloc records, less those a cycle overlaps (from gc_start to gc_done),
// pooled over the runs, have the constant as their mean to the nearest 100
// ns. A second test checks the two runs' own means and the pooled median
// the comment quotes: the means are why the time is per span.
#include <cmath>
#include <cstdint>
#include <map>
#include <numeric>
#include <string>
#include <variant>
#include <vector>

#include "bench/workloads/go15_suite.h"
#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event_log.h"
#include "mheap/go15/testing/median.h"

namespace thp {
namespace {

double MeanRounded(const std::vector<double>& v, double step) {
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  return std::round(mean / step) * step;
}

// b.N -> the setup's intervals between span allocations outside cycles.
std::map<uint64_t, std::vector<double>> RecordedSetupIntervals() {
  std::map<uint64_t, std::vector<double>> out;
  bool matmult = false, in_setup = false, in_cycle = false, forced_done = false;
  bool have_prev = false, prev_in_cycle = false;
  int64_t prev_at = 0;
  uint64_t n = 0;
  const absl::Status st = heaplog::ForEachHeapEvent(
      "testdata/go151_heaplog/prefix.hlog.xz", [&](const heaplog::HeapEvent& e) {
        if (const auto* b = std::get_if<heaplog::BenchStart>(&e.body)) {
          matmult = b->BaseName() == "BenchmarkMatmult";
          in_setup = false;
          return;
        }
        if (!matmult) return;
        if (const auto* r = std::get_if<heaplog::BenchRun>(&e.body)) {
          n = r->n;
          in_setup = n >= 100000000;
          forced_done = have_prev = in_cycle = false;
        } else if (!in_setup) {
          return;
        } else if (std::holds_alternative<heaplog::GcStart>(e.body)) {
          in_cycle = forced_done;
        } else if (std::holds_alternative<heaplog::GcDone>(e.body)) {
          forced_done = true;
          in_cycle = false;
        } else if (const auto* a = std::get_if<heaplog::Alloc>(&e.body)) {
          if (!forced_done) return;
          if (a->caller == heaplog::AllocCaller::kStack) {
            in_setup = false;  // the tree has started
            return;
          }
          if (have_prev && !prev_in_cycle && !in_cycle) {
            out[n].push_back(static_cast<double>(e.time_ns - prev_at));
          }
          have_prev = true;
          prev_at = e.time_ns;
          prev_in_cycle = in_cycle;
        }
      });
  EXPECT_TRUE(st.ok()) << st;
  return out;
}

TEST(Go15MatmultSetup, TheTimePerSpanIsTheRecordedRunsPooledMean) {
  const std::map<uint64_t, std::vector<double>> runs = RecordedSetupIntervals();
  ASSERT_EQ(runs.size(), 2u);
  std::vector<double> pooled;
  for (const auto& [n, v] : runs) pooled.insert(pooled.end(), v.begin(), v.end());
  EXPECT_EQ(pooled.size(), 1261u);
  EXPECT_EQ(kMakeMatrixNsPerSpan, MeanRounded(pooled, 100));
  EXPECT_EQ(MedianRounded(pooled, 100), 7000);
}

TEST(Go15MatmultSetup, EachRunsMeanIsAboutTheSameWhateverItsSpansHold) {
  const std::map<uint64_t, std::vector<double>> runs = RecordedSetupIntervals();
  ASSERT_EQ(runs.size(), 2u);
  // b.N 10^8: n = 465, two rows of 3,720 bytes a 4 KiB-class span; 3 x 10^8:
  // n = 670, three rows of 5,360 bytes a 5,376-byte-class span of 2 pages.
  EXPECT_EQ(MeanRounded(runs.at(100000000), 100), 8000);
  EXPECT_EQ(MeanRounded(runs.at(300000000), 100), 9100);
}

}  // namespace
}  // namespace thp
