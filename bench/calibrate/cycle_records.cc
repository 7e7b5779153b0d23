#include "bench/calibrate/cycle_records.h"

namespace thp {
namespace calibrate {

std::array<heaplog::HeapEvent, 3> CycleRecords(const GcCycle& c) {
  heaplog::GcStart start;
  start.numgc = c.num - 1;
  switch (c.mode) {
    case GcMode::kBackground: start.mode = heaplog::GcMode::kBackground; break;
    case GcMode::kForce: start.mode = heaplog::GcMode::kForce; break;
    case GcMode::kForceBlock: start.mode = heaplog::GcMode::kForceBlock; break;
  }
  start.heap_live = c.heap0;
  heaplog::GcMarkTerm mark_term;
  mark_term.heap_live = c.heap1;
  heaplog::GcDone done;
  done.numgc = c.num;
  done.heap_marked = c.heap2;
  done.next_gc = c.next_gc;
  std::array<heaplog::HeapEvent, 3> r;
  r[0].time_ns = c.start_ns;
  r[0].body = start;
  r[1].time_ns = c.mark_term_ns;
  r[1].body = mark_term;
  r[2].time_ns = c.end_ns;
  r[2].body = done;
  return r;
}

}  // namespace calibrate
}  // namespace thp
