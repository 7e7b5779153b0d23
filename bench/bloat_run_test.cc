// The pieces of bench/thp_bloat around the run: the observers it calls,
// the latency percentiles and the child -> parent result format.
#include "bench/bloat_run.h"

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

TEST(BloatRun, NearestRankPercentiles) {
  EXPECT_EQ(Percentile({}, 50), 0);
  EXPECT_EQ(Percentile({7}, 99), 7);
  std::vector<int64_t> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);  // unsorted on purpose
  EXPECT_EQ(Percentile(v, 50), 50);
  EXPECT_EQ(Percentile(v, 99), 99);
  EXPECT_EQ(Percentile(v, 100), 100);
  EXPECT_EQ(Percentile({1, 2, 3}, 50), 2);
  EXPECT_EQ(Percentile({1, 2, 3, 4}, 50), 2);
}

TEST(BloatRun, ResultRoundTrips) {
  BloatResult r;
  r.variant = "prefix";
  r.kernel = "linux";
  r.khugepaged = true;
  r.max_ptes_none = 447;
  r.arena_bytes = 234881024;
  r.rss_bytes = 29261824;
  r.anon_huge_bytes = 2097152;
  r.rss_peak_bytes = 1;
  r.rss_low_after_release_bytes = 2;
  r.heap_sys_bytes = 3;
  r.heap_inuse_bytes = 4;
  r.heap_released_bytes = 5;
  r.live_objects = 100000;
  r.scavenge_passes = 67;
  r.gc_cycles = 68;
  r.max_vmas = 7148;
  r.final_vmas = 7147;
  r.madvise_dontneed = 3572;
  r.madvise_hugepage = 6;
  r.madvise_nohugepage = 3571;
  r.regions_collapsed = 117;
  r.collapse_added_bytes = 208199680;
  r.collapse_failures = 2;
  r.collapse_errors = "EAGAIN=2";
  r.last_scan = {{"nohugepage", 111}, {"collapse_failed", 1}};
  r.collapse_ns = {4640783, 9162028, 12};
  r.virtual_ns = 700000000;
  r.wall_ns = 703645361;
  absl::StatusOr<BloatResult> back = ParseFields<BloatResult>(SerializeFields(r));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(SerializeFields(*back), SerializeFields(r));
  EXPECT_TRUE(back->khugepaged);
  EXPECT_EQ(back->collapse_ns, r.collapse_ns);
  EXPECT_EQ(back->last_scan, r.last_scan);
  EXPECT_EQ(back->collapse_errors, "EAGAIN=2");
}

TEST(BloatRun, UnknownOrBadLinesAreErrors) {
  EXPECT_EQ(ParseFields<BloatResult>("rss_bytes\tlots\n").status().message(),
            "result line 1: \"rss_bytes\tlots\"");
  EXPECT_FALSE(ParseFields<BloatResult>("variant\tnone\nmystery\t1\n").ok());
  EXPECT_FALSE(ParseFields<BloatResult>("no tab here\n").ok());
  EXPECT_FALSE(ParseFields<BloatResult>("collapse_ns\t1,x\n").ok());
}

}  // namespace
}  // namespace thp
