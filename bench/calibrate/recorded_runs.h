// The runs one benchmark made in a heap-event log recorded from Go 1.5.1
// (tools/go151/FORMAT.md), each with its b.N and the ns/op its timer
// measured, so the model can make the same runs at the same speed as the
// run it is compared with (instead of the timings of another run).
//
// testing.B.runN, Go 1.5: the patched runN records bench_run, then calls
// runtime.GC() (a gcForceBlockMode cycle: gc_start mode=force_block, then
// its gc_done once the blocking sweep is over), then runs the benchmark
// function. So a run starts at the gc_done that ends the first forced
// cycle after its bench_run and lasts until the next bench_run, or for the
// final run until bench_end (launch's arithmetic and RunBenchmarks' return
// in between take microseconds). That is wall time: the timer's, and what
// the function did with the timer stopped (benchHelper's sleeps, its sends
// to 1000 goroutines), which bench_end's ns (the timer's own) leaves out.
// The runs are RecordedRun{wall = true}. It mirrors no Go code.
#ifndef THP_BENCH_CALIBRATE_RECORDED_RUNS_H_
#define THP_BENCH_CALIBRATE_RECORDED_RUNS_H_

#include <cstdint>
#include <vector>

#include "bench/workloads/bench_schedule.h"
#include "mheap/go15/events/heap_event.h"

namespace thp {
namespace calibrate {

// Fed one benchmark segment's records in log order.
class RecordedRunTimer {
 public:
  void Observe(const heaplog::HeapEvent& e);

  // The runs closed so far: every run before the last bench_run, and the
  // last one once bench_end was seen. A run's ns/op is at least 1 ns over
  // its b.N (a duration of 0 or less, from clock steps, counts as 1 ns).
  // Each is wall time (RecordedRun::wall).
  const std::vector<RecordedRun>& runs() const { return runs_; }

 private:
  void Close(int64_t duration_ns);
  // The open run's start: its loop's, or its bench_run's while the loop
  // has not started (no forced cycle recorded).
  int64_t RunStart() const;

  std::vector<RecordedRun> runs_;
  bool open_ = false;            // a bench_run not yet closed
  int64_t n_ = 0;                // its b.N
  int64_t run_start_ns_ = 0;     // its bench_run's time
  bool forced_started_ = false;  // its runtime.GC() cycle started
  bool loop_started_ = false;    // ... and ended: the timed loop runs
  int64_t loop_start_ns_ = 0;
};

}  // namespace calibrate
}  // namespace thp

#endif  // THP_BENCH_CALIBRATE_RECORDED_RUNS_H_
