// A background GC cycle's concurrent phase as the heap-event records give
// it, for both sides of bench/calibrate: from `gc_start` of a background
// cycle (gc() holding worldsema, go1.5.1 mgc.go) to its `gc_mark_term`
// (gc() entering _GCmarktermination, the world stopped), how long it took
// and how far heap_live grew meanwhile (the allocation the program made
// during the mark); and, before it, how long the program had run since the
// previous cycle's `gc_done` (any mode) and how far heap_live grew from
// that cycle's heap_marked (mark termination sets heap_live to it). Go
// 1.5.1's log has these records; the model's observer makes them from
// each cycle (GcCycle::start_ns, mark_term_ns, end_ns, heap0, heap1,
// heap2). Forced-blocking cycles (runtime.GC()) have no concurrent phase
// and are not counted. It mirrors no Go code.
#ifndef THP_BENCH_CALIBRATE_MARK_PHASES_H_
#define THP_BENCH_CALIBRATE_MARK_PHASES_H_

#include <cstdint>
#include <optional>

#include "mheap/go15/events/heap_event.h"

namespace thp {
namespace calibrate {

struct MarkPhase {
  int64_t ns = 0;          // gc_start to gc_mark_term
  int64_t grow_bytes = 0;  // heap_live at gc_mark_term less heap_live at gc_start
  // The previous cycle's gc_done to this gc_start, and heap_live at this
  // gc_start less that gc_done's heap_marked; both 0 without a gc_done
  // before.
  int64_t since_ns = 0;
  int64_t since_bytes = 0;
};

// go1.5.1 gcControllerState.revise paces the mutator's assists over the
// heap distance to the cycle's goal, at least 1 MiB: once the program has
// allocated that much in the mark, it owes all the scan work there is,
// and its assists sleep until the mark ends. heap_live moves a span at a
// time, so a mark held at that floor grows it to within a few spans of
// 1 MiB (Go's Malloc8: 20 marks at 992 to 1,032 KiB, none above). A mark
// that grew the heap by more than a quarter over it ran past the pacing:
// the model's growth cap (GcModel::MarkGrowthCap) allows none of that.
inline constexpr int64_t kPastPacerFloorBytes = int64_t{5} << 18;  // 1.25 MiB
inline bool PastPacerFloor(const MarkPhase& p) { return p.grow_bytes > kPastPacerFloorBytes; }

class MarkPhaseFinder {
 public:
  // The concurrent phase `e` ends: a gc_mark_term after a background
  // cycle's gc_start (a cycle of another mode, or a mark termination with
  // no start seen, ends none). Every gc_done must be observed too.
  std::optional<MarkPhase> Observe(const heaplog::HeapEvent& e);

 private:
  std::optional<heaplog::HeapEvent> start_;  // the background gc_start not yet ended
  std::optional<heaplog::HeapEvent> done_;   // the last gc_done
};

}  // namespace calibrate
}  // namespace thp

#endif  // THP_BENCH_CALIBRATE_MARK_PHASES_H_
