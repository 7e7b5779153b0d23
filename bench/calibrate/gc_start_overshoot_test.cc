#include "bench/calibrate/gc_start_overshoot.h"

#include <vector>

#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event.h"
#include "mheap/go15/events/test_events.h"

namespace thp {
namespace calibrate {
namespace {

using heaplog::At;

heaplog::GcDone Done(uint64_t next_gc) {
  heaplog::GcDone d;
  d.next_gc = next_gc;
  return d;
}

heaplog::GcStart Start(uint64_t heap_live, heaplog::GcMode mode = heaplog::GcMode::kBackground) {
  heaplog::GcStart s;
  s.heap_live = heap_live;
  s.mode = mode;
  return s;
}

// Each background gc_start after a gc_done is measured against that
// gc_done's next_gc; forced cycles and one before any gc_done are not. A
// stretch without a sweep free (trims and stacks do not count) is told
// apart for the far ones and the others.
TEST(GcStartOvershootFinder, MeasuresEachBackgroundStartAgainstTheTriggerBefore) {
  constexpr uint64_t kMiB = 1 << 20;
  GcStartOvershootFinder f;
  f.Observe(0, At(1, Start(5 * kMiB)));  // no gc_done yet
  f.Observe(0, At(2, Done(4 * kMiB)));
  f.Observe(0, At(3, heaplog::SpanFree(0, 1, heaplog::FreeWhy::kCentral)));
  f.Observe(0, At(4, Start(4 * kMiB + 8192)));  // at the trigger, swept
  f.Observe(0, At(5, Done(4 * kMiB)));
  f.Observe(0, At(6, heaplog::SpanFree(0, 1, heaplog::FreeWhy::kTrim)));
  f.Observe(1, At(7, Start(7 * kMiB)));  // far, without sweep, in segment 1
  f.Observe(1, At(8, Done(4 * kMiB)));
  f.Observe(1, At(9, Start(kMiB, heaplog::GcMode::kForceBlock)));  // forced: not counted
  f.Observe(1, At(10, Done(4 * kMiB)));
  f.Observe(1, At(11, Start(kMiB)));  // sysmon's, before the trigger, without sweep
  const std::vector<GcStartOvershoots> c = f.Finish();
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].bytes, (std::vector<int64_t>{8192}));
  EXPECT_EQ(c[0].far, 0u);
  EXPECT_EQ(c[0].others_without_sweep, 0u);
  EXPECT_EQ(c[1].bytes, (std::vector<int64_t>{3 * int64_t{kMiB}, -3 * int64_t{kMiB}}));
  EXPECT_EQ(c[1].far, 1u);
  EXPECT_EQ(c[1].far_without_sweep, 1u);
  EXPECT_EQ(c[1].others_without_sweep, 1u);
  GcStartOvershoots all = c[0];
  all += c[1];
  EXPECT_EQ(all.bytes.size(), 3u);
  EXPECT_EQ(all.Quantile(0.5), 8192);
  EXPECT_EQ(all.Quantile(0.9), 3 * int64_t{kMiB});
  EXPECT_EQ(GcStartOvershoots{}.Quantile(0.9), 0);
}

}  // namespace
}  // namespace calibrate
}  // namespace thp
