// The premise of StackGrowthDeep's stack ramp (go15_suite.cc) against what
// Go 1.5.1 did in its own run (testdata/go151_heaplog/prefix.hlog.xz): its
// two workers keep 2 MiB stacks, markroot's shrinkstack halves a worker's
// stack at mark termination when it finds the recursion under a quarter
// deep, and the op's descent doubles it back. In the log that is: every
// 1 MiB stack span of the final run is allocated within a few milliseconds
// after a gc_mark_term, a 2 MiB one follows it before the next mark
// termination, and the halvings come in a share of the chances (cycles
// times workers) near the share of a linear descent spent under a quarter.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event_log.h"

namespace thp {
namespace {

constexpr uint64_t kHalfPages = (1 << 20) >> 13;  // a 1 MiB stack
constexpr uint64_t kFullPages = (2 << 20) >> 13;  // a 2 MiB stack
// How long after mark termination the world restarts with the halvings
// done, at most (the log's worst is 2.9 ms).
constexpr int64_t kAfterMarkTermNs = 5000000;

struct FinalRun {
  int cycles = 0;                   // its mark terminations (runN's forced one too)
  std::vector<int64_t> half_after;  // each 1 MiB stack: ns since the last mark termination
  int regrown = 0;                  // 1 MiB stacks followed by a 2 MiB one before the next
  std::vector<int> halvings;        // each mark termination's 1 MiB stacks, in order
};

// Calls `f` with each record of `benchmark` in Go's recorded log, from its
// first bench_run on (the records between its bench_start and the next
// benchmark's).
void ForEachRecordOf(const std::string& benchmark,
                     const std::function<void(const heaplog::HeapEvent&)>& f) {
  bool in_benchmark = false;
  const absl::Status st = heaplog::ForEachHeapEvent(
      "testdata/go151_heaplog/prefix.hlog.xz", [&](const heaplog::HeapEvent& e) {
        if (const auto* s = std::get_if<heaplog::BenchStart>(&e.body)) {
          in_benchmark = s->name == benchmark;
        } else if (in_benchmark) {
          f(e);
        }
      });
  EXPECT_TRUE(st.ok()) << st;
}

FinalRun ReadFinalRun(const std::string& benchmark) {
  FinalRun run;
  int64_t last_mark_term = -1;
  int halves_waiting = 0;  // since the last mark termination, not yet regrown
  ForEachRecordOf(benchmark, [&](const heaplog::HeapEvent& e) {
    if (std::holds_alternative<heaplog::BenchRun>(e.body)) {
      run = FinalRun{};  // only the last run counts
      last_mark_term = -1;
      halves_waiting = 0;
    } else if (std::holds_alternative<heaplog::GcMarkTerm>(e.body)) {
      ++run.cycles;
      run.halvings.push_back(0);
      last_mark_term = e.time_ns;
      halves_waiting = 0;
    } else if (const auto* a = std::get_if<heaplog::Alloc>(&e.body)) {
      if (a->caller != heaplog::AllocCaller::kStack) return;
      if (a->npage == kHalfPages) {
        run.half_after.push_back(last_mark_term < 0 ? -1 : e.time_ns - last_mark_term);
        if (!run.halvings.empty()) ++run.halvings.back();
        ++halves_waiting;
      } else if (a->npage == kFullPages && halves_waiting > 0) {
        --halves_waiting;
        ++run.regrown;
      }
    }
  });
  return run;
}

TEST(Go15StackRamp, StackGrowthDeepsWorkersHalveAtMarkTerminationAndGrowBack) {
  const FinalRun run = ReadFinalRun("BenchmarkStackGrowthDeep-2");
  ASSERT_GE(run.cycles, 20);
  ASSERT_GE(run.half_after.size(), 10u);
  for (int64_t ns : run.half_after) {
    EXPECT_GE(ns, 0) << "a halving before the run's first mark termination";
    EXPECT_LE(ns, kAfterMarkTermNs) << "a halving away from mark termination";
  }
  EXPECT_EQ(run.regrown, static_cast<int>(run.half_after.size()));
  // Two workers a cycle; a linear descent of 1,025 frames of 1,040 bytes
  // spends 49% of its time under a quarter of 2 MiB.
  const double share = static_cast<double>(run.half_after.size()) / (2.0 * run.cycles);
  EXPECT_GT(share, 0.35);
  EXPECT_LT(share, 0.65);
}

// The two workers are not halved in step (GoroutineTable::SetStackRamp
// draws each one's place in its op anew at every cycle's end): of the
// final run's mark terminations, some halve both workers, some one alone
// and some neither. In step, none would halve one alone.
TEST(Go15StackRamp, StackGrowthDeepsWorkersHalveApart) {
  const FinalRun run = ReadFinalRun("BenchmarkStackGrowthDeep-2");
  int cycles_halving[3] = {0, 0, 0};
  for (int n : run.halvings) {
    ASSERT_LE(n, 2) << "more halvings at one mark termination than workers";
    ++cycles_halving[n];
  }
  EXPECT_EQ(cycles_halving[0], 9);
  EXPECT_EQ(cycles_halving[1], 12);
  EXPECT_EQ(cycles_halving[2], 15);
}

// Each run's first growth of its workers' stacks (RunBuilder's
// SetupGrowSideBySide and ParallelOpPs, go15_suite.cc StackGrowth): the
// dedicated stack spans (8 pages and up; 4-page ones may be pool spans)
// a run takes up to and including its second 2 MiB one.
std::vector<std::vector<uint64_t>> FirstGrowths(const std::string& benchmark) {
  std::vector<std::vector<uint64_t>> runs;
  int full = 0;
  ForEachRecordOf(benchmark, [&](const heaplog::HeapEvent& e) {
    if (std::holds_alternative<heaplog::BenchRun>(e.body)) {
      runs.emplace_back();
      full = 0;
    } else if (const auto* a = std::get_if<heaplog::Alloc>(&e.body)) {
      if (runs.empty() || a->caller != heaplog::AllocCaller::kStack || a->npage < 8 || full == 2) {
        return;
      }
      runs.back().push_back(a->npage);
      if (a->npage == kFullPages) ++full;
    }
  });
  return runs;
}

// The b.N = 1 run grows one worker (pb.Next's grain is 1: the other has no
// op); the last run grows both side by side, each doubling of one followed
// by the same doubling of the other. (The b.N = 100 run grew them one after
// the other, and the b.N = 10000 one nearly side by side: a race the model
// does not derive; it takes the last run's order, which holds the
// benchmark's time.)
TEST(Go15StackRamp, StackGrowthDeepsWorkersGrowSideBySide) {
  const std::vector<std::vector<uint64_t>> runs = FirstGrowths("BenchmarkStackGrowthDeep-2");
  ASSERT_EQ(runs.size(), 4u);
  EXPECT_EQ(runs.front(), (std::vector<uint64_t>{8, 16, 32, 64, 128, 256}));
  EXPECT_EQ(runs.back(), (std::vector<uint64_t>{8, 8, 16, 16, 32, 32, 64, 64, 128, 128, 256, 256}));
  EXPECT_EQ(runs[1], (std::vector<uint64_t>{8, 16, 32, 64, 128, 256, 8, 16, 32, 64, 128, 256}));
}

}  // namespace
}  // namespace thp
