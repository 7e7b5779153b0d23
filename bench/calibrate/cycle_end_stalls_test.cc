#include "bench/calibrate/cycle_end_stalls.h"

#include <vector>

#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event.h"
#include "mheap/go15/events/test_events.h"

namespace thp {
namespace calibrate {
namespace {

using heaplog::At;

heaplog::GcStart Start(heaplog::GcMode mode = heaplog::GcMode::kBackground) {
  heaplog::GcStart s;
  s.mode = mode;
  return s;
}

constexpr int64_t kUs = 1000;

// A background cycle's window runs from its gc_done to the first sweep free
// or background gc_start; trims do not close it, a forced start closes it
// uncounted, and a forced cycle's own gc_done opens none. The window counts
// in the segment of its gc_done.
TEST(CycleEndStallFinder, MeasuresFromEachBackgroundCyclesEndToItsPsFirstSign) {
  CycleEndStallFinder f;
  f.Observe(0, At(0, Start()));
  f.Observe(0, At(100 * kUs, heaplog::GcDone{}));
  f.Observe(0, At(150 * kUs, heaplog::SpanFree(0, 1, heaplog::FreeWhy::kTrim)));
  f.Observe(0, At(190 * kUs, heaplog::SpanFree(0, 1, heaplog::FreeWhy::kCentral)));  // 90 us
  f.Observe(0, At(200 * kUs, heaplog::SpanFree(0, 1, heaplog::FreeWhy::kCentral)));
  f.Observe(0, At(3000 * kUs, Start()));
  f.Observe(0, At(4000 * kUs, heaplog::GcDone{}));
  f.Observe(1, At(6500 * kUs, Start()));  // 2.5 ms, no sweep free: counted in segment 0
  f.Observe(1, At(7000 * kUs, heaplog::GcDone{}));
  f.Observe(1, At(7800 * kUs, heaplog::SpanFree(0, 1, heaplog::FreeWhy::kLarge)));  // 800 us
  f.Observe(1, At(8000 * kUs, Start()));
  f.Observe(1, At(8100 * kUs, heaplog::GcDone{}));
  f.Observe(1, At(9000 * kUs, Start(heaplog::GcMode::kForceBlock)));  // not counted
  f.Observe(1, At(9100 * kUs, heaplog::GcDone{}));  // a forced cycle's end
  f.Observe(1, At(9900 * kUs, heaplog::SpanFree(0, 1, heaplog::FreeWhy::kCentral)));
  f.Observe(1, At(9950 * kUs, Start()));
  const std::vector<CycleEndStalls> s = f.Finish();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].windows,
            (std::vector<CycleEndWindow>{{90 * kUs, true}, {2500 * kUs, false}}));
  EXPECT_EQ(s[0].Stalled(), 1u);
  EXPECT_TRUE(s[0].FreesFirstMostly());
  EXPECT_EQ(s[1].windows, (std::vector<CycleEndWindow>{{800 * kUs, true}}));
  EXPECT_EQ(s[1].Stalled(), 1u);
  CycleEndStalls all = s[0];
  all += s[1];
  EXPECT_EQ(all.cycles(), 3u);
  EXPECT_EQ(all.Stalled(), 2u);
  EXPECT_EQ(all.StallsClosedByFree(), (std::vector<int64_t>{800 * kUs}));
  EXPECT_EQ(all.ClosedByFree(), (std::vector<int64_t>{90 * kUs, 800 * kUs}));
  // In order: 90 us, 2.5 ms, 800 us: one run of two stalls.
  EXPECT_EQ(all.windows, (std::vector<CycleEndWindow>{
                             {90 * kUs, true}, {2500 * kUs, false}, {800 * kUs, true}}));
  EXPECT_EQ(all.StallRuns(), (std::vector<uint64_t>{0, 0, 1}));
  CycleEndStalls runs;
  for (const bool stalled : {true, false, true, true, true, false, true}) {
    runs.windows.push_back({stalled ? 600 * kUs : 100 * kUs, true});
  }
  EXPECT_EQ(runs.StallRuns(), (std::vector<uint64_t>{0, 2, 0, 1}));
  EXPECT_EQ(CycleEndStalls{}.StallRuns(), (std::vector<uint64_t>{0}));
  CycleEndStalls none_freed;
  none_freed.windows = {{kUs, false}, {kUs, false}, {kUs, true}};
  EXPECT_FALSE(none_freed.FreesFirstMostly());
  EXPECT_FALSE(CycleEndStalls{}.FreesFirstMostly());
  EXPECT_EQ(none_freed.Stalled(), 0u);
}

}  // namespace
}  // namespace calibrate
}  // namespace thp
