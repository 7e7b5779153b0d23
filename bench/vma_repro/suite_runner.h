// Runs the Go 1.5 runtime benchmark suite (bench/workloads/go15_suite.h)
// through the ported runtime for one memory-layer variant, the way
// `go test -bench . runtime` runs it: benchmarks in run order, each with
// Go 1.5's b.N schedule on the virtual clock (the recorded Go 1.5.1 ns/op
// times --time_scale), runtime.GC() before every run. Sysmon runs on the
// same clock, so GODEBUG=scavenge=1's 10 ms scavenger sees the suite's idle
// spans as Go's did.
#ifndef THP_BENCH_VMA_REPRO_SUITE_RUNNER_H_
#define THP_BENCH_VMA_REPRO_SUITE_RUNNER_H_

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bench/report/repro_result.h"
#include "bench/workloads/bench_schedule.h"
#include "bench/workloads/go15_launch.h"
#include "bench/workloads/go15_suite.h"
#include "bench/workloads/trace_replayer.h"
#include "mheap/go15/runtime.h"
#include "runtime_port/kernel/kernel.h"
#include "runtime_port/mem_linux/huge_page_policy.h"
#include "scavenger/gctrace.h"

namespace thp {

// A benchmark with the ns/op that drives its virtual clock.
struct ScheduledBenchmark {
  const Go15Benchmark* bench = nullptr;
  double ns_per_op = 0;
  // When not empty, the runs ForEachRun makes in place of launch's
  // schedule, in order, each b.N with its own ns/op: those a recorded Go run
  // made (a heap-event log's), or those ending at a timings file's final
  // b.N (ScheduleBenchmarks); ns_per_op is then unused.
  std::vector<RecordedRun> runs;
  // The --time_scale ns_per_op was multiplied by (RunContext::time_scale).
  double time_scale = 1.0;
};

// Looks up each benchmark's recorded timing: go1.5.1 as released, or with
// 44078a3 when `fix`, times `time_scale`. At the recorded timings (scale 1)
// and benchtime (kRecordedBenchtimeNs) each benchmark's runs end at its
// recorded final b.N (LaunchRunsEndingAt), all at its recorded ns/op;
// otherwise launch at the scaled ns/op decides them, as Go's would on a
// machine that much slower or faster. The same timings serve every
// variant, so every variant runs the same workload. An error names the
// first benchmark without a timing.
absl::StatusOr<std::vector<ScheduledBenchmark>> ScheduleBenchmarks(
    const std::vector<const Go15Benchmark*>& benchmarks,
    const std::vector<RecordedBenchmark>& timings, bool fix, double time_scale,
    int64_t benchtime_ns);

// The timed ns/op of a run of b.N = n that a recorded run timed by wall
// clock (RecordedRun::wall): its wall ns/op less the wall time its program
// states itself outside its ops (`stated_ns`: its sleeps and its setup's
// busy time, RunProgram::sleep_ns and setup_busy_ns) spread over the ops,
// and at least 1 ns. Go's untimed work that the model has no time for
// (benchHelper's 1000 sends an op) stays in it, so the modelled run lasts
// as long as Go's did.
double TimedNsPerOp(int64_t n, double wall_ns_per_op, int64_t stated_ns);

// Writes a streamed body's events (RunProgram::body_streamed) to the sink,
// by running the benchmark's generator again.
using BodyStream = std::function<void(EventSink& sink)>;

// Go 1.5's testing.B.launch for one benchmark on virtual time: calls `run`
// with each b.N run's program in turn. A WholeRun body is not held: the
// program says how many events it has, and `stream` (empty for other
// programs) writes them (so Matmult's 4 million events never sit in
// memory). The run's timed duration fed back to the schedule is
// ns_per_op x b.N, what Go's timer measured. A benchmark with recorded runs
// makes exactly those runs, each at its own ns/op (TimedNsPerOp's for one
// timed by wall clock).
void ForEachRun(const ScheduledBenchmark& b, int gomaxprocs, int64_t benchtime_ns,
                const std::function<void(const RunProgram& prog, const BodyStream& stream)>& run);

// Calls `put` with a run's events in trace order (trace_format.h), as
// go1.5.1's testing.B.runN makes them: bench label, runtime.GC(),
// StartTimer's runtime.ReadMemStats, setup, loop, body, end, teardown,
// StopTimer's ReadMemStats (when the timer is still on: the program says).
// With `launch` (the benchmark's launch
// goroutine, go15_launch.h), its stack use as runN's GC finds it comes
// before the GC, its use in the benchmark function after StartTimer, and
// its use inside StopTimer before StopTimer's ReadMemStats (which waits
// there for a cycle in flight to end).
void ForEachEvent(const RunProgram& prog, const BodyStream& stream, LoopSched loop_sched,
                  const LaunchStack* launch, const std::function<void(const TraceEvent&)>& put);

// The events RunSuite applies before the first benchmark on `heap` (with
// options.go15_startup_heap): Go 1.5.1's startup heap on the Go 1.5 heap,
// none on the Go 1.21 heap.
std::vector<TraceEvent> StartupEvents(HeapKind heap, bool go15_startup_heap);
// What comes before `benchmark`'s first run: on the Go 1.5 heap, the start
// of testing's launch goroutine (go15_launch.h), and under the same option
// the newm events of the Ms Go 1.5.1 made during it
// (bench/workloads/go15_new_ms.h).
std::vector<TraceEvent> BenchmarkStartEvents(HeapKind heap, bool go15_startup_heap,
                                             absl::string_view benchmark);
// What comes after its last run: on the Go 1.5 heap, the launch
// goroutine's exit, testing's result line (go15_result_line.h, whose pool
// array holds `gomaxprocs` slots) and, when another benchmark follows
// (`next_name` not empty: the `nth_next`-th of the run, counted from 0),
// RunBenchmarks' set-up of that one (go15_bench_setup.h). Go 1.5.1 makes
// that set-up before the next benchmark's bench_start record, so its log
// counts it in this benchmark's segment, and so does the model.
std::vector<TraceEvent> BenchmarkEndEvents(HeapKind heap, int gomaxprocs, size_t nth_next,
                                           absl::string_view next_name);
// The launch goroutine's stack uses for `benchmark` on `heap`: null on the
// Go 1.21 heap, whose runs have no launch goroutine here.
const LaunchStack* LaunchStackOf(HeapKind heap, absl::string_view benchmark);

// Applies one run to the replayer, in the order ForEachEvent gives.
absl::Status ApplyRun(TraceReplayer& rep, const RunProgram& prog, const BodyStream& stream,
                      LoopSched loop_sched, const LaunchStack* launch);

struct SuiteOptions {
  RuntimeOptions runtime;       // variant, GOGC, GOMAXPROCS
  // The heap the variant runs on.
  HeapKind heap = HeapKind::kGo15;
  bool scavenge_debug = true;   // GODEBUG=scavenge=1
  // GODEBUG=gctrace=1: where Go 1.5's gc, "GC forced" and scvg lines go
  // (trace_replayer.h); null for none. Must outlive RunSuite.
  const GcTraceWriter* gctrace = nullptr;
  // GODEBUG=scavtrace=1: where the Go 1.21 heap's scav lines go (the Go 1.5
  // heap has none); null for none. A recording keeps them as it keeps the
  // gctrace lines. Must outlive RunSuite.
  const GcTraceWriter* scavtrace = nullptr;
  int64_t benchtime_ns = 1000000000;
  // The replayer's loop slice (TraceReplayer::set_loop_slice_ns): the
  // model's time resolution inside a loop; the drivers' --loop_slice_us.
  int64_t loop_slice_ns = kLoopSliceNs;
  // Go 1.5.1's startup heap (bench/workloads/go15_startup.h) is made before
  // the first benchmark and kept for the whole suite, on the Go 1.5 heap
  // (the Go 1.21 heap's own startup is not recorded: it starts empty).
  // With it come the Ms Go 1.5.1 made during the benchmarks
  // (bench/workloads/go15_new_ms.h), the rest of the recorded runtime state.
  // Off only for tests that need an empty heap.
  bool go15_startup_heap = true;
  std::vector<ScheduledBenchmark> benchmarks;  // in run order
  std::string profile;          // for the result's label only
  // A fatal runtime error (a kernel refusal Go would die of) calls this with
  // everything measured so far and `error` set, then the process exits with
  // status 2 (check.h).
  std::function<void(const VariantResult&)> on_fatal;
  // Called each time the runtime-own VMA count reaches a new maximum, in the
  // middle of the kernel call that set it (may read, must not change).
  std::function<void(TraceReplayer& rep)> on_census_peak;
  // Called as each benchmark starts (index from 0).
  std::function<void(const std::string& name, size_t index, size_t total)> progress;
  // Called as each b.N run starts, before its label and its runtime.GC()
  // (where go1.5.1's testing.B.runN starts), with the run's b.N (may read,
  // must not change).
  std::function<void(TraceReplayer& rep, int64_t n)> on_run;
  // Where to write the run's memory-layer stream (runtime_port/memstream),
  // or null for none. Not closed; flushed at the end.
  std::FILE* record = nullptr;
  // Called once the replayer exists, before the first benchmark: may attach
  // observers that only read (bench/calibrate counts the heap's decisions).
  std::function<void(TraceReplayer& rep)> on_start;
  // Called once after the last benchmark, while the replayer still exists.
  std::function<void(TraceReplayer& rep)> on_end;
};

// Runs the suite on `kernel`. `partial` (may be null) is filled in as the
// run goes and is the returned result at the end.
VariantResult RunSuite(Kernel& kernel, const SuiteOptions& options, VariantResult* partial);

// Whether two variants make the Go 1.5 heap take the same decisions, so
// that one's memory-layer stream can drive the other: every variant but
// those that track Go 1.21 chunk density (whose hybrid release rule,
// mheap/go15/chunks.h, reads the heap's chunk counts) forms one class, and
// those form another.
bool SameHeapDecisions(const HugePagePolicy& a, const HugePagePolicy& b);

// For each of `variants` (names MakeHugePagePolicy accepts), running on
// `heaps` (one per variant; empty: all on the Go 1.5 heap), the index of
// the first variant of its class: its own index for the variant that runs
// the class's heap, the heap run's for the others. On the Go 1.5 heap a
// class is SameHeapDecisions'; every variant on the Go 1.21 heap is of one
// class (no policy's hook returns anything to that heap).
std::vector<size_t> HeapRunOf(const std::vector<std::string>& variants,
                              const std::vector<HeapKind>& heaps = {});

struct ReplaySuiteOptions {
  std::string variant;
  std::string stream_path;  // recorded by RunSuite (SuiteOptions::record)
  std::string profile;      // for the result's label only
  bool map_noreserve = false;
  // As in SuiteOptions: the recorded gctrace lines go here; a fatal runtime
  // error (the kernel refused what the heap run's kernel gave) reports what
  // the replay measured so far, with the heap's totals unknown (0).
  const GcTraceWriter* gctrace = nullptr;
  std::function<void(const VariantResult&)> on_fatal;
  std::function<void(const std::string& name, size_t index, size_t total)> progress;
};

// Drives variant `variant`'s memory layer on `kernel` with a recorded
// memory-layer stream, as RunSuite would have with a heap run of its own:
// for a variant of the recording's class (SameHeapDecisions) every figure
// of the result equals RunSuite's but the wall time. The stream is read one
// record at a time. A stream that does not read or that the kernel does not
// follow (sysAlloc or sysReserve got another address) is a fatal error
// naming the stream.
VariantResult ReplaySuite(Kernel& kernel, const ReplaySuiteOptions& options,
                          VariantResult* partial);

}  // namespace thp

#endif  // THP_BENCH_VMA_REPRO_SUITE_RUNNER_H_
