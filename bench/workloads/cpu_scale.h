// How fast a machine ran Go 1.5.1's own work, against the run whose log the
// GC model's and bgsweep's time constants were measured in
// (testdata/go151_heaplog/prefix.hlog.xz; GcModel::set_cpu_scale).
//
// The same build on the same 2-core VM ran the suite at two speeds: the
// recorded run, and two later runs alone (testdata/go151_heaplog/
// rerun_2026-12-07_*), whose benchmarks took a median 0.57 and 0.63 times
// the recorded run's ns/op. The runtime's own work moved with them: the
// median background mark went from 977 us to 523 and 509 us (0.54, 0.52),
// bgsweep's median time per freed 512-slot span in the churn benchmarks
// from 6.8-8.7 us to 2.9-7.1 and 3.4-6.0 us. So the drivers scale the
// runtime's own work by the run's speed as its benchmarks show it.
//
// The scale of a run is the median, over the benchmarks that both the run
// and the recorded run timed, of the run's final ns/op over the recorded
// run's (testing's timer: bench_end's ns over its n), to two decimals. The
// recorded run's own timings give exactly 1. It mirrors no Go code.
#ifndef THP_BENCH_WORKLOADS_CPU_SCALE_H_
#define THP_BENCH_WORKLOADS_CPU_SCALE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/workloads/bench_schedule.h"

namespace thp {

// The recorded run's own timings (timings-file columns; one build, so the
// go151_fix columns repeat the go151 ones), relative to the workspace.
// //bench/calibrate:recorded_timings_log_test checks it against the log;
// `calibrate --real=testdata/go151_heaplog/prefix.hlog.xz --timings_out=F`
// writes it.
inline constexpr char kRecordedRunTimingsFile[] = "testdata/go151_heaplog/prefix_timings.tsv";

// A benchmark's final ns/op in some run.
struct BenchSpeed {
  std::string name;  // "BenchmarkMalloc8"
  double ns_per_op = 0;
};

// The scale (above). An error when no benchmark of `run` is in `recorded`
// (it names the first of `run`), or an ns/op is not above 0.
absl::StatusOr<double> CpuScale(const std::vector<BenchSpeed>& run,
                                const std::vector<RecordedBenchmark>& recorded);

// The final ns/op of each benchmark in `timings`: the go151 columns, or
// with `fix` the go151_fix ones, times `time_scale` (the drivers'
// --time_scale, which stretches every op alike).
std::vector<BenchSpeed> SpeedsOf(const std::vector<RecordedBenchmark>& timings, bool fix,
                                 double time_scale);

// The drivers' --cpu_scale: "auto" (nullopt: CpuScale of the timings the
// run is driven by) or a number above 0 (at most 100). Anything else is an
// error naming the value and what is accepted.
absl::StatusOr<std::optional<double>> ParseCpuScaleFlag(const std::string& value);

// What a driver's --cpu_scale comes to: the number given, or with "auto"
// CpuScale of `run` against ReadRecordedRunTimings().
struct CpuScaleChoice {
  double scale = 1.0;
  bool automatic = false;  // taken from `run`
};
// An error is the flag's (ParseCpuScaleFlag), the recorded timings' read,
// or CpuScale's prefixed with `source` (what `run` came from, e.g.
// "--timings_file=F") and ending "; give --cpu_scale".
absl::StatusOr<CpuScaleChoice> ChooseCpuScale(const std::string& flag,
                                              const std::vector<BenchSpeed>& run,
                                              const std::string& source);

// Reads and parses kRecordedRunTimingsFile (from the workspace or the
// binary's runfiles).
absl::StatusOr<std::vector<RecordedBenchmark>> ReadRecordedRunTimings();

}  // namespace thp

#endif  // THP_BENCH_WORKLOADS_CPU_SCALE_H_
