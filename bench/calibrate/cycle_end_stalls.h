// How long after a background GC cycle's end its P sat still, in a
// heap-event log (Go's or the model's, bench/calibrate/model_event_order.h).
//
// go1.5.1's gc() ends on the GC goroutine's thread: startTheWorldWithSema
// wakes Ms for the other Ps, gcSweep has readied bgsweep into that P's
// runnext, and the GC goroutine parks (backgroundgc clears bggc.working)
// before bgsweep runs there. So bgsweep's first span, and the next cycle's
// start (shouldtriggergc wants bggc.working == 0), both wait for that
// thread. A cycle's stall is read as the time from its `gc_done` to the
// first of two records: a span the sweep freed (a `free` with why=central
// or why=large; most often bgsweep's) or the next background `gc_start`.
// A window that a forced cycle's gc_start closes is not counted (runtime.GC
// does not wait for bggc). Over kCycleEndStallNs it is a stall; in a
// benchmark whose sweep frees no span, every window ends at the next
// gc_start and says nothing, so readers keep to benchmarks where the sweep
// freed first in at least half the windows (FreesFirstMostly).
// It mirrors no Go code; it reads only records.
#ifndef THP_BENCH_CALIBRATE_CYCLE_END_STALLS_H_
#define THP_BENCH_CALIBRATE_CYCLE_END_STALLS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mheap/go15/events/heap_event.h"

namespace thp {
namespace calibrate {

// A window longer than this is a stall: bgsweep's first free comes 50 to
// 250 us after gc_done in nine cycles in ten of Go's run.
inline constexpr int64_t kCycleEndStallNs = 500 * 1000;

// One background cycle's window: its length, and whether a sweep free
// closed it (else the next background gc_start did).
struct CycleEndWindow {
  int64_t ns = 0;
  bool closed_by_free = false;

  bool stalled() const { return ns > kCycleEndStallNs; }
  bool operator==(const CycleEndWindow& o) const {
    return ns == o.ns && closed_by_free == o.closed_by_free;
  }
};

// One benchmark segment's background cycles whose window closed.
struct CycleEndStalls {
  std::vector<CycleEndWindow> windows;  // in log order

  size_t cycles() const { return windows.size(); }
  // Windows of either kind longer than kCycleEndStallNs.
  uint64_t Stalled() const;
  // Whether a sweep free closed at least half the windows, and there are
  // some: whether a benchmark's windows count toward the stall rate (for a
  // benchmark whose loop leaves a P idle).
  bool FreesFirstMostly() const;
  // The stalls a sweep free closed, their lengths ascending.
  std::vector<int64_t> StallsClosedByFree() const;
  // Every window a sweep free closed, stalled or not, lengths ascending:
  // how long after a cycle's end its sweep first freed a span.
  std::vector<int64_t> ClosedByFree() const;
  // The runs of consecutive stalls in log order: how many of each length
  // (index: length; [0] unused). Windows summed from several segments
  // follow one another in the order they were added.
  std::vector<uint64_t> StallRuns() const;
  CycleEndStalls& operator+=(const CycleEndStalls& o);
};

class CycleEndStallFinder {
 public:
  // Whether Observe reads records like `body` at all.
  static bool Reads(const heaplog::EventBody& body);
  // Reads one record of segment `segment`, in log order.
  void Observe(size_t segment, const heaplog::HeapEvent& e);
  // The windows by segment (index: the segment of their gc_done).
  std::vector<CycleEndStalls> Finish() { return std::move(stalls_); }

 private:
  bool background_ = false;  // the last gc_start's mode
  bool open_ = false;        // a background cycle's window is open ...
  size_t segment_ = 0;       // ... since its gc_done, in this segment,
  int64_t done_ns_ = 0;      // ... at this time
  std::vector<CycleEndStalls> stalls_;
};

}  // namespace calibrate
}  // namespace thp

#endif  // THP_BENCH_CALIBRATE_CYCLE_END_STALLS_H_
