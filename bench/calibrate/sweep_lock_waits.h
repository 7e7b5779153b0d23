// Whether Go 1.5.1's sysmon, waking while the sweep of a finished cycle is
// still freeing spans, took the heap lock at once or only once that sweep
// was over (issue 13: the model's Go15HeapRuntime makes passes wait so,
// kMidSweepPassesPerLockWait, or read the clock late,
// kSweepPassesPerLateClock).
//
// A sweep window runs from a cycle's `gc_done` to the last span the sweep
// freed (a `free` with why=central or why=large) before the next
// `gc_start`: bgsweep's burst, with whatever the program's own proportional
// sweep freed in it. A sysmon pass (a `scavenge` record, FreeOSMemory's
// k < 0 left out) whose `now` falls inside a window read its clock while
// the sweep ran; it waited for the sweep when no sweep free comes after its
// own record (written once mHeap_Scavenge holds the lock) in the window.
// The order of the records decides, not their times, so that records made
// at one instant (a model's) count as Go's would.
//
// A window is not all sweeping: bgsweep may start late or stop for a while
// (in Go's log, 5-35% of a benchmark's windows hold a stretch of over
// 300 us without a sweep free), and the program's own sweep may free a
// last span long after bgsweep's burst. A pass is mid-burst when a sweep
// free came within kMidBurstNs before its `now`. And a pass reads its clock
// just after the sweep when its `now` lies within kJustAfterNs after a
// window's last free: sysmon, woken while the sweep and the program held
// both CPUs, often ran only once the sweeper stopped.
// It mirrors no Go code; it reads only records.
#ifndef THP_BENCH_CALIBRATE_SWEEP_LOCK_WAITS_H_
#define THP_BENCH_CALIBRATE_SWEEP_LOCK_WAITS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mheap/go15/events/heap_event.h"

namespace thp {
namespace calibrate {

// A span the sweep gave back (mHeap_Free's callers: why=central or
// why=large), not a stack, a grown or a trimmed span.
inline bool IsSweepFree(const heaplog::Free& f) {
  return f.why == heaplog::FreeWhy::kCentral || f.why == heaplog::FreeWhy::kLarge;
}

// bgsweep frees a span every 2 to 20 us within a burst (the slowest
// bursts in Go's log free about 55 spans per ms), so a gap of 100 us is
// several of its longest steps. In Go's log the waits counted mid-burst
// are the same at 200 us.
inline constexpr int64_t kMidBurstNs = 100'000;
inline constexpr int64_t kJustAfterNs = 50'000;

// Counts for the passes of one benchmark segment.
struct SweepLockWaits {
  uint64_t passes_in_sweep = 0;  // read the clock inside a sweep window
  uint64_t waited = 0;           // of them, took the lock after its last free
  uint64_t mid_burst = 0;        // of passes_in_sweep, read it mid-burst
  uint64_t mid_burst_waited = 0;  // of them, waited
  uint64_t just_after = 0;       // read it just after a window's last free
  // Read it in the kJustAfterNs after those: what a stretch that long holds
  // once the sweep no longer holds sysmon back.
  uint64_t next_after = 0;

  SweepLockWaits& operator+=(const SweepLockWaits& o) {
    passes_in_sweep += o.passes_in_sweep;
    waited += o.waited;
    mid_burst += o.mid_burst;
    mid_burst_waited += o.mid_burst_waited;
    just_after += o.just_after;
    next_after += o.next_after;
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
  // From the window's last sweep free at or before the pass's `now` to
  // `now`; -1 if the window had freed none by then.
  int64_t since_free_ns = -1;
  bool MidBurst() const { return since_free_ns >= 0 && since_free_ns < kMidBurstNs; }
  // Sweep frees per millisecond of the window (a window of one instant
  // counts as 1 ns long).
  double FreesPerMs() const {
    return static_cast<double>(window_frees) * 1e6 /
           static_cast<double>(window_ns > 0 ? window_ns : 1);
  }
};

class SweepLockWaitFinder {
 public:
  // Whether Observe reads records like `body` at all (the others it skips).
  static bool Reads(const heaplog::EventBody& body);
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
    int64_t now;
    uint64_t frees_before;  // the window's sweep frees before its record
  };
  void CloseWindow();
  void Count(const PassInSweep& p);
  // A pass that read its clock `after_ns` after a window's last free.
  void CountAfter(size_t segment, int64_t after_ns);
  SweepLockWaits& At(size_t segment);

  bool open_ = false;
  int64_t done_ns_ = 0;             // the window's gc_done
  std::vector<int64_t> free_ns_;    // its sweep frees so far, in order
  std::vector<Pass> passes_;        // passes since the window opened
  // The last window closed with a free in it (none yet: empty).
  int64_t closed_done_ns_ = 0;
  std::vector<int64_t> closed_free_ns_;
  std::vector<SweepLockWaits> counts_;
  std::vector<PassInSweep> in_sweep_;
};

}  // namespace calibrate
}  // namespace thp

#endif  // THP_BENCH_CALIBRATE_SWEEP_LOCK_WAITS_H_
