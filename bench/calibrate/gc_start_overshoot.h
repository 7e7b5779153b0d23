// How far past its trigger each background GC cycle started, in a
// heap-event log (Go's or the model's, bench/calibrate/model_event_order.h).
//
// go1.5.1's mallocgc starts a background cycle once heap_live reaches
// next_gc and no cycle's goroutine is still working (mgc.go
// shouldtriggergc: bggc.working == 0); `gc_start` is written once gc()
// holds worldsema, with heap_live then. A cycle's overshoot is that
// heap_live less the next_gc of the `gc_done` before it: negative for a
// cycle sysmon forced before the trigger, a few KiB for one that started
// as the trigger was crossed, and more while the program went on
// allocating before the cycle could start. The stretch before it, from
// that gc_done to the gc_start, is counted as without sweep when no span
// the sweep freed (a `free` with why=central or why=large) falls in it:
// neither bgsweep nor the program's own sweep gave a span back.
// It mirrors no Go code; it reads only records.
#ifndef THP_BENCH_CALIBRATE_GC_START_OVERSHOOT_H_
#define THP_BENCH_CALIBRATE_GC_START_OVERSHOOT_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mheap/go15/events/heap_event.h"

namespace thp {
namespace calibrate {

// A cycle started "far" past its trigger: more than this over next_gc.
inline constexpr int64_t kFarOvershootBytes = int64_t{1} << 20;

// One benchmark segment's background cycles that had a gc_done before them.
struct GcStartOvershoots {
  std::vector<int64_t> bytes;  // each cycle's overshoot, in log order
  uint64_t far = 0;            // of them, over kFarOvershootBytes
  uint64_t far_without_sweep = 0;     // of the far ones, after a stretch without sweep
  uint64_t others_without_sweep = 0;  // of the others, after one

  GcStartOvershoots& operator+=(const GcStartOvershoots& o);
  // The q-quantile of `bytes` (nearest_rank.h, as calibrate's others), 0
  // without cycles.
  int64_t Quantile(double q) const;
};

class GcStartOvershootFinder {
 public:
  // Whether Observe reads records like `body` at all.
  static bool Reads(const heaplog::EventBody& body);
  // Reads one record of segment `segment`, in log order.
  void Observe(size_t segment, const heaplog::HeapEvent& e);
  // The counts by segment (index: the segment).
  std::vector<GcStartOvershoots> Finish() { return std::move(counts_); }

 private:
  bool have_done_ = false;
  uint64_t next_gc_ = 0;     // the last gc_done's
  bool swept_ = false;       // a sweep free since that gc_done
  std::vector<GcStartOvershoots> counts_;
};

}  // namespace calibrate
}  // namespace thp

#endif  // THP_BENCH_CALIBRATE_GC_START_OVERSHOOT_H_
