// The 243 benchmarks of Go 1.5's runtime package built on linux/amd64, in
// the order `go test -bench . runtime` runs them (test files in sorted name
// order, functions in declaration order), each as a generator of one b.N
// run's heap program. The table and the Go source each entry reads are in
// go15_suite.cc; the benchmarks are those of go1.5 src/runtime/*_test.go, in
// the order Go 1.5.1's cmd/go/test.go (loadTestFuncs) puts them in the test
// main.
#ifndef THP_BENCH_WORKLOADS_GO15_SUITE_H_
#define THP_BENCH_WORKLOADS_GO15_SUITE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/workloads/run_program.h"

namespace thp {

// Writes one run of the benchmark into `b` (setup, then the body of one
// iteration). A benchmark with no heap activity writes nothing; its runs
// still take virtual time.
using WorkloadGenerator = void (*)(RunBuilder& b);

// How a benchmark's timed loop lets the scheduler in.
enum class LoopSched {
  // It reaches preemption points, and a P it leaves idle (or its goroutines
  // blocking) runs what the runtime readies.
  kSchedules,
  // It never reaches a preemption point (its trace loop is "nosafepoint").
  // Such a loop makes no heap event that would reach one: none, or
  // allocations on the system stack (DeferMany's defer records).
  kNoSafePoint,
  // Its goroutines (RunParallel's workers) keep every P running and never
  // block or yield (its trace loop is "everypbusy"): what the runtime
  // readies waits for sysmon to preempt one.
  kEveryPBusy,
};

struct Go15Benchmark {
  const char* name;  // "BenchmarkMalloc8", as Go names it (no -N suffix)
  const char* file;  // "malloc_test.go"
  WorkloadGenerator generate;
  // How Go 1.5.1's compiled timed loop lets the scheduler in (see
  // go15_suite.cc for which loops are marked and why).
  LoopSched loop = LoopSched::kSchedules;
};
inline constexpr LoopSched kNoSafePoint = LoopSched::kNoSafePoint;
inline constexpr LoopSched kEveryPBusy = LoopSched::kEveryPBusy;

// BenchmarkDeferMany's b.N deferred calls, which run as the function
// returns (deferreturn, go1.5.1 panic.go), after its loop. Measured in Go
// 1.5.1's log (testdata/go151_heaplog/prefix.hlog.xz), over its three runs
// of b.N >= 10^6, each value the median to the nearest 10 ns
// (//bench/workloads:go15_defer_many_test measures them again):
// - kDeferManyAfterLoopNs: a run's time from its last span allocation (the
//   loop's last defer records) to the run's end, over b.N (321, 347 and
//   418 ns). The rest of each op's recorded time is the loop's.
// - kDeferManyDeferredCallNs: the calls' own time, the same less the
//   background cycles' mark terminations in it (gc_mark_term -> gc_done,
//   where the world is stopped), over b.N (284, 303 and 382 ns). The model
//   stops the world for those itself (mgc.h, kChainLinkRescanNs).
inline constexpr double kDeferManyAfterLoopNs = 350;
inline constexpr double kDeferManyDeferredCallNs = 300;

// All 243, in run order.
const std::vector<Go15Benchmark>& Go15RuntimeBenchmarks();

// The benchmarks whose name matches `pattern` (POSIX extended regex, as the
// drivers' --workloads), in run order. Errors, naming --workloads=<pattern>:
// InvalidArgument for a pattern that does not compile, NotFound when it
// matches none.
absl::StatusOr<std::vector<const Go15Benchmark*>> PickGo15Benchmarks(const std::string& pattern);

}  // namespace thp

#endif  // THP_BENCH_WORKLOADS_GO15_SUITE_H_
