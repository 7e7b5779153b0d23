// The modelled suite's heap decisions as text, one line per record in the
// heap-event log's text form (mheap/go15/events/event_text.h, the lines
// //tools:heap_log_dump prints for Go's log), so that a benchmark's model
// and Go's run can be set side by side and diffed record by record.
//
// What it holds, per benchmark, after a `bench_start` line: a `bench_run`
// line where each b.N run starts (before its runtime.GC(), as in Go's log;
// calibrate adds them, SuiteOptions::on_run), the records the calibrate
// observer makes of the port's decisions (model_observer.h: alloc,
// alloc_done, free, scavenge, scavenge_done, sys_unused, madvise), each at
// the virtual time it was made, and each GC cycle's gc_start, gc_mark_term
// and gc_done at the cycle's own start, mark termination and end
// (cycle_records.h). Records at one instant keep the order they were made
// in, a cycle's come after them. A pass's scavenge record comes when the
// pass takes the heap lock, with the `now` it read before (a pass that
// waited for the sweep reads it earlier). What Go's log has and this has
// not: gc_sweepgen, the sys* calls other than sysUnused, and bench_end; and
// every in-use span's free says why=central
// (the port's observer does not tell mHeap_Free's callers and
// mHeap_FreeStack apart).
// Times are the model's virtual nanoseconds. It mirrors no Go code.
#ifndef THP_BENCH_CALIBRATE_MODEL_EVENT_DUMP_H_
#define THP_BENCH_CALIBRATE_MODEL_EVENT_DUMP_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "mheap/go15/events/heap_event.h"
#include "mheap/go15/mgc.h"

namespace thp {
namespace calibrate {

class ModelEventDump {
 public:
  // Lines go to `out` (not owned; outlives this).
  explicit ModelEventDump(std::FILE* out) : out_(out) {}
  // Writes what is pending, then starts benchmark `name` (as Go prints it,
  // "BenchmarkMalloc8-2") at GOMAXPROCS `procs`, at `now_ns`.
  void StartBenchmark(int64_t now_ns, absl::string_view name, int procs);
  // A record made now, at `now_ns` on the virtual clock.
  void Add(int64_t now_ns, const heaplog::EventBody& body);
  // A GC cycle that has ended: its gc_start and gc_done.
  void AddCycle(const GcCycle& c);
  // Writes what is pending. False if a write failed (now or before).
  bool Finish();

 private:
  void Flush();

  std::FILE* out_;
  std::vector<heaplog::HeapEvent> pending_;  // the current benchmark's
  bool ok_ = true;
};

}  // namespace calibrate
}  // namespace thp

#endif  // THP_BENCH_CALIBRATE_MODEL_EVENT_DUMP_H_
