// One modelled GC cycle (mheap/go15/mgc.h GcCycle) as the records Go
// 1.5.1's heap-event log has of a cycle (tools/go151/FORMAT.md): gc_start
// at its start (numgc counts the cycles completed before it, heap_live is
// heap0), gc_mark_term where its mark ended (heap1) and gc_done at its end
// (the bytes marked, next_gc). Both the observer's counts and the event
// dump take a cycle's records from here. It mirrors no Go code.
#ifndef THP_BENCH_CALIBRATE_CYCLE_RECORDS_H_
#define THP_BENCH_CALIBRATE_CYCLE_RECORDS_H_

#include <array>

#include "mheap/go15/events/heap_event.h"
#include "mheap/go15/mgc.h"

namespace thp {
namespace calibrate {

// gc_start, gc_mark_term, gc_done, in that order, each at its own time.
std::array<heaplog::HeapEvent, 3> CycleRecords(const GcCycle& c);

}  // namespace calibrate
}  // namespace thp

#endif  // THP_BENCH_CALIBRATE_CYCLE_RECORDS_H_
