// Runs the Go 1.5 runtime benchmark suite (bench/workloads/go15_suite.h)
// through the ported runtime for one memory-layer variant, the way
// `go test -bench . runtime` runs it: benchmarks in run order, each with
// Go 1.5's b.N schedule on the virtual clock (the recorded Go 1.5.1 ns/op
// times --time_scale), runtime.GC() before every run. Sysmon runs on the
// same clock, so GODEBUG=scavenge=1's 10 ms scavenger sees the suite's idle
// spans as Go's did.
#ifndef THP_BENCH_SUITE_RUNNER_H_
#define THP_BENCH_SUITE_RUNNER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bench/repro_result.h"
#include "bench/workloads/bench_schedule.h"
#include "bench/workloads/go15_suite.h"
#include "mheap/runtime.h"
#include "runtime_port/kernel.h"

namespace thp {

struct SuiteOptions {
  RuntimeOptions runtime;       // variant, GOGC, GOMAXPROCS
  bool scavenge_debug = true;   // GODEBUG=scavenge=1
  double time_scale = 1.0;      // multiplies every recorded ns/op
  int64_t benchtime_ns = 1000000000;
  // Which of the recorded timings drive the clock: go1.5.1 as released
  // ("go151") or with 44078a3 ("fix"). The same for every variant, so every
  // variant runs the same workload.
  bool timings_fix = false;
  std::vector<const Go15Benchmark*> benchmarks;  // in run order
  const std::vector<RecordedBenchmark>* timings = nullptr;  // by name
  std::string profile;          // for the result's label only
  // A fatal runtime error (a kernel refusal Go would die of) calls this with
  // everything measured so far and `error` set, then the process exits with
  // status 2 (check.h).
  std::function<void(const VariantResult&)> on_fatal;
  // Called as each benchmark starts (index from 0).
  std::function<void(const Go15Benchmark& b, size_t index, size_t total)> progress;
};

// Writes one b.N run as trace lines (trace.h), the way RunSuite applies it:
// bench label, runtime.GC(), setup, the loop, teardown.
void EmitRunProgram(const RunProgram& prog, const std::function<void(const std::string&)>& out);

// Runs the suite on `kernel`. `partial` (may be null) is filled in as the
// run goes and is the returned result at the end.
VariantResult RunSuite(Kernel& kernel, const SuiteOptions& options, VariantResult* partial);

}  // namespace thp

#endif  // THP_BENCH_SUITE_RUNNER_H_
