// Measures kCreateGoroutinesOpsPerMove (go15_suite.h) again from Go 1.5.1's
// own free-list counts (testdata/go151_gfree/full_suite.txt, made with
// tools/go151/gfree.patch), and pins what that run and the per-cycle run
// (cycles_full_suite.txt.xz, with tools/go151/gfree_cycles.patch too)
// counted for CreateGoroutinesCapture, whose model constants come from a
// later run (go15_gfree_ops_log_test): the goroutines exit where they were
// made, both Ps make them, and how often the maker moves and how many
// exits a move sees.
#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "bench/workloads/go15_suite.h"
#include "gtest/gtest.h"
#include "mheap/go15/events/go151_log_lines_testing.h"

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

std::vector<GfreeRun> ReadRuns() {
  std::vector<GfreeRun> runs;
  ForEachGo151LogLine("testdata/go151_gfree/full_suite.txt",
                      [&](const std::string& kind, std::istringstream& f, const std::string& line) {
                        if (kind == "BENCHRUN") {
                          runs.emplace_back();
                          f >> runs.back().name >> runs.back().n;
                        } else if (kind == "GFREE" && !runs.empty()) {
                          const int64_t p = Go151LineValue(line, "p");
                          EXPECT_TRUE(p >= 0 && p < 8) << line;
                          if (p < 0 || p >= 8) return;
                          runs.back().made[static_cast<size_t>(p)] += Go151LineValue(line, "made");
                          runs.back().put += Go151LineValue(line, "put");
                          runs.back().put_made_elsewhere += Go151LineValue(line, "put_made_elsewhere");
                        } else if (kind == "GFREEALL" && !runs.empty()) {
                          runs.back().switches = Go151LineValue(line, "made_p_switches");
                        }
                      });
  return runs;
}

// A benchmark's runs of b.N >= 10^6, summed.
struct LongRuns {
  int runs = 0;
  int64_t ops = 0, moves = 0, made = 0, made_on_1 = 0, put = 0, elsewhere = 0;
  // Ops per move, to the nearest 100.
  int64_t OpsPerMove() const {
    return std::llround(static_cast<double>(ops) / static_cast<double>(moves) / 100) * 100;
  }
};

LongRuns LongRunsOf(const std::string& benchmark) {
  LongRuns l;
  for (const GfreeRun& r : ReadRuns()) {
    if (r.name != benchmark || r.n < 1000000) continue;
    ++l.runs;
    EXPECT_GE(r.switches, 0) << "no GFREEALL line for b.N = " << r.n;
    l.ops += r.n;
    l.moves += r.switches;
    l.made += r.made[0] + r.made[1];
    l.made_on_1 += r.made[1];
    l.put += r.put;
    l.elsewhere += r.put_made_elsewhere;
  }
  return l;
}

// What both benchmarks' models take from their long runs: both Ps make
// about half the goroutines, nearly every one exits on the P that made it,
// the maker moves once every `ops_per_move` ops (to the nearest 100), and
// at each move about `exits_per_move` goroutines exit on another P than
// their maker's (CreateGoroutines' op before a move sends that many exits
// to the next P; CreateGoroutinesCapture draws them, as the next test
// measures).
void ExpectMoves(const LongRuns& l, int64_t ops_per_move, int64_t exits_per_move) {
  ASSERT_EQ(l.runs, 2);
  EXPECT_GT(l.made_on_1, l.made * 4 / 10);
  EXPECT_LT(l.made_on_1, l.made * 6 / 10);
  EXPECT_LT(l.elsewhere, l.put / 1000);
  ASSERT_GT(l.moves, 0);
  EXPECT_EQ(l.OpsPerMove(), ops_per_move);
  EXPECT_EQ(std::llround(static_cast<double>(l.elsewhere) / static_cast<double>(l.moves)),
            exits_per_move);
}

// CreateGoroutinesCapture: four goroutines an op, made where the benchmark
// goroutine runs; about two exits on the other P a move. This run moved
// its maker once every 1,600 ops, the whole-suite run of 2026-12-07 once
// every 982 (kCreateGoroutinesCaptureOpsPerMove, measured from that one):
// how often Go moves it varies from run to run.
TEST(Go15GfreeLog, CreateGoroutinesCapturesGoroutineMovedLessOftenInThisRun) {
  const LongRuns l = LongRunsOf("BenchmarkCreateGoroutinesCapture");
  EXPECT_EQ(l.made, 4 * l.ops);  // on Ps 0 and 1 only
  ExpectMoves(l, 1600, 2);
  EXPECT_GT(l.OpsPerMove(), kCreateGoroutinesCaptureOpsPerMove * 3 / 2);
}

// The per-cycle rows and move histograms of gfree_cycles.patch's run,
// for a benchmark's runs of b.N >= 10^6.
struct CycleRuns {
  std::vector<int64_t> moves = std::vector<int64_t>(16, 0);  // both directions
  int64_t switches = 0;
  // Per run, every row but its first (which counts from the flush before
  // the run, across the testing package's runtime.GC()).
  std::vector<std::vector<int64_t>> restacks;  // restack0 + restack1
  int64_t min_list = -1, max_list = -1;        // gfree0, gfree1 at those rows
};

CycleRuns CycleRunsOf(const std::string& benchmark) {
  CycleRuns c;
  bool in = false;
  int64_t row = 0;
  ForEachGo151LogLine(
      "testdata/go151_gfree/cycles_full_suite.txt.xz",
      [&](const std::string& kind, std::istringstream& f, const std::string& line) {
        if (kind == "BENCHRUN") {
          std::string name;
          int64_t n = 0;
          f >> name >> n;
          in = name == benchmark && n >= 1000000;
          if (in) c.restacks.emplace_back();
          row = 0;
          return;
        }
        if (!in) return;
        if (kind == "GFREEMOVES") {
          std::string counts = line.substr(line.find("exits_elsewhere=") + 16);
          size_t j = 0;
          for (absl::string_view v : absl::StrSplit(counts, ',', absl::SkipEmpty())) {
            int64_t x = 0;
            ASSERT_TRUE(absl::SimpleAtoi(v, &x)) << line;
            ASSERT_LT(j, c.moves.size()) << line;
            c.moves[j++] += x;
          }
        } else if (kind == "GFREEALL") {
          c.switches += Go151LineValue(line, "made_p_switches");
        } else if (kind == "GFREECYCLE" && row++ > 0) {
          c.restacks.back().push_back(Go151LineValue(line, "restack0") + Go151LineValue(line, "restack1"));
          for (const char* key : {"gfree0", "gfree1"}) {
            const int64_t len = Go151LineValue(line, key);
            c.min_list = c.min_list < 0 ? len : std::min(c.min_list, len);
            c.max_list = std::max(c.max_list, len);
          }
        }
      });
  return c;
}

// CreateGoroutinesCapture's exits on another P between two moves, one
// count per move (weight j: how many moves saw j, the last 15 or more):
// 2.19 a move, about the 1.22 at the move plus 0.98 in the ops between
// that the later run tells apart (go15_gfree_ops_log_test, the model's
// draws). It pins that run's restacks a cycle (13.5 and 14.0 on average,
// 3 to 32) and its free lists' lengths at the cycles (5 to 61) too.
TEST(Go15GfreeLog, CreateGoroutinesCapturesExitsBetweenTwoMoves) {
  const CycleRuns c = CycleRunsOf("BenchmarkCreateGoroutinesCapture");
  ASSERT_EQ(c.restacks.size(), 2u);
  EXPECT_EQ(c.moves, (std::vector<int64_t>{144, 634, 420, 194, 128, 49, 23, 21, 15, 9, 11, 2, 5,
                                           5, 2, 5}));
  int64_t moves = 0, exits = 0;
  for (size_t j = 0; j < c.moves.size(); ++j) {
    moves += c.moves[j];
    exits += static_cast<int64_t>(j) * c.moves[j];
  }
  EXPECT_EQ(moves, c.switches);
  EXPECT_EQ(moves, 1667);
  EXPECT_EQ(std::llround(100.0 * static_cast<double>(exits) / static_cast<double>(moves)), 219);
  // The comment's restacks a cycle (means to 0.1, extremes) and lists.
  std::vector<int64_t> means_x10;
  int64_t lo = -1, hi = -1;
  for (const std::vector<int64_t>& run : c.restacks) {
    ASSERT_FALSE(run.empty());
    int64_t sum = 0;
    for (int64_t r : run) {
      sum += r;
      lo = lo < 0 ? r : std::min(lo, r);
      hi = std::max(hi, r);
    }
    means_x10.push_back(std::llround(10.0 * static_cast<double>(sum) /
                                     static_cast<double>(run.size())));
  }
  EXPECT_EQ(means_x10, (std::vector<int64_t>{135, 140}));
  EXPECT_EQ(lo, 3);
  EXPECT_EQ(hi, 32);
  EXPECT_EQ(c.min_list, 5);
  EXPECT_EQ(c.max_list, 61);
}

// CreateGoroutines' chain: each op's goroutine starts the next one, which
// newproc1 makes on its own P, and the chain moves when its next goroutine
// runs on the other P: one stolen at a move.
TEST(Go15GfreeLog, CreateGoroutinesChainMovesAtTheModelsRate) {
  const LongRuns l = LongRunsOf("BenchmarkCreateGoroutines");
  EXPECT_EQ(l.made, l.ops + l.runs);  // one an op, and each run's first, on Ps 0 and 1
  ExpectMoves(l, kCreateGoroutinesOpsPerMove, 1);
}

}  // namespace
}  // namespace thp
