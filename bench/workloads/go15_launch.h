// testing.B's launch goroutine in go1.5.1 (testing/benchmark.go): B.run
// starts one goroutine per benchmark (`go b.launch()`), which makes every
// b.N run (runN: runtime.GC(), StartTimer, the benchmark function,
// StopTimer) and exits after the last. Its stack is where the benchmark
// function's frames live, so a function with a big frame (Copy*'s 4 KiB
// array) grows it (newstack doubles it: copystack allocates the new stack
// and frees the old); runN's runtime.GC() finds it shallow, and that GC's
// mark termination halves a stack used under a quarter (markroot's
// shrinkstack), so the next run grows it again. Each doubling and halving
// takes a stack from the pools and gives one back, so a benchmark whose
// frames outgrow 2 KiB allocates and frees stack spans at every run, as Go
// 1.5.1's log shows (BenchmarkCopy1Byte: 11 stack spans).
//
// How much stack the goroutine uses is measured, not derived: frame sizes
// are the Go 1.5.1 compiler's. tools/go151/stackcopy.patch makes a
// runtime.test print every stack copy and every shrinkstack verdict on the
// launch goroutine, with shrinkstack's own measure of use (stack.hi - sp +
// _StackLimit); testdata/go151_stacks/ holds one run's output and its
// per-benchmark summary (tools/go151/launch_stacks.py), and
// tools/go151/launch_table.py prints the table in go15_launch.cc from it.
// In that run runN's GC always found the goroutine at 1496 bytes, and a
// background cycle's mark termination that found it parked in StopTimer
// at 1024. The table holds the 19 benchmarks whose own frames grow it at
// every run: the Copy*Byte and Copy*String family (a 4 KiB array: 8 KiB,
// halved by each runN's GC and grown back) and CopyFat1024 (4 KiB, kept).
//
// Left out: growth that comes from deep in the allocator (heapBitsSetType
// during a concurrent mark, mProf_Malloc's callers at a profiling sample,
// gcAssistAlloc), which a background cycle that finds the goroutine
// shallow undoes: AppendGrowByte grew and shrank 130 times in the measured
// run, the ConvT2E/ConvT2I and CallClosure3/4 benchmarks up to 11 times,
// Matmult's recursion 3 times. When it happens depends on the mark phase
// and the sampling, which the model does not place; those benchmarks'
// launch goroutines keep 2 KiB here.
#ifndef THP_BENCH_WORKLOADS_GO15_LAUNCH_H_
#define THP_BENCH_WORKLOADS_GO15_LAUNCH_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "bench/workloads/trace_format.h"

namespace thp {

// The launch goroutine's id in a trace: programs number their own goroutines
// from 1 (RunBuilder), so 0 is free in every run.
inline constexpr uint64_t kLaunchGoroutineId = 0;
// The P it runs on in the model (it blocks only in runN's GC and the
// timer's ReadMemStats, and is taken to come back to the same P): the
// benchmark function's go statements run newproc1 there.
inline constexpr int kLaunchP = 0;

// The launch goroutine's stack use (shrinkstack's measure) where a GC can
// find it, in the order a run passes them.
struct LaunchStack {
  // In runN's runtime.GC() (launch, runN, GC, down to the switch to the
  // system stack): the same for every benchmark.
  uint64_t use_at_run_gc = 0;
  // In the benchmark function: the stack its deepest frames need (a power
  // of two; 2 KiB for most benchmarks). The stack grows to it at the start
  // of every run, and a GC inside the function is taken to find it that
  // deep: the table's benchmarks reach no safe point in their loops.
  uint64_t use_in_benchmark = 0;
  // In StopTimer's ReadMemStats, parked in stopTheWorld's semacquire while
  // a cycle in flight holds worldsema: the same for every benchmark.
  uint64_t use_in_stop_timer = 0;
};

// The measured uses for `benchmark` (a benchmark the measurement did not
// see gets those of one whose frames fit the first 2 KiB stack).
const LaunchStack& Go151LaunchStack(absl::string_view benchmark);

// `go b.launch()` on P 0 (B.run, on the main goroutine's P), its stack use
// set to `bytes` on P 0 (gouse), and its exit there (goexit0: gfput frees a
// stack grown past 2 KiB).
TraceEvent LaunchStartEvent();
TraceEvent LaunchUseEvent(uint64_t bytes);
TraceEvent LaunchExitEvent();

}  // namespace thp

#endif  // THP_BENCH_WORKLOADS_GO15_LAUNCH_H_
