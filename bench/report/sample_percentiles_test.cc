// Nearest-rank percentiles, as thp_bloat prints its collapse times.
#include "bench/report/sample_percentiles.h"

#include <vector>

#include "gtest/gtest.h"

namespace thp {
namespace {

TEST(SamplePercentiles, NearestRankPercentiles) {
  EXPECT_EQ(NearestRankPercentile({}, 0.5), 0);
  EXPECT_EQ(NearestRankPercentile({7}, 0.99), 7);
  std::vector<int64_t> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);  // unsorted on purpose
  EXPECT_EQ(NearestRankPercentile(v, 0.5), 50);
  EXPECT_EQ(NearestRankPercentile(v, 0.99), 99);
  EXPECT_EQ(NearestRankPercentile(v, 1.0), 100);
  EXPECT_EQ(NearestRankPercentile({1, 2, 3}, 0.5), 2);
  EXPECT_EQ(NearestRankPercentile({1, 2, 3, 4}, 0.5), 2);
}

}  // namespace
}  // namespace thp
