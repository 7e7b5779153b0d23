// kBgSweepNsPerFreedSpan (mgc.h) measured again from Go 1.5.1's own run
// (testdata/go151_heaplog/prefix.hlog.xz), the way its comment says: after
// each background cycle's gc_done, the frees of sweeping (why=central or
// large) before the next alloc record, cycle start or b.N run form a burst;
// over the bursts of at least 20 frees, the median of (last free - gc_done)
// / frees, to the nearest 100 ns.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <variant>
#include <vector>

#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event_log.h"
#include "mheap/go15/mgc.h"

namespace thp {
namespace {

constexpr int kMinBurstFrees = 20;

TEST(BgSweepTiming, TheConstantIsTheRecordedRunsMedian) {
  absl::StatusOr<std::unique_ptr<heaplog::HeapEventReader>> reader =
      heaplog::HeapEventReader::Open("testdata/go151_heaplog/prefix.hlog.xz");
  ASSERT_TRUE(reader.ok()) << reader.status();
  std::vector<double> per_free;
  bool background = false;  // the last cycle started was a background one
  bool open = false;        // a burst is being counted
  int64_t done_at = 0, last_free_at = 0;
  int frees = 0;
  auto close = [&] {
    if (open && frees >= kMinBurstFrees) {
      per_free.push_back(static_cast<double>(last_free_at - done_at) / frees);
    }
    open = false;
  };
  heaplog::HeapEvent e;
  for (;;) {
    absl::StatusOr<bool> more = (*reader)->Next(&e);
    ASSERT_TRUE(more.ok()) << more.status();
    if (!*more) break;
    if (const auto* g = std::get_if<heaplog::GcStart>(&e.body)) {
      close();
      background = g->mode == heaplog::GcMode::kBackground;
    } else if (std::holds_alternative<heaplog::GcDone>(e.body)) {
      close();
      if (background) {
        open = true;
        done_at = last_free_at = e.time_ns;
        frees = 0;
      }
    } else if (const auto* f = std::get_if<heaplog::Free>(&e.body)) {
      if (open && (f->why == heaplog::FreeWhy::kCentral || f->why == heaplog::FreeWhy::kLarge)) {
        ++frees;
        last_free_at = e.time_ns;
      }
    } else if (std::holds_alternative<heaplog::Alloc>(e.body) ||
               std::holds_alternative<heaplog::BenchRun>(e.body) ||
               std::holds_alternative<heaplog::BenchEnd>(e.body)) {
      close();
    }
  }
  ASSERT_GT(per_free.size(), 1000u);
  std::sort(per_free.begin(), per_free.end());
  const double median = per_free[per_free.size() / 2];
  EXPECT_EQ(kBgSweepNsPerFreedSpan, std::llround(median / 100) * 100)
      << "median " << median << " ns over " << per_free.size() << " bursts";
}

}  // namespace
}  // namespace thp
