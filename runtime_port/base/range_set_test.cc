#include "runtime_port/base/range_set.h"

#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace thp {
namespace {

using Runs = std::vector<std::pair<uintptr_t, uintptr_t>>;

Runs RunsOf(const RangeSet& s) { return Runs(s.runs().begin(), s.runs().end()); }

Runs Gaps(const RangeSet& s, uintptr_t lo, uintptr_t hi) {
  Runs out;
  s.ForEachGap(lo, hi, [&out](uintptr_t a, uintptr_t b) { out.emplace_back(a, b); });
  return out;
}

TEST(RangeSet, AddMergesWhatOverlapsOrTouches) {
  RangeSet s;
  s.Add(10, 20);
  s.Add(30, 40);
  EXPECT_EQ(RunsOf(s), (Runs{{10, 20}, {30, 40}}));
  s.Add(20, 25);  // touches the first
  EXPECT_EQ(RunsOf(s), (Runs{{10, 25}, {30, 40}}));
  s.Add(5, 35);   // swallows the first, overlaps the second
  EXPECT_EQ(RunsOf(s), (Runs{{5, 40}}));
}

TEST(RangeSet, RemoveKeepsThePartsOutside) {
  RangeSet s;
  s.Add(0, 100);
  s.Remove(40, 60);
  EXPECT_EQ(RunsOf(s), (Runs{{0, 40}, {60, 100}}));
  s.Add(200, 300);
  s.Remove(20, 250);
  EXPECT_EQ(RunsOf(s), (Runs{{0, 20}, {250, 300}}));
  s.Remove(0, 1000);
  EXPECT_TRUE(s.runs().empty());
}

TEST(RangeSet, GapsAreWhatTheSetDoesNotHoldInOrder) {
  RangeSet s;
  EXPECT_EQ(Gaps(s, 0, 50), (Runs{{0, 50}}));
  s.Add(10, 20);
  s.Add(30, 40);
  EXPECT_EQ(Gaps(s, 0, 50), (Runs{{0, 10}, {20, 30}, {40, 50}}));
  EXPECT_EQ(Gaps(s, 15, 35), (Runs{{20, 30}}));
  EXPECT_EQ(Gaps(s, 12, 18), Runs{});
  EXPECT_EQ(Gaps(s, 20, 30), (Runs{{20, 30}}));
}

}  // namespace
}  // namespace thp
