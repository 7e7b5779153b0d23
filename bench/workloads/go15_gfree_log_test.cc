// Measures kCreateGoroutinesCaptureOpsPerMove (go15_suite.h) again from Go
// 1.5.1's own free-list counts (testdata/go151_gfree/full_suite.txt, made
// with tools/go151/gfree.patch), and checks what the model's
// CreateGoroutinesCapture takes from them: the goroutines exit where they
// were made, and both Ps make them.
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "bench/workloads/go151_log_lines_testing.h"
#include "bench/workloads/go15_suite.h"
#include "gtest/gtest.h"

namespace thp {
namespace {

struct GfreeRun {
  std::string name;
  int64_t n = 0;
  std::vector<int64_t> made = std::vector<int64_t>(8, 0);  // per P
  int64_t put = 0;
  int64_t put_made_elsewhere = 0;
  int64_t switches = -1;  // GFREEALL made_p_switches
};

// The value of `key=` in a line's fields (-1 when absent).
int64_t Field(const std::string& line, const std::string& key) {
  for (absl::string_view f : absl::StrSplit(line, ' ')) {
    if (absl::ConsumePrefix(&f, key + "=")) {
      int64_t v = 0;
      if (absl::SimpleAtoi(f, &v)) return v;
    }
  }
  return -1;
}

std::vector<GfreeRun> ReadRuns() {
  std::vector<GfreeRun> runs;
  ForEachGo151LogLine("testdata/go151_gfree/full_suite.txt",
                      [&](const std::string& kind, std::istringstream& f, const std::string& line) {
                        if (kind == "BENCHRUN") {
                          runs.emplace_back();
                          f >> runs.back().name >> runs.back().n;
                        } else if (kind == "GFREE" && !runs.empty()) {
                          const int64_t p = Field(line, "p");
                          EXPECT_TRUE(p >= 0 && p < 8) << line;
                          if (p < 0 || p >= 8) return;
                          runs.back().made[static_cast<size_t>(p)] += Field(line, "made");
                          runs.back().put += Field(line, "put");
                          runs.back().put_made_elsewhere += Field(line, "put_made_elsewhere");
                        } else if (kind == "GFREEALL" && !runs.empty()) {
                          runs.back().switches = Field(line, "made_p_switches");
                        }
                      });
  return runs;
}

TEST(Go15GfreeLog, CreateGoroutinesCapturesGoroutineMovesAtTheModelsRate) {
  int64_t ops = 0, moves = 0, made = 0, made_on_1 = 0, put = 0, elsewhere = 0;
  int long_runs = 0;
  for (const GfreeRun& r : ReadRuns()) {
    if (r.name != "BenchmarkCreateGoroutinesCapture" || r.n < 1000000) continue;
    ++long_runs;
    ASSERT_GE(r.switches, 0) << "no GFREEALL line for b.N = " << r.n;
    ops += r.n;
    moves += r.switches;
    made += r.made[0] + r.made[1];
    made_on_1 += r.made[1];
    put += r.put;
    elsewhere += r.put_made_elsewhere;
  }
  ASSERT_EQ(long_runs, 2);
  EXPECT_EQ(made, 4 * ops);  // four goroutines an op, on Ps 0 and 1 only
  // Both Ps make about half of them...
  EXPECT_GT(made_on_1, made * 4 / 10);
  EXPECT_LT(made_on_1, made * 6 / 10);
  // ...and nearly every one exits on the P that made it.
  EXPECT_LT(elsewhere, put / 1000);
  // Ops per move, to the nearest 100.
  ASSERT_GT(moves, 0);
  const int64_t per_move =
      std::llround(static_cast<double>(ops) / static_cast<double>(moves) / 100) * 100;
  EXPECT_EQ(per_move, kCreateGoroutinesCaptureOpsPerMove);
}

}  // namespace
}  // namespace thp
