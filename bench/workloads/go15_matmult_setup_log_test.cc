// kMakeMatrixNsPerSpan (go15_suite.h) measured again from Go 1.5.1's own
// run, the way its comment says: in each BenchmarkMatmult run of b.N >=
// 10^8, the setup lies between the run's forced cycle's gc_done and the
// tree's first stack allocation; the intervals between its consecutive
// alloc records, less those a mark overlaps (from gc_start to
// gc_mark_term), pooled over the runs, have the constant as their median to
// the nearest 100 ns. A second test checks the two runs' own medians the
// comment quotes, which are why the time is per span.
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "bench/workloads/go15_suite.h"
#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event_log.h"
#include "mheap/go15/testing/median.h"

namespace thp {
namespace {

// b.N -> the setup's intervals between span allocations outside marks.
std::map<uint64_t, std::vector<double>> RecordedSetupIntervals() {
  std::map<uint64_t, std::vector<double>> out;
  bool matmult = false, in_setup = false, in_mark = false, forced_done = false;
  bool have_prev = false, prev_in_mark = false;
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
          forced_done = have_prev = in_mark = false;
        } else if (!in_setup) {
          return;
        } else if (std::holds_alternative<heaplog::GcStart>(e.body)) {
          in_mark = forced_done;
        } else if (std::holds_alternative<heaplog::GcMarkTerm>(e.body)) {
          in_mark = false;
        } else if (std::holds_alternative<heaplog::GcDone>(e.body)) {
          forced_done = true;
        } else if (const auto* a = std::get_if<heaplog::Alloc>(&e.body)) {
          if (!forced_done) return;
          if (a->caller == heaplog::AllocCaller::kStack) {
            in_setup = false;  // the tree has started
            return;
          }
          if (have_prev && !prev_in_mark && !in_mark) {
            out[n].push_back(static_cast<double>(e.time_ns - prev_at));
          }
          have_prev = true;
          prev_at = e.time_ns;
          prev_in_mark = in_mark;
        }
      });
  EXPECT_TRUE(st.ok()) << st;
  return out;
}

TEST(Go15MatmultSetup, TheTimePerSpanIsTheRecordedRunsPooledMedian) {
  const std::map<uint64_t, std::vector<double>> runs = RecordedSetupIntervals();
  ASSERT_EQ(runs.size(), 2u);
  std::vector<double> pooled;
  for (const auto& [n, v] : runs) pooled.insert(pooled.end(), v.begin(), v.end());
  EXPECT_EQ(pooled.size(), 1261u);
  EXPECT_EQ(kMakeMatrixNsPerSpan, MedianRounded(pooled, 100));
}

TEST(Go15MatmultSetup, EachRunsMedianIsAboutTheSameWhateverItsSpansHold) {
  const std::map<uint64_t, std::vector<double>> runs = RecordedSetupIntervals();
  ASSERT_EQ(runs.size(), 2u);
  // b.N 10^8: n = 465, two rows of 3,720 bytes a 4 KiB-class span; 3 x 10^8:
  // n = 670, three rows of 5,360 bytes a 5,376-byte-class span of 2 pages.
  EXPECT_EQ(MedianRounded(runs.at(100000000), 100), 6400);
  EXPECT_EQ(MedianRounded(runs.at(300000000), 100), 7400);
}

}  // namespace
}  // namespace thp
