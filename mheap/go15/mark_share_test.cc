#include "mheap/go15/mark_share.h"

#include <algorithm>
#include <cstddef>
#include <vector>

#include "gtest/gtest.h"

namespace thp {
namespace {

TEST(MarkShareDraws, TheSameSeedDrawsTheSameShares) {
  MarkShareDraws a, b, c(kMarkShareSeed + 1);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const double x = a.Next();
    EXPECT_EQ(x, b.Next()) << i;
    differs |= x != c.Next();
  }
  EXPECT_TRUE(differs);
}

TEST(MarkShareDraws, TheQuantilesAreAscending) {
  EXPECT_TRUE(std::is_sorted(kMarkShareQuantiles.begin(), kMarkShareQuantiles.end()));
}

// The draws follow the measured distribution: below the k-th of the 41
// quantiles lie about k/40 of them, and none outside the first and last.
TEST(MarkShareDraws, TheDrawsFollowTheQuantiles) {
  MarkShareDraws d;
  constexpr int kDraws = 200000;
  std::vector<double> x(kDraws);
  for (double& v : x) v = d.Next();
  std::sort(x.begin(), x.end());
  EXPECT_GE(x.front(), kMarkShareQuantiles.front());
  EXPECT_LE(x.back(), kMarkShareQuantiles.back());
  for (size_t k : {size_t{4}, size_t{10}, size_t{20}, size_t{30}, size_t{39}}) {
    const auto below = std::lower_bound(x.begin(), x.end(), kMarkShareQuantiles[k]) - x.begin();
    EXPECT_NEAR(static_cast<double>(below) / kDraws, static_cast<double>(k) / 40, 0.005) << k;
  }
}

}  // namespace
}  // namespace thp
