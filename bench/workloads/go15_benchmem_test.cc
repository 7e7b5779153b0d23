// The suite's programs against Go 1.5.1's own -benchmem report
// (testdata/go151_benchmem): per op, the model allocates what Go counted.
#include "bench/workloads/go15_benchmem.h"

#include <cmath>
#include <map>
#include <string>

#include "gtest/gtest.h"
#include "mheap/go15/sudog_cache.h"
#include "runtime_port/base/file_io.h"

namespace thp {
namespace {

// Go's figure minus the model's, rounded down as testing rounds.
int64_t Gap(int64_t go, double model) {
  return go - static_cast<int64_t>(std::floor(model + 1e-9));
}

// Where Go's report holds allocations the model leaves out on purpose, or
// that vary from run to run; there the model must not allocate more than Go.
const std::map<std::string, const char*>& LeftOut() {
  static const auto* const kLeftOut = new std::map<std::string, const char*>{
      // Goroutines started before the loop that first run (acquireSudog,
      // malg) inside the timed region, and the runtime's own allocations
      // during GC-heavy runs of small b.N: they varied from run to run
      // (AppendGrowString 54 to 140 allocs/op at b.N = 1, GoroutineIdle 0
      // to 8 at b.N = 100, in Go 1.5.1 runs of the same binary).
      {"BenchmarkAppendGrowByte", "runtime allocations, varying"},
      {"BenchmarkAppendGrowString", "runtime allocations, varying"},
      {"BenchmarkGoroutineIdle", "sudogs of goroutines first running in the timed loop"},
      {"BenchmarkGoroutineSelect", "runtime allocations, varying"},
      {"BenchmarkGoroutineBlocking", "runtime allocations, varying"},
      {"BenchmarkGoroutineForRange", "runtime allocations, varying"},
      // The first op's overflow buckets (and the h.overflow slices that
      // hold them: the buckets are noscan), which go15_suite.cc leaves
      // out: their number hangs on the map's random hash seed.
      {"BenchmarkMapPop1000", "overflow buckets"},
      {"BenchmarkMapPop10000", "overflow buckets"},
  };
  return *kLeftOut;
}

// Where go1.5.1's acquireSudog (proc.go) took some of the sudogs from the
// per-P caches, which earlier benchmarks leave filled and a GC leaves alone
// (clearpools empties only the central cache), where the count here takes
// every sudog event for a malloc (go15_benchmem.h): Go's figures are the
// model's less k 64-byte sudogs, 0 <= k <= 128 per P (the caches'
// capacity).
const std::map<std::string, const char*>& SudogsFromCache() {
  static const auto* const kSudogs = new std::map<std::string, const char*>{
      {"BenchmarkChanPopular", "2000 select sudogs, some from the per-P caches"},
  };
  return *kSudogs;
}

// The k of SudogsFromCache that makes both of Go's figures the model's
// less k sudogs, within Go's rounding; -1 when none does.
int SudogsTakenFromCache(const GoBenchmem& g, const ModelBenchmem& m, int procs) {
  const double n = static_cast<double>(g.n);
  for (int k = 0; k <= static_cast<int>(kSudogCacheCap) * procs; ++k) {
    const double allocs = (m.allocs_per_op * n - k) / n;
    const double bytes = (m.bytes_per_op * n - k * static_cast<double>(kSudogBytes)) / n;
    if (std::abs(Gap(g.allocs_per_op, allocs)) <= 1 && std::abs(Gap(g.bytes_per_op, bytes)) <= 1) {
      return k;
    }
  }
  return -1;
}

std::map<std::string, GoBenchmem> GoReport() {
  absl::StatusOr<std::string> text = ReadWorkspaceFile("testdata/go151_benchmem/benchmem.txt");
  EXPECT_TRUE(text.ok()) << text.status();
  if (!text.ok()) return {};
  absl::StatusOr<std::map<std::string, GoBenchmem>> report = ParseGoBenchmem(*text);
  EXPECT_TRUE(report.ok()) << report.status();
  return report.ok() ? *report : std::map<std::string, GoBenchmem>{};
}

TEST(Go15Benchmem, ParsesBenchmarkLines) {
  absl::StatusOr<std::map<std::string, GoBenchmem>> r = ParseGoBenchmem(
      "PASS\n"
      "BenchmarkMalloc8-2    \t 5000000\t  20.3 ns/op\t  16 B/op\t  1 allocs/op\n"
      "BenchmarkHash64-2 50000000 3.57 ns/op 17917.98 MB/s 0 B/op 0 allocs/op\n"
      "BenchmarkNoMem-2 100 5 ns/op\n"
      "ok  \truntime\t1.0s\n");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ(r->at("BenchmarkMalloc8").n, 5000000);
  EXPECT_EQ(r->at("BenchmarkMalloc8").bytes_per_op, 16);
  EXPECT_EQ(r->at("BenchmarkMalloc8").allocs_per_op, 1);
  EXPECT_EQ(r->at("BenchmarkHash64").bytes_per_op, 0);
  EXPECT_FALSE(ParseGoBenchmem("PASS\nBenchmarkNoMem-2 100 5 ns/op\n").ok());
}

TEST(Go15Benchmem, CountsAsGoDoes) {
  TraceEvent e{};
  e.kind = TraceEvent::kAlloc;
  e.noscan = true;
  e.bytes = 2;  // tiny: a 16-byte block of its own in Go 1.5
  EXPECT_EQ(GoTotalAllocBytes(e), 16u);
  e.noscan = false;
  e.bytes = 8;  // pointerful: the 8-byte class
  EXPECT_EQ(GoTotalAllocBytes(e), 8u);
  e.bytes = 104;
  EXPECT_EQ(GoTotalAllocBytes(e), 112u);
  e.bytes = 32768 + 1;  // large: whole pages
  EXPECT_EQ(GoTotalAllocBytes(e), 5u * 8192);
  e.bytes = 0;
  EXPECT_EQ(GoTotalAllocBytes(e), 0u);
}

// Every benchmark's B/op and allocs/op within Go's rounding (the model's
// figure rounded down is Go's, give or take 1), but for those LeftOut()
// names, where the model allocates no more than Go, and those
// SudogsFromCache() names, where Go made k fewer sudogs.
TEST(Go15Benchmem, EveryBenchmarkAllocatesPerOpWhatGoCounted) {
  const std::map<std::string, GoBenchmem> go = GoReport();
  ASSERT_EQ(go.size(), Go15RuntimeBenchmarks().size());
  int compared = 0;
  for (const Go15Benchmark& bench : Go15RuntimeBenchmarks()) {
    const auto it = go.find(bench.name);
    ASSERT_NE(it, go.end()) << bench.name;
    const GoBenchmem& g = it->second;
    const ModelBenchmem m = ModelBenchmemOf(bench, g.n, 2);
    const int64_t gap_allocs = Gap(g.allocs_per_op, m.allocs_per_op);
    const int64_t gap_bytes = Gap(g.bytes_per_op, m.bytes_per_op);
    if (LeftOut().count(bench.name) != 0) {
      EXPECT_GE(gap_bytes, -1) << bench.name << ": Go " << g.bytes_per_op << " B/op, model "
                               << m.bytes_per_op;
      continue;
    }
    if (SudogsFromCache().count(bench.name) != 0) {
      EXPECT_GE(SudogsTakenFromCache(g, m, 2), 0)
          << bench.name << ": Go " << g.allocs_per_op << " allocs/op, " << g.bytes_per_op
          << " B/op is not the model's " << m.allocs_per_op << ", " << m.bytes_per_op
          << " less some cached sudogs";
      continue;
    }
    ++compared;
    EXPECT_LE(std::abs(gap_allocs), 1) << bench.name << ": Go " << g.allocs_per_op
                                       << " allocs/op, model " << m.allocs_per_op;
    EXPECT_LE(std::abs(gap_bytes), 1) << bench.name << ": Go " << g.bytes_per_op
                                      << " B/op, model " << m.bytes_per_op;
  }
  EXPECT_EQ(compared, static_cast<int>(Go15RuntimeBenchmarks().size() - LeftOut().size() -
                                       SudogsFromCache().size()));
}

}  // namespace
}  // namespace thp
