// per_op_allocs: the Go 1.5 suite's B/op and allocs/op as go1.5.1's
// -benchmem counts them (go15_benchmem.h says how), one TSV row per
// benchmark in run order, beside Go's own report when --go names one.
//
//   bazel run -c opt //bench/workloads:per_op_allocs -- --go=$PWD/testdata/go151_benchmem/benchmem.txt
//
// With --go, each benchmark is built at the b.N of its line there (so that
// what its setup adds per op is Go's too); one it does not list, and every
// one without --go, at --n. Columns: the benchmark; Go's allocs/op, the
// model's (unrounded), Go's B/op, the model's; the b.N used; the model's go
// events per op (g structs reused, not counted) and the part of its B/op
// made before the loop; and Go's figure minus the model's rounded down as
// Go rounds (d_allocs, d_B; "-" without a Go line).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "bench/harness/cli.h"
#include "bench/harness/flag_range.h"
#include "bench/workloads/go15_benchmem.h"
#include "bench/workloads/go15_suite.h"
#include "runtime_port/base/file_io.h"

ABSL_FLAG(std::string, go, "", "go1.5.1 -test.benchmem output to set beside the model's");
ABSL_FLAG(int64_t, n, 1000, "b.N for benchmarks --go does not list (1 to 1e9)");
THP_FLAG_RANGE(n, 1, 1e9);
ABSL_FLAG(int, gomaxprocs, 2, "GOMAXPROCS (1 to 256)");
THP_FLAG_RANGE(gomaxprocs, 1, 256);

namespace thp {
namespace {

int Main(int argc, char** argv) {
  ParseFlagsOrExit(argc, argv,
                   "per_op_allocs [--go=FILE] [--n=N] [--gomaxprocs=P]: the Go 1.5 suite's "
                   "B/op and allocs/op as go1.5.1's -benchmem counts them");
  const std::string go_path = absl::GetFlag(FLAGS_go);
  std::map<std::string, GoBenchmem> go;
  if (!go_path.empty()) {
    absl::StatusOr<std::string> text = ReadWholeFile(go_path, size_t{64} << 20);
    if (!text.ok()) ExitUsage(absl::StrCat("--go=", go_path, ": ", text.status().message()));
    absl::StatusOr<std::map<std::string, GoBenchmem>> parsed = ParseGoBenchmem(*text);
    if (!parsed.ok()) ExitUsage(absl::StrCat("--go=", go_path, ": ", parsed.status().message()));
    go = *std::move(parsed);
  }
  const int procs = absl::GetFlag(FLAGS_gomaxprocs);
  std::printf(
      "benchmark\tgo_allocs_op\tmodel_allocs_op\tgo_B_op\tmodel_B_op\tn\tmodel_go_op\t"
      "model_setup_B_op\td_allocs\td_B\n");
  for (const Go15Benchmark& bench : Go15RuntimeBenchmarks()) {
    const auto it = go.find(bench.name);
    const bool listed = it != go.end();
    const int64_t n = listed ? it->second.n : absl::GetFlag(FLAGS_n);
    const ModelBenchmem m = ModelBenchmemOf(bench, n, procs);
    std::string go_allocs = "-", go_bytes = "-", d_allocs = "-", d_bytes = "-";
    if (listed) {
      // A hair over the double's error, so that an exact 16.0 stays 16.
      const auto floor_op = [](double v) { return static_cast<int64_t>(std::floor(v + 1e-9)); };
      go_allocs = absl::StrCat(it->second.allocs_per_op);
      go_bytes = absl::StrCat(it->second.bytes_per_op);
      d_allocs = absl::StrCat(it->second.allocs_per_op - floor_op(m.allocs_per_op));
      d_bytes = absl::StrCat(it->second.bytes_per_op - floor_op(m.bytes_per_op));
    }
    std::printf("%s\t%s\t%.2f\t%s\t%.2f\t%lld\t%.3f\t%.2f\t%s\t%s\n", bench.name,
                go_allocs.c_str(), m.allocs_per_op, go_bytes.c_str(), m.bytes_per_op,
                static_cast<long long>(n), m.gos_per_op, m.setup_bytes_per_op, d_allocs.c_str(),
                d_bytes.c_str());
  }
  return FinishMain(0);
}

}  // namespace
}  // namespace thp

int main(int argc, char** argv) { return thp::Main(argc, argv); }
