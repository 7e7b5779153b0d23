#include "bench/calibrate/mark_shares.h"

#include <vector>

#include "gtest/gtest.h"
#include "mheap/go15/mark_share.h"

namespace thp {
namespace calibrate {
namespace {

// `n` marks of `ns` each, growing `grow` bytes, after a run of 8 ms
// that allocated `since_bytes`.
std::vector<MarkPhase> Marks(int n, int64_t ns, int64_t grow, int64_t since_bytes) {
  MarkPhase m;
  m.ns = ns;
  m.grow_bytes = grow;
  m.since_ns = 8000000;
  m.since_bytes = since_bytes;
  return std::vector<MarkPhase>(static_cast<size_t>(n), m);
}

TEST(MarkShares, GrowthOverTheRateTimesTheMedianMark) {
  // 4 MB in 8 ms: 0.5 bytes/ns; the median mark 1 ms, in which the
  // program would have allocated 500,000 bytes.
  std::vector<MarkPhase> marks = Marks(kMarkShareMinMarks, 1000000, 100000, 4000000);
  marks[0].ns = 3000000;     // longer, not the median
  marks[1].grow_bytes = -8;  // the heap shrank: 0
  const std::vector<double> s = MarkShares({marks});
  ASSERT_EQ(s.size(), marks.size());
  EXPECT_DOUBLE_EQ(s[0], 0.2);
  EXPECT_EQ(s[1], 0);
  EXPECT_DOUBLE_EQ(s[2], 0.2);
}

TEST(MarkShares, FewMarksSlowProgramsAndUnknownRunsGiveNone) {
  // 0.05 bytes/ns, under the limit.
  std::vector<MarkPhase> slow = Marks(kMarkShareMinMarks, 1000000, 100000, 400000);
  std::vector<MarkPhase> unknown = Marks(kMarkShareMinMarks, 1000000, 100000, 4000000);
  for (MarkPhase& m : unknown) m.since_ns = 0;  // no cycle ended before
  const std::vector<MarkPhase> few = Marks(kMarkShareMinMarks - 1, 1000000, 100000, 4000000);
  EXPECT_TRUE(MarkShares({slow, unknown, few}).empty());
  // One fast mark among slow ones counts, against the median of them all.
  slow[3].since_bytes = 4000000;
  EXPECT_EQ(MarkShares({slow}), std::vector<double>{0.2});
}

TEST(MarkShares, QuantilesByNearestRank) {
  std::vector<double> s;
  for (int i = 80; i >= 0; --i) s.push_back(i / 80.0);  // 0 .. 1 in 81 steps, reversed
  const MarkShareQuantileTable q = MarkShareQuantiles(s);
  for (size_t i = 0; i < q.size(); ++i) EXPECT_DOUBLE_EQ(q[i], i / 40.0) << i;
  MarkShareQuantileTable sevens;
  sevens.fill(7);
  EXPECT_EQ(MarkShareQuantiles({7.0}), sevens);
}

}  // namespace
}  // namespace calibrate
}  // namespace thp
