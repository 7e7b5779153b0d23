// How far past its trigger Go 1.5.1's background cycles started, in its
// recorded run (testdata/go151_heaplog/prefix.hlog.xz; gc_start_overshoot.h),
// pinned for issue 13: in the heaviest allocators a cycle sometimes starts
// megabytes past the trigger, mostly after a stretch in which no span was
// swept. The model starts every cycle at the trigger (calibrate's
// gc_start_overshoot block puts the two side by side); this is what a
// model of the delay must reproduce.
#include <cstdint>
#include <string>

#include "bench/calibrate/gc_start_overshoot.h"
#include "bench/calibrate/real_tally.h"
#include "bench/calibrate/recorded_log_testing.h"
#include "gtest/gtest.h"

namespace thp {
namespace calibrate {
namespace {

// The counts of benchmark `base`, summed over its segments.
GcStartOvershoots Of(const RealLog& log, const std::string& base) {
  GcStartOvershoots c;
  for (const RealSegment& s : log.segments) {
    if (s.base == base) c += s.gc_start_overshoots;
  }
  return c;
}

TEST(GcStartOvershootLog, HeavyAllocatorsSometimesStartACycleFarPastTheTrigger) {
  const RealLog& log = RecordedLog();

  const GcStartOvershoots mls = Of(log, "BenchmarkMallocLargeStruct");
  EXPECT_EQ(mls.bytes.size(), 582u);
  EXPECT_EQ(mls.far, 43u);
  EXPECT_EQ(mls.far_without_sweep, 32u);  // 3 in 4
  EXPECT_EQ(mls.others_without_sweep, 43u);  // 1 in 13
  EXPECT_EQ(mls.Quantile(0.9) / 1024, 426);  // KiB

  const GcStartOvershoots chan = Of(log, "BenchmarkChanCreation");
  EXPECT_EQ(chan.bytes.size(), 280u);
  EXPECT_EQ(chan.far, 23u);
  EXPECT_EQ(chan.Quantile(0.9) / 1024, 729);

  GcStartOvershoots all;
  for (const RealSegment& s : log.segments) all += s.gc_start_overshoots;
  // Over the whole suite: most stretches without a sweep are in benchmarks
  // that make no garbage spans at all, so there it tells little.
  EXPECT_EQ(all.bytes.size(), 12797u);
  EXPECT_EQ(all.far, 171u);
  EXPECT_EQ(all.far_without_sweep, 58u);
  EXPECT_EQ(all.others_without_sweep, 8709u);
}

}  // namespace
}  // namespace calibrate
}  // namespace thp
