#include "bench/harness/flag_range.h"

#include <cstdint>

#include "gtest/gtest.h"

// Registered at static initialisation, as a driver's are.
THP_FLAG_RANGE(test_rounds, 1, 100000);
THP_FLAG_RANGE(test_seed, 0, UINT64_MAX);
THP_FLAG_RANGE(test_big, 0, uint64_t{1} << 53);
THP_FLAG_RANGE_SAID(test_scale, 0, 1000, true, "a number above 0, at most 1000");

namespace thp {
namespace {

TEST(FlagRange, RegisteredRangesAreFoundByName) {
  const FlagRange* rounds = FindFlagRange("test_rounds");
  ASSERT_NE(rounds, nullptr);
  EXPECT_EQ(rounds->accepted, "1 to 100000");
  EXPECT_EQ(FindFlagRange("test_seed")->accepted, "0 to 18446744073709551615");
  EXPECT_EQ(FindFlagRange("test_scale")->accepted, "a number above 0, at most 1000");
  EXPECT_EQ(FindFlagRange("no_such_flag"), nullptr);
}

TEST(FlagRange, IntegersAreComparedExactly) {
  const FlagRange& rounds = *FindFlagRange("test_rounds");
  EXPECT_FALSE(InFlagRange(rounds, "0"));
  EXPECT_TRUE(InFlagRange(rounds, "1"));
  EXPECT_TRUE(InFlagRange(rounds, "100000"));
  EXPECT_FALSE(InFlagRange(rounds, "100001"));
  EXPECT_FALSE(InFlagRange(rounds, "-5"));
  EXPECT_TRUE(InFlagRange(*FindFlagRange("test_seed"), "18446744073709551615"));
  // 2^53 + 1 rounds to 2^53 as a double; it must still be out of range.
  const FlagRange& big = *FindFlagRange("test_big");
  EXPECT_TRUE(InFlagRange(big, "9007199254740992"));
  EXPECT_FALSE(InFlagRange(big, "9007199254740993"));
}

TEST(FlagRange, NumbersHonourAnExclusiveLowerBoundAndRefuseNaN) {
  const FlagRange& scale = *FindFlagRange("test_scale");
  EXPECT_FALSE(InFlagRange(scale, "0"));
  EXPECT_TRUE(InFlagRange(scale, "1e-9"));
  EXPECT_TRUE(InFlagRange(scale, "1000"));
  EXPECT_FALSE(InFlagRange(scale, "1000.5"));
  EXPECT_FALSE(InFlagRange(scale, "nan"));
  EXPECT_FALSE(InFlagRange(scale, "inf"));
  EXPECT_FALSE(InFlagRange(scale, "abc"));
}

}  // namespace
}  // namespace thp
