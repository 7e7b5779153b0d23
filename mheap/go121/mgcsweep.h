// The sweeper of Go 1.21 (mgcsweep.go, go1.21.0 = master 21ff9be0eb) and
// the central lists it walks (mheap_.central).
//
// Ported: sweepgen and its span states (sweepgen-2 unswept, -1 being swept,
// = swept, +1 cached before the sweep began, +3 swept then cached),
// sweepLocker.tryAcquire, sweepLocked.sweep (mark bits become alloc bits;
// an emptied small span or a dead large object goes back to the heap with
// freeSpan; otherwise the span joins its class's swept partial or full
// set), nextSpanForSweep (sweep classes in order, full before partial),
// sweepone (the scavenger is readied when the sweep drains), finishsweep_m,
// gcPaceSweeper, deductSweepCredit, and bgsweep as turns the driver gives.
//
// The page reclaimer (mheap.reclaim and reclaimChunk: mheap.alloc's sweep of
// spans with no marked object before it takes pages, while the sweep is
// unfinished) is the page heap's (mheap_reclaim.cc); it sweeps through this
// sweeper, which registers itself with the heap. sweepone credits the pages
// it frees to reclaimCredit, and gcSweep's start resets the reclaimer.
// Finalizers, specials and user arenas are absent.
#ifndef THP_MHEAP_GO121_MGCSWEEP_H_
#define THP_MHEAP_GO121_MGCSWEEP_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "mheap/go121/mcentral.h"
#include "mheap/go121/mgcpacer.h"
#include "mheap/go121/mheap.h"
#include "mheap/go121/sizeclasses.h"
#include "mheap/go121/sweeper.h"

namespace thp {
namespace go121 {

class Sweeper final : public SpanSweeper {
 public:
  // Registers itself as the heap's reclaim sweeper.
  Sweeper(MHeap& heap, GcController& pacer);
  ~Sweeper() override;
  Sweeper(const Sweeper&) = delete;
  Sweeper& operator=(const Sweeper&) = delete;

  MCentral& central(SpanClass spc) { return *central_[spc]; }

  // SpanSweeper.
  uint32_t sweepgen() const override { return sweepgen_; }
  void DeductSweepCredit(uintptr_t span_bytes, uintptr_t caller_sweep_pages) override;
  bool BeginSweep() const override { return !drained_; }
  bool TryAcquire(MSpan* s) override;
  bool Sweep(MSpan* s, bool preserve) override;

  // sweepone: the pages returned to the heap by the span it swept, or ~0
  // when nothing is left to sweep.
  uintptr_t SweepOne();
  bool IsSweepDone() const override { return drained_; }
  // gcSweep's start: sweepgen += 2, the sweep is active again, the page
  // reclaimer starts over.
  void StartSweepCycle();
  // finishsweep_m: sweep everything left, empty the unswept sets.
  void FinishSweep();
  // gcPaceSweeper(trigger).
  void PaceSweeper(uint64_t trigger);
  // bgsweep given up to `turns` sweepone calls; returns the spans it tried.
  int BackgroundSweep(int turns);

  // scavenger.ready, called by the sweepone that drains the sweep.
  void set_on_sweep_drained(std::function<void()> f) { on_drained_ = std::move(f); }

  uint64_t pages_swept() const { return pages_swept_; }
  double sweep_pages_per_byte() const { return sweep_pages_per_byte_; }
  uint64_t spans_freed() const { return spans_freed_; }

 private:
  MSpan* NextSpanForSweep();

  MHeap& heap_;
  GcController& pacer_;
  std::vector<std::unique_ptr<MCentral>> central_;
  uint32_t sweepgen_ = 0;
  bool drained_ = true;  // gcinit: no sweep before the first cycle
  int central_index_ = 0;  // sweep.centralIndex
  uint64_t pages_swept_ = 0;
  uint64_t pages_swept_basis_ = 0;
  double sweep_pages_per_byte_ = 0;
  uint64_t sweep_heap_live_basis_ = 0;
  uint64_t spans_freed_ = 0;
  std::function<void()> on_drained_;
};

}  // namespace go121
}  // namespace thp

#endif  // THP_MHEAP_GO121_MGCSWEEP_H_
