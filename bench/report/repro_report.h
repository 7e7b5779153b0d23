// The vma_repro outputs, all from the same VariantResults: the table and
// headline on stdout, JSON (every figure, stable keys), CSV (one row per
// variant: the same keys but the series and the per-benchmark maxima) and
// an SVG of the Go-equivalent
// VMA count over virtual time.
//
// JSON layout (schema "thp-lab/vma_repro/1"):
//   { "schema", "kernel", "profile", "thp_mode", "max_map_count", "gomaxprocs",
//     "time_scale", "loop_slice_us", "mark_share_seed", "sweep_wait_seed", "cpu_scale",
//     "timings", "workloads",
//     "go_reference": {"before": 692, "after": 49, "ratio": 14.1},
//     "headline": {"prefix_max_vmas", "fixed_max_vmas", "ratio"} (when both ran),
//     "variants": [ { <the keys of FieldTable<VariantResult>, series last:
//                     "series": [[t_ns, process, runtime], ...]> } ] }
// Counts in "series" are whole-process and runtime-own VMAs; add
// kGoStaticBinaryVmas to the latter for the Go-equivalent count.
// "benchmark_max_vmas_go_equivalent" is {"BenchmarkX": n, ...} in run
// order: each benchmark's own Go-equivalent maximum, to set beside a real
// run's (tools/real_go_per_benchmark.py).
#ifndef THP_BENCH_REPORT_REPRO_REPORT_H_
#define THP_BENCH_REPORT_REPRO_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bench/report/repro_result.h"

namespace thp {

// Go's own figures for the runtime benchmarks under GODEBUG=scavenge=1.
inline constexpr int kGoMaxVmasBefore = 692;  // go1.5.1
inline constexpr int kGoMaxVmasAfter = 49;    // with 44078a3

struct ReproRun {
  std::string kernel;
  std::string profile;
  // --heap: "auto" (each variant on its Go release's heap, DefaultHeapOf),
  // or "go15" / "go121" for every variant.
  std::string heap = "auto";
  // The THP mode and vm.max_map_count the run met: the simulated kernel's,
  // or this machine's on the real kernel.
  std::string thp_mode;
  int64_t max_map_count = -1;
  int gomaxprocs = 2;
  double time_scale = 1.0;
  int64_t loop_slice_us = 100;  // --loop_slice_us (kLoopSliceNs / 1000)
  uint64_t mark_share_seed = 0;  // --mark_share_seed
  uint64_t sweep_wait_seed = 0;  // --sweep_wait_seed
  // The Go 1.5 heap's runtime work against the recorded run's machine
  // (--cpu_scale; bench/workloads/cpu_scale.h).
  double cpu_scale = 1.0;
  std::string timings;    // "go151" or "fix"
  std::string workloads;  // the --workloads regex
  std::vector<VariantResult> variants;
};

// "prefix max_vmas=<A> fixed max_vmas=<B> ratio=<A/B> (Go 1.5: 692 -> 49, ratio 14.1)",
// or "" unless both prefix and fixed ran.
std::string Headline(const ReproRun& run);
// A fixed-width table, one row per variant.
std::string FormatTable(const ReproRun& run);
std::string FormatJson(const ReproRun& run);
std::string FormatCsv(const ReproRun& run);
// The SVG's y axis: linear, logarithmic, or auto (logarithmic when one
// variant's maximum is more than ten times another's, so the small ones
// are not flattened against the axis).
enum class SvgScale { kAuto, kLinear, kLog };
absl::StatusOr<SvgScale> ParseSvgScale(absl::string_view name);
// The Go-equivalent VMA count of every variant over virtual time, Go's own
// 692 and 49 as guides, and each variant's peak marked with the benchmark
// during which it was first reached.
std::string FormatSvg(const ReproRun& run, SvgScale scale = SvgScale::kAuto);

}  // namespace thp

#endif  // THP_BENCH_REPORT_REPRO_REPORT_H_
