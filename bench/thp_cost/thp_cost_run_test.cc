// The issue workloads of thp_cost on the simulated kernel, whose counts and
// model times are exact.
#include "bench/thp_cost/thp_cost_run.h"

#include <string>

#include "bench/thp_cost/sim_cost_kernel.h"
#include "gtest/gtest.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

int64_t Get(const NamedCounts& c, const std::string& name) {
  for (const auto& [n, v] : c) {
    if (n == name) return v;
  }
  return -1;
}

constexpr int64_t kStallNs = 1000000;
constexpr int64_t kCollapseNs = 100000;

struct Run {
  ThpCostResult r;
  int64_t stalls = 0;
};

Run RunSim(ThpWorkload which, const std::string& variant, int64_t free_huge_pages = 0) {
  SimulatedKernel sim;
  SimCostModel model;
  model.stall_ns = kStallNs;
  model.collapse_ns = kCollapseNs;
  model.free_huge_pages = free_huge_pages;
  SimCostKernel cost(sim, model);
  ThpCostOptions o;
  o.runtime.variant = variant;
  o.runtime.gomaxprocs = 4;
  o.heap = HeapKind::kGo121;
  o.which = which;
  o.burst.chunks = 4;
  o.burst.cycles = 3;
  o.burst.ps = 4;
  o.growing.mib = 16;
  o.growing.ps = 1;
  o.sim_cost = &cost;
  o.probe_bytes = uintptr_t{4} << 20;
  o.probe_rounds = 1;
  Run run;
  run.r = RunThpCost(cost, o);
  return run;
}

TEST(ThpCostRun, Issue63334CollapsesEveryChunkOnEveryRefillUnderTheHeapLock) {
  const ThpCostResult r = RunSim(ThpWorkload::kIssue63334, "collapse").r;
  ASSERT_EQ(r.error, "");
  const NamedCounts& w = r.workload_figures;
  // The grow marks fresh chunks dense without advice; each refill crosses
  // 496 pages in each of the 4 chunks the idle scavenger released from.
  EXPECT_EQ(Get(w, "refills"), 3);
  EXPECT_EQ(Get(w, "refill_collapses_min"), 4);
  EXPECT_EQ(Get(w, "refill_collapses_max"), 4);
  EXPECT_EQ(Get(w, "collapses"), 12);
  // Every COLLAPSE was made with the heap lock held, each in a hold of its own.
  int64_t locked_collapse = 0, unlocked_collapse = 0;
  for (const auto& [name, n] : r.calls_by_site) {
    if (name == "*dense/COLLAPSE") locked_collapse += n;
    if (name == "dense/COLLAPSE") unlocked_collapse += n;
  }
  EXPECT_EQ(locked_collapse, 12);
  EXPECT_EQ(unlocked_collapse, 0);
  EXPECT_EQ(Get(w, "collapse_holds"), 12);
  // Each collapses both 2 MiB regions of its chunk, with no free huge page.
  EXPECT_EQ(Get(w, "sim_collapsed"), 24);
  EXPECT_EQ(Get(w, "sim_stalls"), 24);
  EXPECT_EQ(Get(w, "collapse_hold_p50_ns"), 2 * (kStallNs + kCollapseNs));
  EXPECT_EQ(Get(w, "collapse_hold_max_ns"), 2 * (kStallNs + kCollapseNs));
  // The other Ps of a collapsing allocation's round wait for its hold.
  EXPECT_GT(Get(w, "alloc_lock_wait_ns"), 0);
  EXPECT_EQ(Get(w, "alloc_lock_wait_ns") % (2 * (kStallNs + kCollapseNs)), 0);
  EXPECT_EQ(Get(w, "modelled_ns"), 1);
}

TEST(ThpCostRun, Issue63334OnNoneMakesNoCollapse) {
  const ThpCostResult r = RunSim(ThpWorkload::kIssue63334, "none").r;
  ASSERT_EQ(r.error, "");
  const NamedCounts& w = r.workload_figures;
  EXPECT_EQ(Get(w, "collapses"), 0);
  EXPECT_EQ(Get(w, "collapse_holds"), 0);
  EXPECT_EQ(Get(w, "alloc_max_ns"), 0);  // nothing modelled costs anything
  EXPECT_EQ(Get(w, "refills"), 3);
}

TEST(ThpCostRun, Issue61718StallsOnFirstTouchOfHugePageMemoryOnly) {
  const ThpCostResult eager = RunSim(ThpWorkload::kIssue61718, "hugepage_eager").r;
  ASSERT_EQ(eager.error, "");
  const NamedCounts& w = eager.workload_figures;
  EXPECT_GT(Get(w, "sim_huge_faults"), 0);
  EXPECT_EQ(Get(w, "sim_stalls"), Get(w, "sim_huge_faults"));
  EXPECT_EQ(Get(w, "collapses"), 0);
  EXPECT_GE(Get(w, "alloc_max_ns"), kStallNs);
  EXPECT_EQ(Get(w, "alloc_max_ns") % kStallNs, 0);

  const ThpCostResult none = RunSim(ThpWorkload::kIssue61718, "none").r;
  ASSERT_EQ(none.error, "");
  EXPECT_EQ(Get(none.workload_figures, "sim_huge_faults"), 0);
  EXPECT_EQ(Get(none.workload_figures, "alloc_max_ns"), 0);

  // With free huge pages enough, the same faults never stall.
  const ThpCostResult plenty =
      RunSim(ThpWorkload::kIssue61718, "hugepage_eager", /*free_huge_pages=*/1000000).r;
  EXPECT_EQ(Get(plenty.workload_figures, "sim_huge_faults"), Get(w, "sim_huge_faults"));
  EXPECT_EQ(Get(plenty.workload_figures, "sim_stalls"), 0);
  EXPECT_EQ(Get(plenty.workload_figures, "alloc_max_ns"), 0);
}

TEST(ThpCostRun, ChunkChurnHasNoWorkloadFigures) {
  SimulatedKernel sim;
  ThpCostOptions o;
  o.runtime.variant = "collapse";
  o.heap = HeapKind::kGo121;
  o.workload.chunks = 2;
  o.workload.cycles = 1;
  o.probe_bytes = uintptr_t{4} << 20;
  o.probe_rounds = 1;
  const ThpCostResult r = RunThpCost(sim, o);
  ASSERT_EQ(r.error, "");
  EXPECT_TRUE(r.workload_figures.empty());
}

}  // namespace
}  // namespace thp
