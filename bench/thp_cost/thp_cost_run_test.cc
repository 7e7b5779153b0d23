// thp_cost's workloads on the simulated kernel, whose counts and model times
// are exact: the issue workloads on the Go 1.21 heap, and chunk_churn on the
// Go 1.5 heap per variant as the driver runs it by default.
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

// chunk_churn as the driver runs it by default on the simulated kernel
// (GOGC 100, GOMAXPROCS 2, GODEBUG=scavenge=1, 12 chunks, 4 cycles), on the
// Go 1.5 heap for every variant (the 1.21 variants with Go 1.21's
// chunk-density rule), with an 8 MiB, one-round first-touch probe.
ThpCostResult RunChunkChurnOnGo15(const std::string& variant, ThpMode mode = ThpMode::kMadvise) {
  SimOptions so;
  so.thp_mode = mode;
  SimulatedKernel sim(so);
  ThpCostOptions o;
  o.runtime.variant = variant;
  o.runtime.gomaxprocs = 2;
  o.runtime.touch_memory = true;
  o.scavenge_debug = true;
  o.heap = HeapKind::kGo15;
  o.workload.chunks = 12;
  o.workload.cycles = 4;
  o.probe_bytes = uintptr_t{8} << 20;
  o.probe_rounds = 1;
  ThpCostResult r = RunThpCost(sim, o);
  EXPECT_EQ(r.error, "") << variant;
  return r;
}

// NamedCounts as the CSV cell shows them: name=count, ';'-separated.
std::string Cell(const NamedCounts& c) {
  std::string out;
  for (const auto& [name, n] : c) {
    if (!out.empty()) out += ";";
    out += name + "=" + std::to_string(n);
  }
  return out;
}

// 1. Calls with the heap lock held, by site ('*': held in the Go version the
// variant mirrors). Go 1.21.0 (hugepage_eager): grow and dense-chunk
// HUGEPAGE under the lock, the scavenger's NOHUGEPAGE and DONTNEED not; Go
// 1.21.1 (collapse): dense-chunk COLLAPSE under the lock; the 2024
// TRY_COLLAPSE proposal the same calls; fixed (Go 1.5.2's heap): every call
// under the lock. Every variant runs the same workload: the same heap, GCs
// and scavenger passes. Coverage depends on the THP mode (madvise here):
// three dense chunks hold a 2 MiB region with no page table yet (released
// whole, not yet written again), whose collapses Linux refuses with EINVAL.
TEST(ThpCostRun, ChunkChurnOnTheGo15HeapPerVariant) {
  const ThpCostResult eager = RunChunkChurnOnGo15("hugepage_eager");
  EXPECT_EQ(Cell(eager.calls_by_site),
            "sysUnused/DONTNEED=702;*grow/HUGEPAGE=1;*dense/HUGEPAGE=42;scavenge/NOHUGEPAGE=46");
  EXPECT_EQ(eager.locked_calls, 43);
  EXPECT_EQ(eager.unlocked_calls, 748);
  EXPECT_EQ(eager.advises_new_memory, 1);
  EXPECT_EQ(eager.advised.anon_huge_bytes, 8388608);  // every fault huge
  const ThpCostResult collapse = RunChunkChurnOnGo15("collapse");
  EXPECT_EQ(Cell(collapse.calls_by_site), "sysUnused/DONTNEED=702;*dense/COLLAPSE=42");
  EXPECT_EQ(collapse.locked_calls, 42);
  EXPECT_EQ(Cell(collapse.madvise_errors), "COLLAPSE/EINVAL=3");
  const ThpCostResult try_collapse = RunChunkChurnOnGo15("try_collapse");
  EXPECT_EQ(Cell(try_collapse.calls_by_site), "sysUnused/DONTNEED=702;*dense/TRY_COLLAPSE=42");
  EXPECT_EQ(try_collapse.locked_calls, 42);
  EXPECT_EQ(Cell(try_collapse.madvise_errors), "TRY_COLLAPSE/EINVAL=3");
  const ThpCostResult fixed = RunChunkChurnOnGo15("fixed");
  EXPECT_EQ(Cell(fixed.calls_by_site),
            "*sysUnused/DONTNEED=745;*sysUnused/NOHUGEPAGE=749;*sysUsed/HUGEPAGE=4");
  EXPECT_EQ(fixed.locked_calls, 1498);
  EXPECT_EQ(fixed.unlocked_calls, 0);
  for (const ThpCostResult* r : {&eager, &collapse, &try_collapse, &fixed}) {
    SCOPED_TRACE(r->variant);
    EXPECT_EQ(r->end_heap_inuse, 58318848u);
    EXPECT_EQ(r->peak_heap_inuse, 58318848u);
    EXPECT_EQ(r->gc_cycles, 36);
    EXPECT_EQ(r->scavenge_passes, 30);
    EXPECT_EQ(r->samples, 44);
    EXPECT_EQ(r->advised.bytes, 8388608);
    EXPECT_EQ(r->plain.anon_huge_bytes, 0);
  }
  for (const ThpCostResult* r : {&collapse, &try_collapse, &fixed}) {
    EXPECT_EQ(r->advises_new_memory, 0) << r->variant;
  }
  EXPECT_EQ(eager.end_anon_huge, 0u);
  EXPECT_EQ(eager.peak_anon_huge, 4194304u);
  EXPECT_EQ(fixed.end_anon_huge, 4194304u);
  EXPECT_EQ(fixed.peak_anon_huge, 4194304u);
  for (const ThpCostResult* r : {&collapse, &try_collapse}) {
    EXPECT_EQ(r->end_anon_huge, 46137344u) << r->variant;
    EXPECT_EQ(r->peak_anon_huge, 48234496u) << r->variant;
    EXPECT_EQ(r->max_anon_huge, 48234496u) << r->variant;
  }
}

// In mode never no fault gets a huge page, advised or not: what the
// variants that rely on faults had in madvise mode is gone.
TEST(ThpCostRun, ChunkChurnInModeNeverGetsNoHugePage) {
  const ThpCostResult eager = RunChunkChurnOnGo15("hugepage_eager", ThpMode::kNever);
  EXPECT_EQ(eager.advised.anon_huge_bytes, 0);
  for (const char* v : {"hugepage_eager", "fixed"}) {
    const ThpCostResult r = RunChunkChurnOnGo15(v, ThpMode::kNever);
    EXPECT_EQ(r.end_anon_huge, 0u) << v;
    EXPECT_EQ(r.peak_anon_huge, 0u) << v;
  }
}

}  // namespace
}  // namespace thp
