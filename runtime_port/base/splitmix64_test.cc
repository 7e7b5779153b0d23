#include "runtime_port/base/splitmix64.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace thp {
namespace {

// The published sequence for seed 0 (the reference implementation's first
// outputs, as in Vigna's splitmix64.c).
TEST(SplitMix64, FollowsTheReferenceSequence) {
  SplitMix64 g(0);
  EXPECT_EQ(g.Next(), 0xe220a8397b1dcdafull);
  EXPECT_EQ(g.Next(), 0x6e789e6aa1b965f4ull);
  EXPECT_EQ(g.Next(), 0x06c45d188009454full);
}

TEST(SplitMix64, UnitDrawsStayInTheHalfOpenInterval) {
  SplitMix64 g(7);
  double lo = 1, hi = 0;
  for (int i = 0; i < 100000; ++i) {
    const double u = g.NextUnit();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    lo = u < lo ? u : lo;
    hi = u > hi ? u : hi;
  }
  EXPECT_LT(lo, 0.001);
  EXPECT_GT(hi, 0.999);
}

}  // namespace
}  // namespace thp
