// How `go test -bench . runtime` (Go 1.5) runs one benchmark: the b.N
// schedule of testing.B.launch, on virtual time, and the real Go 1.5.1
// runtime's own timings of this machine kind that drive it
// (testdata/go15_runtime_bench_ns_per_op.tsv: run order, final b.N and
// ns/op, for go1.5.1 and go1.5.1 with 44078a3).
//
// launch, Go 1.5 (testing/benchmark.go): run N = 1; then, while the last run
// took less than benchtime (1 s) and N < 1e9, predict N = benchtime /
// (duration / N), grow it to min(1.2 N, 100 x last), at least last + 1,
// round up to 1, 2, 3 or 5 x 10^k, and run again. Every run is preceded by
// runtime.GC().
#ifndef THP_BENCH_WORKLOADS_BENCH_SCHEDULE_H_
#define THP_BENCH_WORKLOADS_BENCH_SCHEDULE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace thp {

struct RecordedBenchmark {
  std::string name;        // "BenchmarkMalloc8"
  int64_t n_go151 = 0;     // final b.N, go1.5.1
  double ns_go151 = 0;     // ns/op, go1.5.1
  int64_t n_fix = 0;       // final b.N, go1.5.1 + 44078a3
  double ns_fix = 0;
};

// One run of a benchmark as a recorded Go run timed it (testing.B.runN):
// its b.N and its ns/op, the run's duration over b.N. With `wall` the
// duration is the run's wall time (a heap-event log's records), which holds
// what the benchmark did with testing.B's timer stopped as well; the
// drivers take the run's modelled sleeps and setup work
// (RunProgram::sleep_ns, setup_busy_ns) out of it. Without, it is the
// timer's time alone.
struct RecordedRun {
  int64_t n = 0;
  double ns_per_op = 0;
  bool wall = false;
};

// The recorded Go 1.5.1 suite (run order, b.N and ns/op of go1.5.1 and of
// go1.5.1 with 44078a3), relative to the workspace: the drivers' default.
inline constexpr char kGo151TimingsFile[] = "testdata/go15_runtime_bench_ns_per_op.tsv";
// The largest timings file the drivers read (the recorded one is 13 KB).
inline constexpr size_t kMaxTimingsFileBytes = size_t{16} << 20;

// Parses the TSV (comment lines start with '#'; the first other line is the
// header). A malformed line is an error naming its number, with the line
// quoted (escaped, cut at 120 bytes); so is a b.N outside 1..1e11 (more than
// Go 1.5's launch can reach) or an ns/op that is not finite, not above 0 or
// above 1e12 (1000 s an op).
absl::StatusOr<std::vector<RecordedBenchmark>> ParseBenchTimings(const std::string& text);

// Reads (at most kMaxTimingsFileBytes) and parses a timings file: a path
// under testdata/ from the workspace or the binary's runfiles
// (ReadWorkspaceFile), any other as given. The error does not name the
// path, except where the reader's own does ("open PATH: ..."): each caller
// puts it in front once, with its flag where it has one
// ("--timings_file=PATH: ").
absl::StatusOr<std::vector<RecordedBenchmark>> ReadBenchTimingsFile(const std::string& path);

// Mirrors roundUp, Go 1.5 testing.
int64_t RoundUpBenchN(int64_t n);

// The -benchtime the recorded timings were measured at (go test's default).
inline constexpr int64_t kRecordedBenchtimeNs = 1000000000;

// Mirrors testing.B.launch, Go 1.5: calls run(n) for each b.N in turn;
// run returns how long that run took (ns). Returns the final N.
int64_t LaunchSchedule(const std::function<int64_t(int64_t n)>& run,
                       int64_t benchtime_ns = kRecordedBenchtimeNs);

// How long a run of b.N = n at a constant ns_per_op lasts on the drivers'
// virtual clock (rounded to the nanosecond).
int64_t RunDurationNs(double ns_per_op, int64_t n);

// launch's runs, in order, at a constant cost of ns_per_op.
std::vector<int64_t> LaunchRunsAt(double ns_per_op, int64_t benchtime_ns = kRecordedBenchtimeNs);

// The b.N of each run of a benchmark whose final b.N a Go run recorded but
// whose earlier runs it did not (the timings file: its final b.N and that
// run's ns/op). launch at a constant cost of ns_per_op does not always end
// at the recorded b.N, because Go's earlier, shorter runs had another ns/op
// than its last. Go's last run is a fact
// and its earlier runs are not, so this keeps the fact and builds the rest
// from launch at that constant cost:
// - the first run is 1;
// - then launch's runs below final_n, as long as each lasts under
//   benchtime at that cost (Go went on after each of its runs but the last,
//   so each of them took less than benchtime);
// - also launch's runs below final_n that its 100 x last cap needs before
//   final_n can follow (then, if launch has none left, 100 x the last);
// - and final_n last.
// When launch at that cost ends at final_n, these are exactly its runs.
std::vector<int64_t> LaunchRunsEndingAt(double ns_per_op, int64_t final_n,
                                        int64_t benchtime_ns = kRecordedBenchtimeNs);

}  // namespace thp

#endif  // THP_BENCH_WORKLOADS_BENCH_SCHEDULE_H_
