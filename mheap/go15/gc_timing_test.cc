// The cycle lengths of mgc.h (kBackgroundCycleNs, kBlockingCycleNs and
// their costs per live goroutine) measured again from Go 1.5.1's own run
// (testdata/go151_heaplog/prefix.hlog.xz), the way their comment says:
// gc_start -> gc_done of the cycles whose gc_done has heap_marked under
// 1 MB, by mode; the bases are the medians outside the four benchmarks that
// park 1000 goroutines, to the nearest 10 us; the per-goroutine costs are
// the four's medians less the base, over 1000, to the nearest 100 ns.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event_log.h"
#include "mheap/go15/mgc.h"
#include "mheap/go15/testing/defer_many_runs.h"

namespace thp {
namespace {

// go1.5.1 malloc_test.go: benchHelper's three benchmarks and
// BenchmarkGoroutineIdle each keep 1000 goroutines parked through the loop.
constexpr int64_t kParked = 1000;
constexpr uint64_t kMaxMarked = 1 << 20;
constexpr char kLog[] = "testdata/go151_heaplog/prefix.hlog.xz";

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

TEST(GcTiming, TheConstantsAreTheRecordedRunsMedians) {
  const absl::flat_hash_set<std::string> parked = {
      "BenchmarkGoroutineSelect", "BenchmarkGoroutineBlocking", "BenchmarkGoroutineForRange",
      "BenchmarkGoroutineIdle"};
  // [blocking][in a parked benchmark]: the cycles' lengths.
  std::vector<double> lengths[2][2];
  bool in_parked = false, blocking = false, open = false;
  int64_t started = 0;
  const absl::Status st = heaplog::ForEachHeapEvent(
      kLog, [&](const heaplog::HeapEvent& e) {
        if (const auto* b = std::get_if<heaplog::BenchStart>(&e.body)) {
          in_parked = parked.contains(b->BaseName());
        } else if (const auto* g = std::get_if<heaplog::GcStart>(&e.body)) {
          open = true;
          started = e.time_ns;
          blocking = g->mode == heaplog::GcMode::kForceBlock;
        } else if (const auto* d = std::get_if<heaplog::GcDone>(&e.body)) {
          if (open && d->heap_marked < kMaxMarked) {
            lengths[blocking][in_parked].push_back(static_cast<double>(e.time_ns - started));
          }
          open = false;
        }
      });
  ASSERT_TRUE(st.ok()) << st;
  for (const auto& by_mode : lengths) {
    for (const auto& cycles : by_mode) ASSERT_GT(cycles.size(), 1000u);
  }
  const double bg_base = Median(lengths[0][0]), stw_base = Median(lengths[1][0]);
  EXPECT_EQ(kBackgroundCycleNs, std::llround(bg_base / 10000) * 10000)
      << "median " << bg_base << " ns over " << lengths[0][0].size() << " cycles";
  EXPECT_EQ(kBlockingCycleNs, std::llround(stw_base / 10000) * 10000)
      << "median " << stw_base << " ns over " << lengths[1][0].size() << " cycles";
  const double bg_parked = Median(lengths[0][1]), stw_parked = Median(lengths[1][1]);
  EXPECT_EQ(kBackgroundCycleNsPerG,
            std::llround((bg_parked - kBackgroundCycleNs) / kParked / 100) * 100)
      << "median " << bg_parked << " ns over " << lengths[0][1].size() << " cycles";
  EXPECT_EQ(kBlockingCycleNsPerG,
            std::llround((stw_parked - kBlockingCycleNs) / kParked / 100) * 100)
      << "median " << stw_parked << " ns over " << lengths[1][1].size() << " cycles";
}

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
