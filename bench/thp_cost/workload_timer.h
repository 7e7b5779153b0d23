// The per-operation timings of bench/thp_cost's issue workloads
// (bench/workloads/issue63334.h, issue61718.h): how long each allocation
// took, how long the Go 1.21 heap lock was held around each MADV_COLLAPSE,
// and how the collapses fall into GC cycles and refill phases.
//
// Time comes from `now`: wall-clock nanoseconds on the real kernel, the
// simulated kernel's model charge (sim_cost_kernel.h) on the simulated one.
//
// Contention is composed, not observed: the port runs one P at a time, so
// the Ps of a round (consecutive allocations on Ps 0, 1, 2, ... issued at
// the same instant, as the workloads write them; any other event ends a
// round) are replayed one after another. An allocation that took the heap
// lock is charged, besides its own time, the heap-lock hold time of the
// allocations before it in its round, which it would have waited for on
// mheap_.lock. An allocation that never took the lock (an mcache hit) waits
// for nothing.
#ifndef THP_BENCH_THP_COST_WORKLOAD_TIMER_H_
#define THP_BENCH_THP_COST_WORKLOAD_TIMER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "bench/report/result_fields.h"
#include "mheap/go121/mem_linux.h"

namespace thp {

class WorkloadTimer final : public go121::HeapLockObserver {
 public:
  // `collapses` reads the MADV_COLLAPSE (and TRY_COLLAPSE) calls made so far.
  WorkloadTimer(std::function<int64_t()> now, std::function<int64_t()> collapses)
      : now_(std::move(now)), collapses_(std::move(collapses)) {}

  // go121::HeapLockObserver.
  void Acquired() override;
  void Released() override;

  // One allocation on P p: Begin before it, End after it.
  void BeginAlloc(int p);
  void EndAlloc();
  // Any other event: ends the current round.
  void OtherEvent() { round_lock_ns_ = 0; last_p_ = -1; }
  // After each event: attributes the collapses made since the last call to
  // GC cycle `gc_cycle` (the cycles completed so far).
  void NoteGcCycle(int64_t gc_cycle);
  // Around a phase of the workload; `refill` phases are counted apart.
  void BeginPhase(bool refill);
  void EndPhase();

  // The figures, as thp_cost reports them (ThpCostResult::workload_figures):
  // allocs, alloc_p50_ns, alloc_p99_ns, alloc_max_ns, alloc_lock_wait_ns
  // (total composed wait), collapses, collapse_holds (lock holds with at
  // least one collapse), collapse_hold_p50_ns/_p99_ns/_max_ns, gc_cycles_seen
  // (cycles 0..last), collapses_per_gc_p50/_max, refills,
  // refill_collapses_min/_max. `gc_cycles` is the run's last cycle count.
  NamedCounts Figures(int64_t gc_cycles) const;

  const std::vector<int64_t>& alloc_ns() const { return alloc_ns_; }
  const std::vector<int64_t>& collapse_hold_ns() const { return hold_ns_; }

 private:
  std::function<int64_t()> now_;
  std::function<int64_t()> collapses_;
  // The lock hold in progress.
  int64_t hold_start_ = 0;
  int64_t hold_collapses_ = 0;
  // The allocation in progress.
  bool in_alloc_ = false;
  int64_t alloc_start_ = 0;
  int64_t alloc_lock_ns_ = 0;  // lock held during it
  bool alloc_locked_ = false;
  // The round in progress: the previous allocation's P and the lock time
  // of the round's allocations so far.
  int last_p_ = -1;
  int64_t round_lock_ns_ = 0;
  int64_t wait_total_ns_ = 0;
  std::vector<int64_t> alloc_ns_;
  std::vector<int64_t> hold_ns_;
  // Collapses by GC cycle.
  int64_t collapses_noted_ = 0;
  std::map<int64_t, int64_t> by_gc_;
  // Refill phases.
  bool in_refill_ = false;
  int64_t phase_collapses_ = 0;
  std::vector<int64_t> refill_collapses_;
};

}  // namespace thp

#endif  // THP_BENCH_THP_COST_WORKLOAD_TIMER_H_
