// Measures kChanPopularFirstRunBlocked (go15_suite.h) again from Go
// 1.5.1's own sudog log (testdata/go151_sudogs/full_suite.txt, made with
// tools/go151/sudog.patch).
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bench/workloads/go15_suite.h"
#include "gtest/gtest.h"
#include "mheap/go15/events/go151_log_lines_testing.h"

namespace thp {
namespace {

struct SudogRun {
  std::string name;
  int64_t n = 0;
  std::vector<int64_t> goids;  // one per sudog allocated
  std::set<int> ps;
  int64_t first_ns = 0, last_ns = 0;
  uint64_t count = 0;  // the SUDOGS line
};

std::vector<SudogRun> ReadRuns() {
  std::vector<SudogRun> runs;
  ForEachGo151LogLine("testdata/go151_sudogs/full_suite.txt",
                      [&](const std::string& kind, std::istringstream& f, const std::string&) {
                        if (kind == "BENCHRUN") {
                          runs.emplace_back();
                          f >> runs.back().name >> runs.back().n;
                        } else if (kind == "SUDOG" && !runs.empty()) {
                          int64_t goid = 0, ns = 0;
                          int p = 0;
                          f >> goid >> p >> ns;
                          SudogRun& r = runs.back();
                          if (r.goids.empty()) r.first_ns = ns;
                          r.last_ns = ns;
                          r.goids.push_back(goid);
                          r.ps.insert(p);
                        } else if (kind == "SUDOGS" && !runs.empty()) {
                          f >> runs.back().count;
                        }
                      });
  return runs;
}

TEST(Go15SudogsLog, ChanPopularsFirstRunBlockedTheModelsCountOnPZero) {
  const std::vector<SudogRun> runs = ReadRuns();
  const SudogRun* first = nullptr;
  for (const SudogRun& r : runs) {
    if (r.name == "BenchmarkChanPopular" && r.n == 1) first = &r;
  }
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->count, first->goids.size());
  std::map<int64_t, int> per_goroutine;
  for (int64_t g : first->goids) ++per_goroutine[g];
  EXPECT_EQ(static_cast<int>(per_goroutine.size()), kChanPopularFirstRunBlocked);
  for (const auto& [goid, sudogs] : per_goroutine) EXPECT_EQ(sudogs, 2) << goid;
  EXPECT_EQ(first->ps, (std::set<int>{0}));
  // In goid order, as they were made, but for one straggler: 504 of them
  // within 505 consecutive goids.
  const int64_t lo = per_goroutine.begin()->first;
  int within = 0;
  for (const auto& [goid, sudogs] : per_goroutine) within += goid < lo + kChanPopularFirstRunBlocked;
  EXPECT_EQ(within, kChanPopularFirstRunBlocked - 1);
  // Over milliseconds, while the rest were being made, not in one burst.
  EXPECT_GT(first->last_ns - first->first_ns, 4000000);
}

// The later runs (b.N > 1) block nearly every goroutine, as the model has
// them: the new sudogs they need, with the caches' leftovers, are most of
// the 2,000.
TEST(Go15SudogsLog, ChanPopularsLaterRunsBlockNearlyAll) {
  int later = 0;
  for (const SudogRun& r : ReadRuns()) {
    if (r.name != "BenchmarkChanPopular" || r.n == 1) continue;
    ++later;
    EXPECT_GT(r.count, 1800u) << r.n;
    EXPECT_LE(r.count, 2000u) << r.n;
  }
  EXPECT_EQ(later, 2);
}

}  // namespace
}  // namespace thp
