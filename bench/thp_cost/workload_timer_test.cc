#include "bench/thp_cost/workload_timer.h"

#include <string>

#include "bench/report/sample_percentiles.h"
#include "gtest/gtest.h"

namespace thp {
namespace {

int64_t Get(const NamedCounts& c, const std::string& name) {
  for (const auto& [n, v] : c) {
    if (n == name) return v;
  }
  ADD_FAILURE() << "no " << name;
  return -1;
}

TEST(NearestRankPercentile, KnownSample) {
  std::vector<int64_t> v;
  for (int64_t i = 100; i >= 1; --i) v.push_back(i);  // 1..100, unsorted
  EXPECT_EQ(NearestRankPercentile(v, 0.5), 50);
  EXPECT_EQ(NearestRankPercentile(v, 0.99), 99);
  EXPECT_EQ(NearestRankPercentile(v, 1.0), 100);
  EXPECT_EQ(NearestRankPercentile(v, 0.0), 1);
  EXPECT_EQ(NearestRankPercentile({7, 3, 9}, 0.5), 7);  // ceil(1.5) = 2nd smallest
  EXPECT_EQ(NearestRankPercentile({5}, 0.99), 5);
  EXPECT_EQ(NearestRankPercentile({}, 0.5), 0);
}

// A clock and a collapse count the test moves by hand.
struct Fake {
  int64_t now = 0;
  int64_t collapses = 0;
};

TEST(WorkloadTimer, LockWaitIsTheEarlierHoldsOfTheRound) {
  Fake f;
  WorkloadTimer t([&f] { return f.now; }, [&f] { return f.collapses; });
  // Round 1: P0 holds the lock 10 ns around a collapse, P1 holds it 3 ns,
  // P2 never takes it.
  t.BeginAlloc(0);
  f.now += 1;
  t.Acquired();
  f.now += 10;
  f.collapses = 1;
  t.Released();
  t.EndAlloc();  // own 11
  t.BeginAlloc(1);
  t.Acquired();
  f.now += 3;
  t.Released();
  t.EndAlloc();  // own 3 + wait 10
  t.BeginAlloc(2);
  f.now += 2;
  t.EndAlloc();  // own 2, no lock: no wait
  // Round 2 starts at P0 again: nothing to wait for.
  t.BeginAlloc(0);
  t.Acquired();
  f.now += 4;
  t.Released();
  t.EndAlloc();  // own 4
  EXPECT_EQ(t.alloc_ns(), (std::vector<int64_t>{11, 13, 2, 4}));
  EXPECT_EQ(t.collapse_hold_ns(), (std::vector<int64_t>{10}));
  const NamedCounts fig = t.Figures(0);
  EXPECT_EQ(Get(fig, "allocs"), 4);
  EXPECT_EQ(Get(fig, "alloc_lock_wait_ns"), 10);
  EXPECT_EQ(Get(fig, "alloc_max_ns"), 13);
  EXPECT_EQ(Get(fig, "alloc_p50_ns"), 4);
  EXPECT_EQ(Get(fig, "collapse_holds"), 1);
  EXPECT_EQ(Get(fig, "collapse_hold_max_ns"), 10);
}

TEST(WorkloadTimer, AnotherEventEndsTheRound) {
  Fake f;
  WorkloadTimer t([&f] { return f.now; }, [&f] { return f.collapses; });
  t.BeginAlloc(0);
  t.Acquired();
  f.now += 5;
  t.Released();
  t.EndAlloc();
  t.OtherEvent();  // e.g. compute
  t.BeginAlloc(1);
  t.Acquired();
  f.now += 1;
  t.Released();
  t.EndAlloc();
  EXPECT_EQ(t.alloc_ns(), (std::vector<int64_t>{5, 1}));
}

TEST(WorkloadTimer, CollapsesByGcCycleAndRefill) {
  Fake f;
  WorkloadTimer t([&f] { return f.now; }, [&f] { return f.collapses; });
  t.BeginPhase(/*refill=*/false);
  f.collapses = 2;
  t.NoteGcCycle(0);
  t.EndPhase();
  t.BeginPhase(/*refill=*/true);
  f.collapses = 5;
  t.NoteGcCycle(2);
  t.EndPhase();
  t.BeginPhase(/*refill=*/true);
  f.collapses = 6;
  t.NoteGcCycle(3);
  t.EndPhase();
  const NamedCounts fig = t.Figures(/*gc_cycles=*/4);
  EXPECT_EQ(Get(fig, "collapses"), 6);
  EXPECT_EQ(Get(fig, "gc_cycles_seen"), 5);        // cycles 0..4: 2, 0, 3, 1, 0
  EXPECT_EQ(Get(fig, "collapses_per_gc_p50"), 1);  // sorted 0 0 1 2 3
  EXPECT_EQ(Get(fig, "collapses_per_gc_max"), 3);
  EXPECT_EQ(Get(fig, "refills"), 2);
  EXPECT_EQ(Get(fig, "refill_collapses_min"), 1);
  EXPECT_EQ(Get(fig, "refill_collapses_max"), 3);
}

}  // namespace
}  // namespace thp
