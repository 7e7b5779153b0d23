// Whether Go 1.5.1's sysmon, waking while the sweep of a finished cycle is
// still freeing spans, took the heap lock at once or only once that sweep
// was over (issue 13: the model's Go15HeapRuntime makes a pass wait so,
// kSweepPassesPerLockWait).
//
// A sweep window runs from a cycle's `gc_done` to the last span the sweep
// freed (a `free` with why=central or why=large) before the next
// `gc_start`: bgsweep's burst, with whatever the program's own proportional
// sweep freed in it. A sysmon pass (a `scavenge` record, FreeOSMemory's
// k < 0 left out) whose `now` falls inside a window read its clock while
// the sweep ran; it waited for the sweep when the record itself (written
// once mHeap_Scavenge holds the lock) comes at or after the window's last
// free. It mirrors no Go code; it reads only records.
#ifndef THP_BENCH_CALIBRATE_SWEEP_LOCK_WAITS_H_
#define THP_BENCH_CALIBRATE_SWEEP_LOCK_WAITS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mheap/go15/events/heap_event.h"

namespace thp {
namespace calibrate {

// Counts for the passes of one benchmark segment.
struct SweepLockWaits {
  uint64_t passes_in_sweep = 0;  // read the clock inside a sweep window
  uint64_t waited = 0;           // of them, took the lock at or after its last free

  SweepLockWaits& operator+=(const SweepLockWaits& o) {
    passes_in_sweep += o.passes_in_sweep;
    waited += o.waited;
    return *this;
  }
};

// Whether the passes that waited fall across the benchmarks as a single
// rate would put them: Pearson's chi-square of the waits per benchmark
// against `rate` (all the waits over all the passes in a sweep), and the
// share of suites drawn at that rate (each pass waiting with probability
// `rate`, independently; `simulations` of them from a seeded generator, so
// the same counts give the same p_value) whose chi-square reaches it. A
// small p_value says some benchmarks wait more than others; a large one
// that which benchmark's passes wait cannot be told from chance.
struct WaitDispersion {
  size_t benchmarks = 0;  // those with a pass in a sweep
  double rate = 0;
  double chi_square = 0;
  int simulations = 0;
  double p_value = 1;
};
WaitDispersion UniformRateDispersion(const std::vector<SweepLockWaits>& by_benchmark,
                                     int simulations, uint64_t seed);

// One pass that read its clock inside a sweep window, and that window's
// sweep frees and length (gc_done to its last sweep free): how fast the
// sweep freed spans around the pass.
struct PassInSweep {
  size_t segment = 0;
  uint64_t window_frees = 0;
  int64_t window_ns = 0;
  bool waited = false;
  // Sweep frees per millisecond of the window (a window of one instant
  // counts as 1 ns long).
  double FreesPerMs() const {
    return static_cast<double>(window_frees) * 1e6 /
           static_cast<double>(window_ns > 0 ? window_ns : 1);
  }
};

class SweepLockWaitFinder {
 public:
  // Reads one record of segment `segment`, in log order.
  void Observe(size_t segment, const heaplog::HeapEvent& e);
  // The counts by segment (index: the segment), once every record is read;
  // a window still open at the log's end closes at its last free.
  std::vector<SweepLockWaits> Finish();
  // Each pass the counts hold, in the order their windows closed (valid
  // once Finish has run).
  const std::vector<PassInSweep>& passes() const { return in_sweep_; }

 private:
  struct Pass {
    size_t segment;
    uint64_t now;
    int64_t lock_ns;
  };
  void CloseWindow();
  SweepLockWaits& At(size_t segment);

  bool open_ = false;
  int64_t done_ns_ = 0;       // the window's gc_done
  int64_t last_free_ns_ = -1; // its last sweep free so far (-1: none)
  uint64_t frees_ = 0;        // its sweep frees so far
  std::vector<Pass> passes_;  // passes since the window opened
  // The last window closed with a free in it (empty: none yet).
  int64_t closed_done_ns_ = 0;
  int64_t closed_last_free_ns_ = 0;
  uint64_t closed_frees_ = 0;
  std::vector<SweepLockWaits> counts_;
  std::vector<PassInSweep> in_sweep_;
};

}  // namespace calibrate
}  // namespace thp

#endif  // THP_BENCH_CALIBRATE_SWEEP_LOCK_WAITS_H_
