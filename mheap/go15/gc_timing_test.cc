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

namespace thp {
namespace {

// go1.5.1 malloc_test.go: benchHelper's three benchmarks and
// BenchmarkGoroutineIdle each keep 1000 goroutines parked through the loop.
constexpr int64_t kParked = 1000;
constexpr uint64_t kMaxMarked = 1 << 20;

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
      "testdata/go151_heaplog/prefix.hlog.xz", [&](const heaplog::HeapEvent& e) {
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

// kChainLinkMarkNs: BenchmarkDeferMany's runs of b.N >= 10^6 hold b.N
// defer records in one chain when the cycle sysmon forced in their loop
// stops the world at the loop's end; the time from the loop's last span
// allocation to the next gc_mark_term, over b.N, per run; the median, to
// the nearest 10 ns.
TEST(GcTiming, TheChainLinkCostIsDeferManysMedian) {
  std::vector<double> per_link;
  bool in_defer_many = false;
  uint64_t n = 0;
  int64_t last_alloc = -1;
  bool measured = false;
  const absl::Status st = heaplog::ForEachHeapEvent(
      "testdata/go151_heaplog/prefix.hlog.xz", [&](const heaplog::HeapEvent& e) {
        if (const auto* b = std::get_if<heaplog::BenchStart>(&e.body)) {
          in_defer_many = b->BaseName() == "BenchmarkDeferMany";
        } else if (const auto* r = std::get_if<heaplog::BenchRun>(&e.body)) {
          n = r->n;
          last_alloc = -1;
          measured = false;
        } else if (std::get_if<heaplog::Alloc>(&e.body) != nullptr) {
          last_alloc = e.time_ns;
        } else if (std::get_if<heaplog::GcMarkTerm>(&e.body) != nullptr) {
          if (in_defer_many && n >= 1000000 && last_alloc >= 0 && !measured) {
            per_link.push_back(static_cast<double>(e.time_ns - last_alloc) / static_cast<double>(n));
            measured = true;
          }
        }
      });
  ASSERT_TRUE(st.ok()) << st;
  ASSERT_EQ(per_link.size(), 3u);
  // The run's first mark termination after an allocation: runN's GC ends
  // before the loop's first, and none comes inside the loop (no safe
  // point), so it is the forced cycle's, after the loop's last allocation.
  for (double ns : per_link) EXPECT_GT(ns, 0);
  EXPECT_EQ(kChainLinkMarkNs, std::llround(Median(per_link) / 10) * 10)
      << per_link[0] << " " << per_link[1] << " " << per_link[2];
}

}  // namespace
}  // namespace thp
