// Measures the cycle lengths of mheap/go15/mgc.h (kBackgroundCycleNs,
// kBlockingCycleNs, their costs per g in allgs and per live goroutine)
// again from Go 1.5.1's own run (testdata/go151_heaplog/prefix.hlog.xz), the
// way their comment says. It lives beside the suite because it needs each
// benchmark's loop (go15_suite.h): the background cycles of loops that keep
// every P busy, have no safe point, or have safe points only at allocations
// end when a P or a safe point comes, not when the mark's work is done, so
// they are left out (runtime.GC()'s stopped worlds are not).
#include <cmath>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "bench/workloads/go15_suite.h"
#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event_log.h"
#include "mheap/go15/mgc.h"
#include "mheap/go15/testing/median.h"

namespace thp {
namespace {

// go1.5.1 malloc_test.go: benchHelper's three benchmarks and
// BenchmarkGoroutineIdle each keep 1000 goroutines parked through the loop.
constexpr double kParked = 1000;
// go1.5.1 chan_test.go: BenchmarkChanPopular starts 1000 goroutines, each
// blocked in its select until the loop after the last go statement sends,
// so all of them are alive at once and allgs grows by 1000.
constexpr double kChanPopularGs = 1000;
constexpr uint64_t kMaxMarked = 1 << 20;

// Where a cycle lies: before ChanPopular, from its end to Matmult's start
// (outside the four parked benchmarks), in the four, or elsewhere.
enum Group { kBefore, kAfter, kParkedOnes, kOther };

TEST(Go15GcCycleLength, TheConstantsAreTheRecordedRunsMedians) {
  const absl::flat_hash_set<std::string> parked = {
      "BenchmarkGoroutineSelect", "BenchmarkGoroutineBlocking", "BenchmarkGoroutineForRange",
      "BenchmarkGoroutineIdle"};
  absl::flat_hash_set<std::string> waits_for_other;
  for (const Go15Benchmark& b : Go15RuntimeBenchmarks()) {
    if (b.loop != LoopSched::kSchedules) waits_for_other.insert(b.name);
  }
  ASSERT_FALSE(waits_for_other.empty());
  // [blocking][group]: the cycles' lengths, gc_start -> gc_done.
  std::vector<double> lengths[2][3];
  bool seen_chan_popular = false, seen_matmult = false;
  Group group = kOther;
  bool waits = false, blocking = false, open = false;
  int64_t started = 0;
  const absl::Status st = heaplog::ForEachHeapEvent(
      "testdata/go151_heaplog/prefix.hlog.xz", [&](const heaplog::HeapEvent& e) {
        if (const auto* b = std::get_if<heaplog::BenchStart>(&e.body)) {
          const std::string name = b->BaseName();
          const bool chan_popular = name == "BenchmarkChanPopular";
          seen_chan_popular = seen_chan_popular || chan_popular;
          seen_matmult = seen_matmult || name == "BenchmarkMatmult";
          waits = waits_for_other.contains(name);
          if (chan_popular || seen_matmult) {
            group = kOther;
          } else if (parked.contains(name)) {
            group = kParkedOnes;
          } else {
            group = seen_chan_popular ? kAfter : kBefore;
          }
        } else if (const auto* g = std::get_if<heaplog::GcStart>(&e.body)) {
          open = true;
          started = e.time_ns;
          blocking = g->mode == heaplog::GcMode::kForceBlock;
        } else if (const auto* d = std::get_if<heaplog::GcDone>(&e.body)) {
          // A stopped world's cycle does not wait for the program's loop.
          if (open && d->heap_marked < kMaxMarked && group != kOther && (blocking || !waits)) {
            lengths[blocking][group].push_back(static_cast<double>(e.time_ns - started));
          }
          open = false;
        }
      });
  ASSERT_TRUE(st.ok()) << st;
  ASSERT_TRUE(seen_chan_popular && seen_matmult);
  struct Mode {
    const char* name;
    int64_t base, per_allg, per_live;
  };
  const Mode modes[2] = {
      {"background", kBackgroundCycleNs, kBackgroundCycleNsPerAllG, kBackgroundCycleNsPerG},
      {"blocking", kBlockingCycleNs, kBlockingCycleNsPerAllG, kBlockingCycleNsPerG}};
  for (int blk = 0; blk < 2; ++blk) {
    const Mode& m = modes[blk];
    for (const auto& cycles : lengths[blk]) ASSERT_GT(cycles.size(), 50u) << m.name;
    // The logs' times are whole nanoseconds: rounding to 1 ns keeps them.
    const double before = MedianRounded(lengths[blk][kBefore], 1),
                 after = MedianRounded(lengths[blk][kAfter], 1),
                 in_parked = MedianRounded(lengths[blk][kParkedOnes], 1);
    const double per_allg = (after - before) / kChanPopularGs;
    EXPECT_EQ(m.per_allg, std::llround(per_allg / 10) * 10)
        << m.name << ": medians " << before << " and " << after << " ns over "
        << lengths[blk][kBefore].size() << " and " << lengths[blk][kAfter].size() << " cycles";
    EXPECT_EQ(m.base,
              std::llround((after - per_allg * kAllGLenAfterChanPopular) / 10000) * 10000)
        << m.name;
    EXPECT_EQ(m.per_live, std::llround((in_parked - after) / kParked / 100) * 100)
        << m.name << ": median " << in_parked << " ns over " << lengths[blk][kParkedOnes].size()
        << " cycles";
  }
}

}  // namespace
}  // namespace thp
