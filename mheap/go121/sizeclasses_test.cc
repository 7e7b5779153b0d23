#include "mheap/go121/sizeclasses.h"

#include "gtest/gtest.h"

namespace thp {
namespace go121 {
namespace {

TEST(SizeClassesTest, TableFacts) {
  EXPECT_EQ(kNumSizeClasses, 68);
  EXPECT_EQ(kNumSpanClasses, 136);
  EXPECT_EQ(SizeClasses::ClassToSize(0), 0u);
  EXPECT_EQ(SizeClasses::ClassToSize(1), 8u);
  EXPECT_EQ(SizeClasses::ClassToSize(kTinySizeClass), 16u);
  EXPECT_EQ(SizeClasses::ClassToSize(32), 1024u);
  EXPECT_EQ(SizeClasses::ClassToSize(67), 32768u);
  EXPECT_EQ(SizeClasses::ClassToAllocNPages(67), 4u);
  EXPECT_EQ(SizeClasses::ClassToSize(65), 27264u);
  EXPECT_EQ(SizeClasses::ClassToAllocNPages(65), 10u);
  for (int c = 1; c < kNumSizeClasses; ++c) {
    SCOPED_TRACE(c);
    const uintptr_t size = SizeClasses::ClassToSize(c);
    EXPECT_GT(size, SizeClasses::ClassToSize(c - 1));
    EXPECT_EQ(size % 8, 0u);
    const uintptr_t n = SizeClasses::ObjectsPerSpan(c);
    EXPECT_GE(n, 1u);
    EXPECT_LE(n, kMaxObjsPerSpan);
    EXPECT_LE(n * size, SizeClasses::ClassToAllocNPages(c) * kPageSize);
  }
  EXPECT_EQ(SizeClasses::ObjectsPerSpan(1), 1024u);
}

TEST(SizeClassesTest, SpanClasses) {
  EXPECT_EQ(MakeSpanClass(0, false), 0);
  EXPECT_EQ(MakeSpanClass(0, true), 1);
  EXPECT_EQ(kTinySpanClass, 5);
  EXPECT_EQ(SizeClassOf(MakeSpanClass(67, true)), 67);
  EXPECT_TRUE(NoScan(MakeSpanClass(67, true)));
  EXPECT_FALSE(NoScan(MakeSpanClass(3, false)));
}

TEST(SizeClassesTest, LookupAtBoundaries) {
  // Entries of Go's size_to_class8 / size_to_class128.
  EXPECT_EQ(SizeClasses::SizeToClass(1), 1);
  EXPECT_EQ(SizeClasses::SizeToClass(8), 1);
  EXPECT_EQ(SizeClasses::SizeToClass(9), 2);
  EXPECT_EQ(SizeClasses::SizeToClass(33), 5);    // 48
  EXPECT_EQ(SizeClasses::SizeToClass(1016), 32);  // last size_to_class8 use
  EXPECT_EQ(SizeClasses::SizeToClass(1017), 32);  // first size_to_class128 use
  EXPECT_EQ(SizeClasses::SizeToClass(1024), 32);
  EXPECT_EQ(SizeClasses::SizeToClass(1025), 33);  // 1152
  EXPECT_EQ(SizeClasses::SizeToClass(32767), 67);
  EXPECT_EQ(SizeClasses::SizeToClass(32768), 67);
  // Every size maps to the smallest class that holds it.
  for (uintptr_t size = 1; size <= kMaxSmallSize; ++size) {
    const int c = SizeClasses::SizeToClass(size);
    ASSERT_GE(SizeClasses::ClassToSize(c), size) << size;
    ASSERT_LT(SizeClasses::ClassToSize(c - 1), size) << size;
  }
}

TEST(SizeClassesTest, RoundUpSize) {
  EXPECT_EQ(SizeClasses::RoundUpSize(17), 24u);
  EXPECT_EQ(SizeClasses::RoundUpSize(32767), 32768u);
  EXPECT_EQ(SizeClasses::RoundUpSize(32768), 32768u);
  EXPECT_EQ(SizeClasses::RoundUpSize(32769), 40960u);
}

}  // namespace
}  // namespace go121
}  // namespace thp
