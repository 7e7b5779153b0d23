#include "bench/calibrate/recorded_runs.h"

#include <vector>

#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event.h"

namespace thp {
namespace calibrate {
namespace {

using heaplog::GcMode;

heaplog::HeapEvent At(int64_t t, heaplog::EventBody body) {
  heaplog::HeapEvent e;
  e.time_ns = t;
  e.body = std::move(body);
  return e;
}

heaplog::HeapEvent RunAt(int64_t t, uint64_t n) { return At(t, heaplog::BenchRun{n}); }
heaplog::HeapEvent Start(int64_t t, GcMode mode) {
  heaplog::GcStart g;
  g.mode = mode;
  return At(t, g);
}
heaplog::HeapEvent Done(int64_t t) { return At(t, heaplog::GcDone{}); }
heaplog::HeapEvent End(int64_t t, uint64_t n, int64_t ns) {
  heaplog::BenchEnd b;
  b.n = n;
  b.ns = ns;
  return At(t, b);
}

TEST(RecordedRunTimerTest, ARunIsTimedByWallClockFromItsForcedGcsEndToTheNextRecord) {
  RecordedRunTimer timer;
  // b.N = 1: runtime.GC() from 1000 to 1500, the loop until the next run.
  timer.Observe(RunAt(1000, 1));
  timer.Observe(Start(1010, GcMode::kForceBlock));
  timer.Observe(Done(1500));
  timer.Observe(Start(1600, GcMode::kBackground));  // a cycle inside the loop
  timer.Observe(Done(1700));
  // b.N = 100: its loop starts at 3000, ends at 8000.
  timer.Observe(RunAt(2500, 100));
  timer.Observe(Start(2510, GcMode::kForceBlock));
  timer.Observe(Done(3000));
  ASSERT_EQ(timer.runs().size(), 1u);
  EXPECT_EQ(timer.runs()[0].n, 1);
  EXPECT_DOUBLE_EQ(timer.runs()[0].ns_per_op, 1000);  // 2500 - 1500
  timer.Observe(RunAt(8000, 10000));
  ASSERT_EQ(timer.runs().size(), 2u);
  EXPECT_EQ(timer.runs()[1].n, 100);
  EXPECT_DOUBLE_EQ(timer.runs()[1].ns_per_op, 50);  // (8000 - 3000) / 100
  // The final run: until bench_end's record, not the timer's own figure
  // (25000 ns: the time with the timer stopped is left out of that).
  timer.Observe(Start(8010, GcMode::kForceBlock));
  timer.Observe(Done(8500));
  timer.Observe(End(48500, 10000, 25000));
  ASSERT_EQ(timer.runs().size(), 3u);
  EXPECT_EQ(timer.runs()[2].n, 10000);
  EXPECT_DOUBLE_EQ(timer.runs()[2].ns_per_op, 4);  // (48500 - 8500) / 10000
  for (const RecordedRun& r : timer.runs()) EXPECT_TRUE(r.wall);
}

TEST(RecordedRunTimerTest, ABackgroundCycleEndingBeforeTheForcedOneDoesNotStartTheLoop) {
  RecordedRunTimer timer;
  timer.Observe(RunAt(0, 10));
  timer.Observe(Done(100));  // a background cycle runGC waited for
  timer.Observe(Start(200, GcMode::kForceBlock));
  timer.Observe(Done(400));
  timer.Observe(RunAt(1400, 20));
  ASSERT_EQ(timer.runs().size(), 1u);
  EXPECT_DOUBLE_EQ(timer.runs()[0].ns_per_op, 100);  // (1400 - 400) / 10
}

TEST(RecordedRunTimerTest, WithoutItsForcedCycleARunIsTimedFromItsStart) {
  RecordedRunTimer timer;
  timer.Observe(RunAt(0, 4));
  timer.Observe(RunAt(400, 8));
  ASSERT_EQ(timer.runs().size(), 1u);
  EXPECT_DOUBLE_EQ(timer.runs()[0].ns_per_op, 100);
  // An unfinished last run is not a run.
  EXPECT_EQ(timer.runs().size(), 1u);
}

TEST(RecordedRunTimerTest, ANonPositiveDurationCountsAsOneNanosecond) {
  RecordedRunTimer timer;
  timer.Observe(RunAt(0, 2));
  timer.Observe(End(0, 2, 0));
  ASSERT_EQ(timer.runs().size(), 1u);
  EXPECT_DOUBLE_EQ(timer.runs()[0].ns_per_op, 0.5);
}

}  // namespace
}  // namespace calibrate
}  // namespace thp
