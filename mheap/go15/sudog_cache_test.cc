#include "mheap/go15/sudog_cache.h"

#include <algorithm>
#include <vector>

#include "gtest/gtest.h"

namespace thp {
namespace {

// Sudogs made by new(sudog) are numbered 1, 2, ... here.
class SudogCacheTest : public ::testing::Test {
 protected:
  uintptr_t Acquire(int p) {
    return cache_.Acquire(p, [this] { return ++made_; });
  }
  SudogCache cache_{2};
  uintptr_t made_ = 0;
};

TEST_F(SudogCacheTest, AnEmptyCacheMakesOneAndAReleasedOneComesBackLastInFirstOut) {
  EXPECT_EQ(Acquire(0), 1u);
  EXPECT_EQ(Acquire(0), 2u);
  cache_.Release(0, 1);
  cache_.Release(0, 2);
  EXPECT_EQ(Acquire(0), 2u);
  EXPECT_EQ(Acquire(1), 3u);  // another P's cache is its own
  EXPECT_EQ(Acquire(0), 1u);
  EXPECT_EQ(made_, 3u);
}

// releaseSudog into a full cache moves entries 128..65 (from the end) to the
// central list, whose head is then entry 128; an empty cache takes 64 from
// the head.
TEST_F(SudogCacheTest, AFullCacheGivesItsUpperHalfToTheCentralListWhichRefillsEmptyCaches) {
  for (uintptr_t s = 1; s <= kSudogCacheCap; ++s) cache_.Release(0, s);
  EXPECT_EQ(cache_.cached(0), kSudogCacheCap);
  EXPECT_EQ(cache_.central(), 0u);
  cache_.Release(0, 1000);
  EXPECT_EQ(cache_.cached(0), kSudogCacheCap / 2 + 1);
  EXPECT_EQ(cache_.central(), kSudogCacheCap / 2);
  // P 1 refills from the head: 128, 127, ..., 65, and takes its last, 65.
  EXPECT_EQ(Acquire(1), 65u);
  EXPECT_EQ(cache_.cached(1), kSudogCacheCap / 2 - 1);
  EXPECT_EQ(cache_.central(), 0u);
  EXPECT_EQ(Acquire(1), 66u);
  EXPECT_EQ(Acquire(0), 1000u);
  EXPECT_EQ(Acquire(0), 64u);
  EXPECT_EQ(made_, 0u);
}

// clearpools drops the central list; the per-P caches stay, and are what a
// mark finds.
TEST_F(SudogCacheTest, ClearpoolsDropsOnlyTheCentralList) {
  for (uintptr_t s = 1; s <= kSudogCacheCap + 1; ++s) cache_.Release(1, s);
  cache_.DropCentral();
  std::vector<uintptr_t> marked;
  cache_.ForEachCached([&marked](uintptr_t s) { marked.push_back(s); });
  std::sort(marked.begin(), marked.end());
  std::vector<uintptr_t> want;
  for (uintptr_t s = 1; s <= kSudogCacheCap / 2; ++s) want.push_back(s);
  want.push_back(kSudogCacheCap + 1);
  EXPECT_EQ(marked, want);
  // A cache emptied while the central list is empty makes new ones.
  for (size_t i = 0; i < kSudogCacheCap / 2 + 1; ++i) Acquire(1);
  EXPECT_EQ(Acquire(1), 1u);
  EXPECT_EQ(made_, 1u);
}

}  // namespace
}  // namespace thp
