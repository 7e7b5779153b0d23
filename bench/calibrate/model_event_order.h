// The modelled suite's heap decisions as a record stream in the heap-event
// log's order (mheap/go15/events/heap_event.h), so that what reads Go's log
// (//tools:heap_log_dump's text, bench/calibrate/sweep_lock_waits.h) reads
// the model's the same way.
//
// What it holds, per benchmark, after a `bench_start` record: a `bench_run`
// where each b.N run starts (before its runtime.GC(), as in Go's log;
// calibrate adds them, SuiteOptions::on_run), the records the calibrate
// observer makes of the port's decisions (model_observer.h: alloc,
// alloc_done, free, scavenge, scavenge_done, sys_unused, madvise), each at
// the virtual time it was made, and each GC cycle's gc_start, gc_mark_term
// and gc_done at the cycle's own start, mark termination and end
// (cycle_records.h). The cycles come in only after they end, so a
// benchmark's records are held until the next benchmark starts (or the
// run ends) and then handed on in time order: records at one instant keep
// the order they were made in, a cycle's come after them. A pass's scavenge
// record comes when the pass takes the heap lock, with the `now` it read
// before (a pass that waited for the sweep read it earlier). What Go's log
// has and this has not: gc_sweepgen, the sys* calls other than sysUnused,
// and bench_end. An in-use span's free says why=central, large or stack as
// Go's does (the heap tells its observer which call freed it,
// MHeapObserver::OnFreeCaller). Times are the model's virtual nanoseconds. It mirrors no Go code.
#ifndef THP_BENCH_CALIBRATE_MODEL_EVENT_ORDER_H_
#define THP_BENCH_CALIBRATE_MODEL_EVENT_ORDER_H_

#include <cstdint>
#include <cstdio>
#include <functional>
#include <vector>

#include "absl/strings/string_view.h"
#include "mheap/go15/events/heap_event.h"
#include "mheap/go15/mgc.h"

namespace thp {
namespace calibrate {

class ModelEventOrder {
 public:
  // Gets each record in order, with the index of its benchmark (0 for the
  // first StartBenchmark's).
  using Sink = std::function<void(size_t benchmark, const heaplog::HeapEvent&)>;
  // Only the records `keep` accepts are held and handed on (all of them
  // without it): what a sink does not read need not be held.
  using Keep = std::function<bool(const heaplog::EventBody&)>;
  explicit ModelEventOrder(Sink sink, Keep keep = nullptr)
      : sink_(std::move(sink)), keep_(std::move(keep)) {}
  // Hands on what is pending, then starts benchmark `name` (as Go prints
  // it, "BenchmarkMalloc8-2") at GOMAXPROCS `procs`, at `now_ns`. Records
  // before the first benchmark are dropped.
  void StartBenchmark(int64_t now_ns, absl::string_view name, int procs);
  // A record made now, at `now_ns` on the virtual clock.
  void Add(int64_t now_ns, const heaplog::EventBody& body);
  // A GC cycle that has ended: its gc_start, gc_mark_term and gc_done.
  void AddCycle(const GcCycle& c);
  // Hands on what is pending.
  void Finish() {
    if (benchmarks_ > 0) Flush();
  }

 private:
  void Flush();

  Sink sink_;
  Keep keep_;
  size_t benchmarks_ = 0;  // started so far
  // The current benchmark's records: those Add was given, and the cycles'.
  std::vector<heaplog::HeapEvent> pending_;
  std::vector<heaplog::HeapEvent> cycles_;
};

// Writes records as //tools:heap_log_dump prints Go's, one line each, to a
// file (not owned; outlives this).
class ModelEventText {
 public:
  explicit ModelEventText(std::FILE* out) : out_(out) {}
  void Write(const heaplog::HeapEvent& e);
  // Flushes. False if a write failed (now or before).
  bool Finish();

 private:
  std::FILE* out_;
  bool ok_ = true;
};

}  // namespace calibrate
}  // namespace thp

#endif  // THP_BENCH_CALIBRATE_MODEL_EVENT_ORDER_H_
