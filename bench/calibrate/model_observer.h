// The modelled side of bench/calibrate: an observer of the ported heap
// (MHeapObserver) and its memory layer (MemLinuxObserver) that turns each
// decision it is told of into the heap-event record Go 1.5.1's recording
// patch writes for it (tools/go151/FORMAT.md) and counts it in the Tally of
// the benchmark now running, through the same Tally::Add as the real log.
// It only reads: nothing it does reaches the heap, the memory layer or the
// kernel.
//
// What the observers do not see is brought in when the driver syncs (at
// each benchmark's start and at the end): the runtime's GC cycles, turned
// into gc_done records. A scavenge pass's records (scavenge,
// scavenge_done) come from the heap itself, at the pass. The modelled maximum of Go-equivalent
// VMAs (census_kernel.h) is read after each call the observers see; the
// real log has no VMA count.
#ifndef THP_BENCH_CALIBRATE_MODEL_OBSERVER_H_
#define THP_BENCH_CALIBRATE_MODEL_OBSERVER_H_

#include <cstdint>
#include <functional>

#include "bench/calibrate/free_spans.h"
#include "bench/calibrate/mark_phases.h"
#include "bench/calibrate/outliving_spans.h"
#include "bench/calibrate/tally.h"
#include "mheap/go15/mgc.h"
#include "mheap/go15/mheap.h"
#include "runtime_port/mem_linux/mem_linux.h"

namespace thp {
namespace calibrate {

// One benchmark's modelled figures.
struct ModelSide {
  Tally tally;
  int64_t max_go_vmas = 0;  // 0 until a VMA count was read
};

class ModelObserver final : public MHeapObserver, public MemLinuxObserver {
 public:
  // `go_vmas` (may be empty) reads the current Go-equivalent VMA count.
  explicit ModelObserver(std::function<int64_t()> go_vmas) : go_vmas_(std::move(go_vmas)) {}

  // The heap's arena_start, from which the records count pages (as Go's
  // log does from its heap_init).
  void set_arena_start(uintptr_t arena_start) { arena_start_page_ = PageId::ForAddr(arena_start); }
  // Where the records go from now on (nullptr: nowhere), and the index of
  // that side's benchmark in the run (for the outliving spans).
  void set_side(ModelSide* side, size_t index) {
    SampleVmas();  // the last count of the side it leaves
    side_ = side;
    index_ = index;
    if (side_ != nullptr) {
      outliving_.Begin(index_);
      side_->tally.free_spans_at_start = free_spans_.Histogram();
    }
    SampleVmas();
  }
  // Also hands every record a side gets but the GC cycles' (which Sync
  // makes after the fact, without their times) to `records`, and each cycle Sync brings in for a side to `cycles` (either
  // may be empty).
  void set_tap(std::function<void(const heaplog::EventBody&)> records,
               std::function<void(const GcCycle&)> cycles) {
    tap_ = std::move(records);
    cycle_tap_ = std::move(cycles);
  }
  // After the run: each benchmark's spans that outlived the benchmark
  // after it (outliving_spans.h), by the index set_side was given.
  std::vector<uint64_t> FinishOutlivingSpans() { return outliving_.Finish(); }
  // Brings in the runtime's GC cycles (every one since the run began):
  // those since the last sync are counted in the current side as gc_done
  // (with the bytes the cycle marked), and a background cycle's concurrent
  // phase as a mark (Tally::AddMark).
  void Sync(const std::vector<GcCycle>& cycles);

  // MHeapObserver.
  void OnAllocRequest(PageCount npage, int sizeclass, bool stack) override;
  void OnGrow(PageCount npage, uintptr_t ask, uintptr_t v) override;
  void OnFreeSpan(PageId start, PageCount npages, bool acctinuse, bool acctidle, bool stamped,
                  const MSpan& merged) override;
  void OnAllocSpan(const MSpan* s, PageCount found_npages, PageCount found_npreleased) override;
  void OnFreeCaller(FreeCaller caller) override { free_caller_ = caller; }
  // Counted before the release's own record (OnSysUnused) comes.
  void OnStaleRelease(PageCount npages) override;
  void OnScavenge(int32_t k, uint64_t now, uint64_t limit) override;
  void OnScavengeDone(uintptr_t released) override;

  // MemLinuxObserver.
  void OnSysMap(uintptr_t v, uintptr_t n, bool reserved) override;
  void OnSysUnused(uintptr_t v, uintptr_t n) override;
  void OnSysFree(uintptr_t v, uintptr_t n) override;
  void OnMadvise(uintptr_t v, uintptr_t n, Advice advice, int err) override;

 private:
  void Record(const heaplog::EventBody& body);
  void SampleVmas();

  std::function<int64_t()> go_vmas_;
  ModelSide* side_ = nullptr;
  size_t index_ = 0;
  std::function<void(const heaplog::EventBody&)> tap_;
  std::function<void(const GcCycle&)> cycle_tap_;
  PageId arena_start_page_;
  OutlivingSpans outliving_;  // fed what a side gets
  FreeSpans free_spans_;      // fed every record, from the heap's start
  MarkPhaseFinder marks_;     // fed every cycle Sync brings in
  size_t gc_synced_ = 0;
  // The caller of the next free that accounts a span in use (OnFreeCaller).
  FreeCaller free_caller_ = FreeCaller::kCentral;
};

}  // namespace calibrate
}  // namespace thp

#endif  // THP_BENCH_CALIBRATE_MODEL_OBSERVER_H_
