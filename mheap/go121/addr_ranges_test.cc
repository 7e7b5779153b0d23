// The cases of Go 1.21's mranges_test.go (TestAddrRangesAdd,
// TestAddrRangesFindSucc), plus the marked-cursor protocol of atomicOffAddr.
#include "mheap/go121/addr_ranges.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace thp {
namespace go121 {
namespace {

// validateAddrRanges: exactly `want`, sorted, coalesced, disjoint, with a
// consistent byte total.
void Validate(const AddrRanges& a, const std::vector<AddrRange>& want) {
  const std::vector<AddrRange>& got = a.ranges();
  ASSERT_EQ(got.size(), want.size());
  uintptr_t total = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    total += got[i].Size();
    EXPECT_LT(got[i].base.addr(), got[i].limit.addr()) << i;
    EXPECT_EQ(got[i], want[i]) << i;
    if (i > 0) {
      EXPECT_LT(got[i - 1].base.addr(), got[i].base.addr()) << "order at " << i;
      EXPECT_NE(got[i - 1].limit, got[i].base) << "not coalesced at " << i;
      EXPECT_LE(got[i - 1].limit.addr(), got[i].base.addr()) << "overlap at " << i;
    }
  }
  EXPECT_EQ(a.total_bytes(), total);
}

TEST(AddrRangesTest, Add) {
  AddrRanges a;
  a.Add(AddrRange(512, 1024));
  Validate(a, {AddrRange(512, 1024)});
  a.Add(AddrRange(1024, 2048));  // coalesces up
  Validate(a, {AddrRange(512, 2048)});
  a.Add(AddrRange(4096, 8192));
  Validate(a, {AddrRange(512, 2048), AddrRange(4096, 8192)});
  a.Add(AddrRange(3776, 4096));  // coalesces down
  Validate(a, {AddrRange(512, 2048), AddrRange(3776, 8192)});
  a.Add(AddrRange(2048, 3776));  // both ways
  Validate(a, {AddrRange(512, 8192)});

  std::vector<AddrRange> expected = {AddrRange(512, 8192)};
  for (uintptr_t i = 0; i < 64; ++i) {
    const AddrRange r(8192 + (i + 1) * 2048, 8192 + (i + 1) * 2048 + 10);
    a.Add(r);
    expected.push_back(r);
    Validate(a, expected);
  }
  std::vector<AddrRange> bottom;
  for (uintptr_t i = 0; i < 63; ++i) {
    const AddrRange r(8 + i * 8, 8 + i * 8 + 4);
    a.Add(r);
    bottom.push_back(r);
    std::vector<AddrRange> all = bottom;
    all.insert(all.end(), expected.begin(), expected.end());
    Validate(a, all);
  }
}

TEST(AddrRangesTest, FindSucc) {
  std::vector<AddrRange> large;
  for (uintptr_t i = 0; i < 100; ++i) large.emplace_back(5 + i * 5, 5 + i * 5 + 3);
  const std::vector<AddrRange> three = {AddrRange(6, 10), AddrRange(12, 16), AddrRange(19, 22)};
  struct Case {
    std::string name;
    uintptr_t base;
    size_t expect;
    std::vector<AddrRange> ranges;
  };
  const std::vector<Case> cases = {
      {"Empty", 12, 0, {}},
      {"OneBefore", 12, 0, {AddrRange(14, 16)}},
      {"OneWithin", 14, 1, {AddrRange(14, 16)}},
      {"OneAfterLimit", 16, 1, {AddrRange(14, 16)}},
      {"OneAfter", 17, 1, {AddrRange(14, 16)}},
      {"ThreeBefore", 3, 0, three},
      {"ThreeAfter", 24, 3, three},
      {"ThreeBetween", 11, 1, three},
      {"ThreeWithin", 9, 1, three},
      {"Zero", 0, 1, {AddrRange(0, 10)}},
      {"Max", ~uintptr_t{0}, 1, {AddrRange(~uintptr_t{0} - 5, ~uintptr_t{0})}},
      {"LargeBefore", 2, 0, large},
      {"LargeAfter", 5 + large.size() * 5 + 30, large.size(), large},
      {"LargeBetweenLow", 14, 2, large},
      {"LargeBetweenHigh", 249, 49, large},
      {"LargeWithinLow", 25, 5, large},
      {"LargeWithinHigh", 396, 79, large},
      {"LargeWithinMiddle", 250, 50, large},
  };
  for (const Case& c : cases) {
    AddrRanges a;
    for (const AddrRange& r : c.ranges) a.Add(r);
    EXPECT_EQ(a.FindSucc(c.base), c.expect) << c.name;
  }
}

TEST(AddrRangesTest, OffsetOrderPutsTheUpperHalfFirst) {
  // 0xffff800000000000 is offset 0; 0xc000000000 is far above it.
  EXPECT_TRUE(OffAddr(kArenaBaseOffset).LessThan(OffAddr(0xc000000000)));
  EXPECT_TRUE(kMinOffAddr.LessThan(kMaxOffAddr));
  EXPECT_EQ(kMaxOffAddr.addr(), uintptr_t{0x7fffffffffff});
}

TEST(SearchCursorTest, MarkedValuesSurviveClearAndStoreMin) {
  SearchCursor c;
  bool marked = true;
  EXPECT_EQ(c.Load(&marked), kMinOffAddr.addr());
  EXPECT_FALSE(marked);
  c.StoreMarked(0xc000400000);
  c.Clear();
  c.StoreMin(0xc000000000);
  EXPECT_EQ(c.Load(&marked), uintptr_t{0xc000400000});
  EXPECT_TRUE(marked);
  c.StoreUnmark(0xc000000000, 0xc000200000);  // not the marked value: no effect
  EXPECT_EQ(c.Load(&marked), uintptr_t{0xc000400000});
  c.StoreUnmark(0xc000400000, 0xc000200000);
  EXPECT_EQ(c.Load(&marked), uintptr_t{0xc000200000});
  EXPECT_FALSE(marked);
  c.StoreMin(0xc000300000);  // higher: kept lower
  EXPECT_EQ(c.Load(&marked), uintptr_t{0xc000200000});
  c.Clear();
  EXPECT_EQ(c.Load(&marked), kMinOffAddr.addr());
}

}  // namespace
}  // namespace go121
}  // namespace thp
