#include "mheap/go15/events/benchmark_split.h"

#include "gtest/gtest.h"
#include "mheap/go15/events/test_events.h"

namespace thp {
namespace heaplog {
namespace {

TEST(BenchmarkSplitTest, EveryEventInOneSegment) {
  const std::vector<HeapEvent> log = SampleLog();
  BenchmarkTracker tracker;
  for (const HeapEvent& e : log) tracker.Observe(e);
  const std::vector<BenchmarkSegment>& segs = tracker.segments();
  ASSERT_EQ(segs.size(), 2u);
  EXPECT_EQ(segs[0].name, kStartupSegment);
  EXPECT_EQ(segs[1].name, "BenchmarkMalloc8-2");
  EXPECT_EQ(segs[1].procs, 2u);
  EXPECT_TRUE(segs[1].ended);
  EXPECT_EQ(segs[1].n, 1000000u);
  EXPECT_EQ(segs[1].runs, 1u);
  uint64_t total = 0;
  for (const BenchmarkSegment& s : segs) {
    for (uint64_t c : s.counts) total += c;
  }
  EXPECT_EQ(total, log.size());
  EXPECT_EQ(segs[0].count(Kind::kAlloc), 1u);
  EXPECT_EQ(segs[1].count(Kind::kAlloc), 2u);
  EXPECT_EQ(segs[1].count(Kind::kScavenge), 2u);
  EXPECT_LE(segs[0].start_ns, segs[1].start_ns);
}

TEST(BenchmarkSplitTest, NamesMatchWithOrWithoutProcs) {
  BenchmarkSegment s;
  s.name = "BenchmarkMalloc8-2";
  s.procs = 2;
  EXPECT_TRUE(SegmentMatches(s, "BenchmarkMalloc8"));
  EXPECT_TRUE(SegmentMatches(s, "BenchmarkMalloc8-2"));
  EXPECT_FALSE(SegmentMatches(s, "BenchmarkMalloc"));
  BenchmarkSegment one;
  one.name = "BenchmarkMalloc8";
  one.procs = 1;
  EXPECT_TRUE(SegmentMatches(one, "BenchmarkMalloc8"));
}

TEST(BenchmarkSplitTest, ALogWithoutBenchmarksIsOneStartupSegment) {
  BenchmarkTracker tracker;
  tracker.Observe(At(5, SysAlloc{0x1000, 4096}));
  tracker.Observe(At(9, End{}));
  ASSERT_EQ(tracker.segments().size(), 1u);
  EXPECT_EQ(tracker.segments()[0].start_ns, 5);
  EXPECT_EQ(tracker.segments()[0].end_ns, 9);
  EXPECT_FALSE(tracker.segments()[0].ended);
}

}  // namespace
}  // namespace heaplog
}  // namespace thp
