// kMarkShareQuantiles (mheap/go15/mark_share.h), measured again from Go
// 1.5.1's own run (testdata/go151_heaplog/prefix.hlog.xz) the way their
// comment says: the benchmarks' background marks (mark_phases.h) through
// MarkShares, to 3 decimals.
#include <cmath>
#include <vector>

#include "bench/calibrate/mark_shares.h"
#include "bench/calibrate/real_tally.h"
#include "gtest/gtest.h"
#include "mheap/go15/mark_share.h"

namespace thp {
namespace calibrate {
namespace {

constexpr char kLog[] = "testdata/go151_heaplog/prefix.hlog.xz";

TEST(MarkSharesLog, TheQuantilesAreTheRecordedRunsShares) {
  absl::StatusOr<RealLog> log = TallyLogFile(kLog, nullptr);
  ASSERT_TRUE(log.ok()) << log.status();
  std::vector<std::vector<MarkPhase>> benchmarks;
  for (const RealSegment& s : log->segments) {
    if (s.name == "(startup)") continue;
    benchmarks.push_back(s.tally.marks);
  }
  ASSERT_EQ(benchmarks.size(), 243u);
  const std::vector<double> shares = MarkShares(benchmarks);
  EXPECT_EQ(shares.size(), 4150u);
  const MarkShareQuantileTable q = MarkShareQuantiles(shares);
  for (size_t i = 0; i < q.size(); ++i) {
    EXPECT_EQ(kMarkShareQuantiles[i], std::round(q[i] * 1000) / 1000)
        << "quantile " << i << "/40: measured " << q[i];
  }
}

}  // namespace
}  // namespace calibrate
}  // namespace thp
