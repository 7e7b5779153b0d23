// One run of bench/thp_bloat's program: the observers it calls.
#include "bench/thp_bloat/bloat_run.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "runtime_port/kernel/kernel_profile.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

// One run of the driver's program as thp_bloat's child makes it, on a fresh
// simulated kernel: the whole 100,000-goroutine program, memory touched,
// GODEBUG=scavenge=1, GOGC 100. A 2015 kernel has no MADV_COLLAPSE, so its
// emulation collapses through the simulator's khugepaged path.
BloatResult RunOn(const KernelProfile& profile, const std::string& variant, bool khugepaged,
                  int64_t max_ptes_none = 511) {
  SimOptions so;
  so.profile = profile;
  SimulatedKernel sim(so);
  BloatRunOptions o;
  o.runtime.variant = variant;
  o.runtime.touch_memory = true;
  o.khugepaged = khugepaged;
  o.emulator.max_ptes_none = max_ptes_none;
  if (!sim.Supports(Advice::kCollapse)) {
    o.emulator.collapse = [&sim](uintptr_t region) { return sim.CollapseRegion(region); };
  }
  absl::StatusOr<BloatResult> r = RunBloat(sim, o);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : BloatResult();
}

// Go issue 8832's program: a 224 MiB arena of which, after the scavenger,
// 3578 pages (28.0 MiB: the G objects and the runtime's own) stay resident. Without khugepaged every
// variant ends there; the variants differ in the flags they leave on the
// released pages.
void ExpectTheScavengedHeap(const BloatResult& r) {
  EXPECT_EQ(r.heap, "go15");
  EXPECT_EQ(r.arena_bytes, 234881024u);
  EXPECT_EQ(r.heap_released_bytes, 205570048u);
  EXPECT_EQ(r.live_objects, 100000);
  EXPECT_EQ(r.collapse_failures, 0);
  EXPECT_EQ(r.madvise_dontneed, 3571);
  EXPECT_EQ(r.madvise_hugepage, 0);
}

// With khugepaged emulated, none's every one of the 112 released regions is
// whole again: 120 collapses, counting the growing heap's top region before
// any release (7) and once more after the scavenger released its unused end
// (1); RSS returns to the whole arena, all of it huge, 8.01 times the RSS
// without. The same on the 2015 kernel's khugepaged path.
TEST(BloatRun, NoneBloatsToTheWholeArena) {
  for (const KernelProfile& profile : {Linux6Profile(), Linux2015Profile()}) {
    SCOPED_TRACE(profile.name);
    const BloatResult without = RunOn(profile, "none", false);
    const BloatResult with = RunOn(profile, "none", true);
    ExpectTheScavengedHeap(without);
    ExpectTheScavengedHeap(with);
    EXPECT_EQ(without.rss_bytes, 29310976u);
    EXPECT_EQ(without.anon_huge_bytes, 0u);
    EXPECT_EQ(with.rss_bytes, 234881024u);
    EXPECT_EQ(with.anon_huge_bytes, 234881024u);
    EXPECT_EQ(with.regions_collapsed, 120);
    EXPECT_EQ(with.collapse_added_bytes, 210345984u);
    EXPECT_EQ(with.rss_low_after_release_bytes, 29310976u);
    EXPECT_EQ(with.madvise_nohugepage, 0);
  }
}

// prefix and fixed mark the released regions NOHUGEPAGE: only the 7
// collapses of the growing heap happen, and the scavenger's DONTNEED splits
// those again, so nothing bloats.
TEST(BloatRun, PrefixAndFixedDoNotBloat) {
  struct Case {
    const char* variant;
    KernelProfile profile;
  };
  for (const Case& c : {Case{"prefix", Linux6Profile()}, Case{"fixed", Linux6Profile()},
                        Case{"prefix", Linux2015Profile()}}) {
    SCOPED_TRACE(absl::StrCat(c.variant, " on ", c.profile.name));
    const BloatResult without = RunOn(c.profile, c.variant, false);
    const BloatResult with = RunOn(c.profile, c.variant, true);
    ExpectTheScavengedHeap(without);
    ExpectTheScavengedHeap(with);
    EXPECT_EQ(without.rss_bytes, 29310976u);
    EXPECT_EQ(without.anon_huge_bytes, 0u);
    EXPECT_EQ(with.rss_bytes, 29310976u);
    EXPECT_EQ(with.anon_huge_bytes, 0u);
    EXPECT_EQ(with.regions_collapsed, 7);
    EXPECT_EQ(with.collapse_added_bytes, 4005888u);
    EXPECT_EQ(with.madvise_nohugepage, 3571);
  }
}

// khugepaged's max_ptes_none threshold: a released region keeps 64 of its
// 512 pages (448 absent). At 448 every one collapses again but two, which
// keep fewer (924 pages absent between them). At 447 one still does (9
// collapses in all; fixed: 7) and stays whole to the end: a region that
// keeps more than 64, where the first background cycle made the GC's own
// goroutines (go1.5.1 backgroundgc and a mark worker per P). At 0 nothing
// collapses.
TEST(BloatRun, MaxPtesNoneThreshold) {
  const KernelProfile linux6 = Linux6Profile();
  BloatResult r = RunOn(linux6, "none", true, 448);
  EXPECT_EQ(r.rss_bytes, 231096320u);
  EXPECT_EQ(r.regions_collapsed, 118);
  r = RunOn(linux6, "none", true, 447);
  EXPECT_EQ(r.rss_bytes, 31080448u);
  EXPECT_EQ(r.anon_huge_bytes, 2097152u);
  EXPECT_EQ(r.regions_collapsed, 9);
  r = RunOn(linux6, "fixed", true, 447);
  EXPECT_EQ(r.rss_bytes, 29310976u);
  EXPECT_EQ(r.regions_collapsed, 7);
  r = RunOn(linux6, "none", true, 0);
  EXPECT_EQ(r.rss_bytes, 29310976u);
  EXPECT_EQ(r.regions_collapsed, 0);
  EXPECT_EQ(r.collapse_added_bytes, 0u);
}

// prefix splits a VMA per released span, so its census climbs many times;
// the observers see each new maximum in order and the end exactly once,
// after the emulation, with the result RunBloat returns.
TEST(BloatRun, ObserversSeeEachVmaPeakAndTheEnd) {
  SimulatedKernel sim;
  BloatRunOptions o;
  o.runtime.variant = "prefix";
  o.khugepaged = true;
  o.workload.goroutines = 5000;
  std::vector<int64_t> peaks;
  o.on_census_peak = [&peaks](TraceReplayer& rep) {
    peaks.push_back(rep.census().current().own);
  };
  int ends = 0;
  uint64_t rss_at_end = 0;
  int64_t collapsed_at_end = -1;
  o.on_end = [&](TraceReplayer& rep, const BloatResult& r) {
    ++ends;
    rss_at_end = r.rss_bytes;
    collapsed_at_end = r.regions_collapsed;
    EXPECT_EQ(rep.census().max_own(), r.max_vmas);
  };
  absl::StatusOr<BloatResult> r = RunBloat(sim, o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_GT(peaks.size(), 10u);
  for (size_t i = 1; i < peaks.size(); ++i) EXPECT_GT(peaks[i], peaks[i - 1]) << i;
  EXPECT_EQ(peaks.back(), r->max_vmas);
  EXPECT_EQ(ends, 1);
  EXPECT_EQ(rss_at_end, r->rss_bytes);
  EXPECT_GT(rss_at_end, 0u);
  EXPECT_EQ(collapsed_at_end, r->regions_collapsed);
}

// The Go 1.21 heap through the same run: it names its heap, reads its
// figures through HeapRuntime, and the emulation scans its arena through
// the kernel seam (the 64 MiB arena's reserved tail is not writable).
TEST(BloatRun, Go121HeapRunsWithTheEmulation) {
  SimulatedKernel sim;
  BloatRunOptions o;
  o.runtime.variant = "collapse";
  o.heap = HeapKind::kGo121;
  o.khugepaged = true;
  o.workload.goroutines = 5000;
  int ends = 0;
  o.on_end = [&](TraceReplayer& rep, const BloatResult& r) {
    ++ends;
    EXPECT_EQ(rep.heap_runtime().kind(), HeapKind::kGo121);
    EXPECT_EQ(rep.census().max_own(), r.max_vmas);
  };
  absl::StatusOr<BloatResult> r = RunBloat(sim, o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->heap, "go121");
  EXPECT_EQ(ends, 1);
  EXPECT_EQ(r->live_objects, 5000);
  EXPECT_GT(r->arena_bytes, 0u);
  EXPECT_GT(r->rss_bytes, 0u);
  EXPECT_GT(r->gc_cycles, 0);
  EXPECT_FALSE(r->last_scan.empty());
  // collapse's dense chunks are collapsed again by the emulation.
  EXPECT_GT(r->regions_collapsed, 0);
}

}  // namespace
}  // namespace thp
