// One run of bench/thp_bloat's program: the observers it calls.
#include "bench/thp_bloat/bloat_run.h"

#include "gtest/gtest.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

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
}

}  // namespace
}  // namespace thp
