#include "bench/calibrate/stale_release.h"

#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event.h"
#include "mheap/go15/events/test_events.h"

namespace thp {
namespace calibrate {
namespace {

using heaplog::At;

constexpr uint64_t kArena = 0xc820000000;

heaplog::Free FreeAt(uint64_t page, uint64_t npages, int64_t age, uint64_t before = 0,
                     uint64_t merged = 0) {
  return heaplog::SpanFree(page, npages, heaplog::FreeWhy::kCentral, before, merged, age);
}

class StaleReleaseFinderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    heaplog::HeapInit init;
    init.arena_start = kArena;
    init.page_shift = 13;
    EXPECT_FALSE(f_.Observe(At(0, init)));
  }
  bool Release(int64_t t, uint64_t page, uint64_t npages) {
    return f_.Observe(At(t, heaplog::SysUnused{kArena + (page << 13), npages << 13}));
  }
  StaleReleaseFinder f_;
};

TEST_F(StaleReleaseFinderTest, ASpanStampedAfterThePassesNowIsStale) {
  // Page 10 freed (stamped) at 5000; sysmon read now = 4000 and took the
  // lock at 6000: scavengelist's unsigned test wraps and releases it.
  EXPECT_FALSE(f_.Observe(At(5000, FreeAt(10, 1, 0))));
  EXPECT_FALSE(f_.Observe(At(6000, heaplog::Scavenge{3, 4000, 20000000})));
  EXPECT_TRUE(Release(6001, 10, 1));
}

TEST_F(StaleReleaseFinderTest, AnIdleSpanIsNot) {
  EXPECT_FALSE(f_.Observe(At(5000, FreeAt(10, 1, 0))));
  EXPECT_FALSE(f_.Observe(At(30000000, heaplog::Scavenge{3, 29999000, 20000000})));
  EXPECT_FALSE(Release(30000001, 10, 1));
  // A stamp equal to now is not later than it.
  EXPECT_FALSE(f_.Observe(At(40000000, FreeAt(20, 1, 0))));
  EXPECT_FALSE(f_.Observe(At(40000001, heaplog::Scavenge{4, 40000000, 20000000})));
  EXPECT_FALSE(Release(40000002, 20, 1));
}

TEST_F(StaleReleaseFinderTest, CoalescingKeepsTheFreedSpansStampAtTheMergedStart) {
  // Pages 10-11 free since 1000; page 12 freed at 9000 merges into 10:3,
  // whose unusedsince is the new stamp (go1.5.1 mHeap_FreeSpanLocked).
  EXPECT_FALSE(f_.Observe(At(1000, FreeAt(10, 2, 0))));
  EXPECT_FALSE(f_.Observe(At(9000, FreeAt(12, 1, 0, /*before=*/2, /*merged=*/3))));
  EXPECT_FALSE(f_.Observe(At(9500, heaplog::Scavenge{1, 8000, 20000000})));
  EXPECT_TRUE(Release(9501, 10, 3));
}

TEST_F(StaleReleaseFinderTest, ATrimmedRemainderKeepsTheOldStamp) {
  // 10:8 free since 1000; alloc_done takes it, the trim frees 11:7 with the
  // old unusedsince (age measured at the trim), so it is old, not stale.
  EXPECT_FALSE(f_.Observe(At(1000, FreeAt(10, 8, 0))));
  heaplog::AllocDone done;
  done.page = 10;
  done.found_npages = 8;
  EXPECT_FALSE(f_.Observe(At(50000000, done)));
  EXPECT_FALSE(f_.Observe(At(50000000, FreeAt(11, 7, 50000000 - 1000))));
  EXPECT_FALSE(f_.Observe(At(50000100, heaplog::Scavenge{2, 50000000, 20000000})));
  EXPECT_FALSE(Release(50000101, 11, 7));
}

TEST_F(StaleReleaseFinderTest, ATakenSpanIsForgotten) {
  EXPECT_FALSE(f_.Observe(At(5000, FreeAt(10, 1, 0))));
  heaplog::AllocDone done;
  done.page = 10;
  done.found_npages = 1;
  EXPECT_FALSE(f_.Observe(At(5100, done)));
  EXPECT_FALSE(f_.Observe(At(6000, heaplog::Scavenge{3, 4000, 20000000})));
  EXPECT_FALSE(Release(6001, 10, 1));
}

TEST_F(StaleReleaseFinderTest, FreeOSMemoryNeverQualifies) {
  EXPECT_FALSE(f_.Observe(At(5000, FreeAt(10, 1, 0))));
  EXPECT_FALSE(f_.Observe(At(6000, heaplog::Scavenge{-1, ~uint64_t{0}, 0})));
  EXPECT_FALSE(Release(6001, 10, 1));
}

TEST_F(StaleReleaseFinderTest, SummarisesSysmonsWaitsForTheLock) {
  EXPECT_EQ(f_.Waits().passes, 0u);
  EXPECT_FALSE(f_.Observe(At(1000, heaplog::Scavenge{0, 500, 20000000})));        // 500 ns
  EXPECT_FALSE(f_.Observe(At(300000, heaplog::Scavenge{1, 100000, 20000000})));   // 200 us
  EXPECT_FALSE(f_.Observe(At(400000, heaplog::Scavenge{2, 398000, 20000000})));   // 2 us
  EXPECT_FALSE(f_.Observe(At(500000, heaplog::Scavenge{-1, ~uint64_t{0}, 0})));  // FreeOSMemory
  const ScavengeWaits w = f_.Waits();
  EXPECT_EQ(w.passes, 3u);
  EXPECT_EQ(w.median_ns, 2000);
  EXPECT_EQ(w.over_100us, 1u);
  EXPECT_EQ(w.max_ns, 200000);
}

TEST_F(StaleReleaseFinderTest, CountsThePassesWithStaleReleasesAndTheirMedianWait) {
  // Pass 0 waits 1 us and releases an old span; pass 1 waits 2 ms, in which
  // two spans are freed, and releases both; pass 2 waits 3 us and releases
  // one freed in its wait; FreeOSMemory's pass releases a young span.
  EXPECT_FALSE(f_.Observe(At(1000, FreeAt(10, 1, 0))));
  EXPECT_FALSE(f_.Observe(At(30000000, heaplog::Scavenge{0, 29999000, 20000000})));
  EXPECT_FALSE(Release(30000001, 10, 1));
  EXPECT_FALSE(f_.Observe(At(40500000, FreeAt(20, 1, 0))));
  EXPECT_FALSE(f_.Observe(At(41000000, FreeAt(30, 1, 0))));
  EXPECT_FALSE(f_.Observe(At(42000000, heaplog::Scavenge{1, 40000000, 20000000})));
  EXPECT_TRUE(Release(42000001, 20, 1));
  EXPECT_TRUE(Release(42000002, 30, 1));
  EXPECT_FALSE(f_.Observe(At(50001000, FreeAt(40, 1, 0))));
  EXPECT_FALSE(f_.Observe(At(50003000, heaplog::Scavenge{2, 50000000, 20000000})));
  EXPECT_TRUE(Release(50003001, 40, 1));
  EXPECT_FALSE(f_.Observe(At(60000000, FreeAt(50, 1, 0))));
  EXPECT_FALSE(f_.Observe(At(60000100, heaplog::Scavenge{-1, ~uint64_t{0}, 0})));
  EXPECT_FALSE(Release(60000101, 50, 1));
  const ScavengeWaits w = f_.Waits();
  EXPECT_EQ(w.passes, 3u);
  EXPECT_EQ(w.stale_passes, 2u);
  EXPECT_EQ(w.long_wait_stale_passes, 1u);
  EXPECT_EQ(w.long_wait_stale_releases, 2u);
}

}  // namespace
}  // namespace calibrate
}  // namespace thp
