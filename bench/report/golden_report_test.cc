// Golden files for the drivers' report formats: each test formats one fixed
// result, written out below, and compares the text byte for byte with
// testdata/golden/<name>. The results are made up (not measured), so a
// golden file changes only when a format does.
//
// After changing a format on purpose, rewrite the files and review the diff:
//   THP_UPDATE_GOLDEN=1 bazel run //bench/report:golden_report_test
#include <cerrno>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "bench/report/bloat_report.h"
#include "bench/report/pessimal_report.h"
#include "bench/report/repro_report.h"
#include "bench/report/thp_cost_report.h"
#include "gtest/gtest.h"
#include "runtime_port/base/file_io.h"

namespace thp {
namespace {

// Compares `got` with testdata/golden/<name>, or rewrites that file in the
// workspace when THP_UPDATE_GOLDEN is set under `bazel run`.
void ExpectGolden(const std::string& name, const std::string& got) {
  const std::string rel = "testdata/golden/" + name;
  const char* update = std::getenv("THP_UPDATE_GOLDEN");
  const char* workspace = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  if (update != nullptr && *update != '\0' && workspace != nullptr) {
    absl::Status st = WriteWholeFile(absl::StrCat(workspace, "/", rel), got);
    EXPECT_TRUE(st.ok()) << st;
    return;
  }
  absl::StatusOr<std::string> want = ReadWholeFile(rel);
  ASSERT_TRUE(want.ok()) << want.status()
                         << " (THP_UPDATE_GOLDEN=1 bazel run //bench/report:golden_report_test)";
  EXPECT_EQ(got, *want) << rel << " differs; if the format changed on purpose: "
                        << "THP_UPDATE_GOLDEN=1 bazel run //bench/report:golden_report_test";
}

VariantResult Repro(const std::string& variant, int64_t own, int64_t splits, int64_t hugepage,
                    int64_t nohugepage) {
  VariantResult v;
  v.variant = variant;
  v.kernel = "sim";
  v.profile = "linux6";
  v.heap = "go15";
  v.max_own_vmas = own;
  v.max_go_vmas = own + kGoStaticBinaryVmas;
  v.max_process_vmas = own + 270;
  v.max_split_vmas = splits;
  v.final_own_vmas = own / 2;
  v.final_process_vmas = own / 2 + 270;
  v.max_at_benchmark = "BenchmarkMatmult";
  v.benchmark_max_vmas = {{"BenchmarkAppend", 12},
                          {"BenchmarkMatmult", own + kGoStaticBinaryVmas},
                          {"BenchmarkIfaceCmp100", own / 2 + kGoStaticBinaryVmas}};
  v.peak_rss = uint64_t{56} << 20;
  v.final_rss = uint64_t{6} << 20;
  v.peak_anon_huge = uint64_t{4} << 20;
  v.heap_sys = uint64_t{247} << 20;
  v.heap_released = uint64_t{241} << 20;
  v.heap_inuse = uint64_t{5} << 20;
  v.madvise_calls = {{"DONTNEED", 6578}, {"HUGEPAGE", hugepage}, {"NOHUGEPAGE", nohugepage}};
  v.mmap_calls = 120;
  v.munmap_calls = 3;
  v.scavenge_passes = 46670;
  v.gc_cycles = 19083;
  v.benchmarks = 243;
  v.runs = 1200;
  v.ops = 123456789;
  v.events = 98765432;
  v.census_reads = 4242;
  v.virtual_ns = 476'400'000'000;
  v.wall_ns = 30'500'000'000;
  v.series = {{0, 280, 3}, {200'000'000'000, 280 + own, own}, {476'000'000'000, 281, 4}};
  return v;
}

ReproRun ReproFixture() {
  ReproRun run;
  run.kernel = "sim";
  run.profile = "linux6";
  run.thp_mode = "madvise";
  run.max_map_count = 65530;
  run.timings = "go151";
  run.workloads = ".";
  run.mark_share_seed = 6221077;  // mheap/go15/mark_share.h kMarkShareSeed
  run.sweep_wait_seed = 6221078;  // mheap/go15/runtime.h kSweepWaitSeed
  run.cpu_scale = 1.06;  // the default timings' (bench/workloads/cpu_scale.h)
  VariantResult prefix = Repro("prefix", 1608, 1605, 5523, 6578);
  VariantResult fixed = Repro("fixed", 17, 14, 642, 7228);
  fixed.madvise_errors = {{"NOHUGEPAGE/ENOMEM", 670}};
  VariantResult dead = Repro("none", 7, 0, 0, 0);
  dead.error = "runtime: out of memory";
  run.variants = {prefix, fixed, dead};
  return run;
}

TEST(GoldenReports, VmaRepro) {
  const ReproRun run = ReproFixture();
  ExpectGolden("vma_repro_table.txt", FormatTable(run) + Headline(run) + "\n");
  ExpectGolden("vma_repro.json", FormatJson(run));
  ExpectGolden("vma_repro.csv", FormatCsv(run));
}

BloatResult Bloat(const std::string& variant, bool khugepaged, uint64_t rss, int64_t collapsed) {
  BloatResult r;
  r.variant = variant;
  r.kernel = "sim";
  r.heap = "go15";
  r.khugepaged = khugepaged;
  r.max_ptes_none = 511;
  r.arena_bytes = uint64_t{224} << 20;
  r.rss_bytes = rss;
  r.anon_huge_bytes = khugepaged ? rss : 0;
  r.rss_peak_bytes = uint64_t{224} << 20;
  r.rss_low_after_release_bytes = 29261824;
  r.heap_sys_bytes = uint64_t{230} << 20;
  r.heap_inuse_bytes = uint64_t{26} << 20;
  r.heap_released_bytes = 205619200;
  r.live_objects = 100000;
  r.scavenge_passes = 17;
  r.gc_cycles = 12;
  r.max_vmas = 40;
  r.final_vmas = 12;
  r.madvise_dontneed = 3573;
  r.regions_collapsed = collapsed;
  r.collapse_added_bytes = khugepaged ? 208953344 : 0;
  r.virtual_ns = 2'000'000'000;
  r.wall_ns = 300'000'000;
  return r;
}

TEST(GoldenReports, ThpBloat) {
  BloatReport report;
  report.kernel = "sim";
  report.profile = "linux6";
  report.thp_mode = "madvise";
  report.max_map_count = 65530;
  report.max_ptes_none = 511;
  BloatRow none;
  none.variant = "none";
  none.heap = "go15";
  none.without = Bloat("none", false, 29261824, 0);
  none.with = Bloat("none", true, uint64_t{224} << 20, 117);
  // fixed on the Go 1.21 heap: not its release's, so marked.
  BloatRow fixed;
  fixed.variant = "fixed";
  fixed.heap = "go121";
  fixed.without = Bloat("fixed", false, 29261824, 0);
  fixed.with = Bloat("fixed", true, 29261824, 4);
  fixed.without.heap = fixed.with.heap = "go121";
  fixed.with.madvise_nohugepage = 3573;
  fixed.with.collapse_errors = "EAGAIN=2";
  fixed.with.collapse_failures = 2;
  report.rows = {none, fixed};
  ExpectGolden("thp_bloat_table.txt", FormatBloatTable(report));
  ExpectGolden("thp_bloat.json", FormatBloatJson(report));
  ExpectGolden("thp_bloat.csv", FormatBloatCsv(report));
}

ThpCostResult Cost(const std::string& variant, int64_t locked, int64_t p99) {
  ThpCostResult r;
  r.variant = variant;
  r.kernel = "sim";
  r.heap = "go15";
  r.locked_calls = locked;
  r.locked_p50_ns = 1400;
  r.locked_p99_ns = p99;
  r.locked_max_ns = p99 * 3;
  r.locked_total_ns = locked * 2000;
  r.calls_by_site = {{"*sysUnused/DONTNEED", 755}, {"*sysUnused/NOHUGEPAGE", 759}};
  r.advises_new_memory = 1;
  r.advised = TouchCost{int64_t{64} << 20, 40'000'000, 1'100'000, 3'870'000, int64_t{64} << 20};
  r.plain = TouchCost{int64_t{64} << 20, 25'000'000, 330'000, 490'000, 0};
  r.end_heap_inuse = 58269696;
  r.end_anon_huge = uint64_t{4} << 20;
  r.end_rss = 60000000;
  r.peak_heap_inuse = 58269696;
  r.peak_anon_huge = uint64_t{4} << 20;
  r.max_anon_huge = uint64_t{4} << 20;
  r.gc_cycles = 36;
  r.scavenge_passes = 30;
  r.heap_released = 1 << 20;
  r.samples = 44;
  r.wall_ns = 1'500'000'000;
  return r;
}

TEST(GoldenReports, ThpCost) {
  ThpCostRun run;
  run.kernel = "sim";
  run.thp_enabled = "always [madvise] never";
  run.thp_defrag = "n/a (simulated)";
  run.sim_max_map_count = 65530;
  run.chunks = 16;
  run.cycles = 3;
  run.probe_bytes = int64_t{64} << 20;
  run.probe_rounds = 4;
  run.skipped = {"try_collapse: MADV_TRY_COLLAPSE was never merged into Linux"};
  // collapse on the Go 1.5 heap (the hybrid: marked) and on its own.
  ThpCostResult collapse = Cost("collapse", 35, 9'070'000);
  collapse.calls_by_site = {{"*dense/COLLAPSE", 35}};
  collapse.madvise_errors = {{"COLLAPSE/EINVAL", 20}};
  ThpCostResult collapse121 = collapse;
  collapse121.heap = "go121";
  collapse121.calls_by_site = {{"*dense/COLLAPSE", 30}, {"dense/COLLAPSE", 5}};
  run.variants = {Cost("fixed", 1518, 90'100), collapse, collapse121};
  ExpectGolden("thp_cost_table.txt", FormatThpCostTable(run));
  ExpectGolden("thp_cost.json", FormatThpCostJson(run));
  ExpectGolden("thp_cost.csv", FormatThpCostCsv(run));
}

// An issue workload's second table and its workload.* keys, on the
// simulated kernel (times labelled modelled) and on the real one.
TEST(GoldenReports, ThpCostIssueWorkload) {
  for (const std::string kernel : {"sim", "linux"}) {
    ThpCostRun run;
    run.kernel = kernel;
    run.thp_enabled = "always [madvise] never";
    run.thp_defrag = kernel == "sim" ? "n/a (simulated)" : "always defer defer+madvise [madvise] never";
    run.sim_max_map_count = 65530;
    run.workload = "issue63334";
    run.gomaxprocs = 4;
    run.chunks = 8;
    run.cycles = 4;
    run.gomemlimit = 34603008;
    run.mib = 128;
    run.sim_cost = kernel == "sim";
    run.sim_stall_ns = 1000000;
    run.sim_collapse_ns = 1700000;
    run.probe_bytes = int64_t{64} << 20;
    run.probe_rounds = 4;
    ThpCostResult collapse = Cost("collapse", 32, 5'400'000);
    collapse.kernel = kernel;
    collapse.heap = "go121";
    collapse.calls_by_site = {{"*dense/COLLAPSE", 32}};
    collapse.workload_figures = {
        {"allocs", 2048}, {"alloc_p50_ns", 0}, {"alloc_p99_ns", 5400000},
        {"alloc_max_ns", 5400000}, {"alloc_lock_wait_ns", 518400000}, {"collapses", 32},
        {"collapse_holds", 32}, {"collapse_hold_p50_ns", 5400000},
        {"collapse_hold_p99_ns", 5400000}, {"collapse_hold_max_ns", 5400000},
        {"gc_cycles_seen", 206}, {"collapses_per_gc_p50", 0}, {"collapses_per_gc_max", 5},
        {"refills", 4}, {"refill_collapses_min", 8}, {"refill_collapses_max", 8},
        {"modelled_ns", kernel == "sim" ? 1 : 0}};
    if (kernel == "sim") {
      collapse.workload_figures.insert(collapse.workload_figures.end(),
                                       {{"sim_stalls", 64}, {"sim_huge_faults", 0},
                                        {"sim_collapsed", 64}});
    }
    ThpCostResult fixed = Cost("fixed", 1518, 90'100);
    fixed.kernel = kernel;
    fixed.workload_figures = {{"allocs", 2048}, {"alloc_p50_ns", 0}, {"alloc_p99_ns", 0},
                              {"alloc_max_ns", 0}, {"collapses", 0}, {"refills", 4},
                              {"modelled_ns", kernel == "sim" ? 1 : 0}};
    run.variants = {collapse, fixed};
    const std::string base = absl::StrCat("thp_cost_issue63334_", kernel);
    ExpectGolden(base + "_table.txt", FormatThpCostTable(run));
    ExpectGolden(base + ".json", FormatThpCostJson(run));
    ExpectGolden(base + ".csv", FormatThpCostCsv(run));
  }
}

TEST(GoldenReports, Pessimal) {
  PessimalResult hit;
  hit.hit_limit = true;
  hit.heap_bytes = uint64_t{512} << 20;
  hit.vmas = 65531;
  hit.err = ENOMEM;
  hit.unit = 8192;
  hit.arena_start = 0xc820000000;
  PessimalResult reserve;
  reserve.hit_limit = true;
  reserve.reserve_failed = true;
  reserve.err = ENOMEM;
  reserve.vmas = 31;
  PessimalResult fine;
  fine.heap_bytes = uint64_t{1} << 30;
  fine.vmas = 300;
  fine.unit = uint64_t{2} << 20;
  fine.arena_start = 0xc820000000;
  ExpectGolden("pessimal.txt", PessimalLine("prefix", "go15", "sim", "linux6", hit) + "\n" +
                                   PessimalLine("prefix", "go15", "sim", "linux6", reserve) + "\n" +
                                   PessimalLine("fixed", "go15", "linux", "linux6", fine) + "\n");
}

}  // namespace
}  // namespace thp
