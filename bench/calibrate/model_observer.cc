#include "bench/calibrate/model_observer.h"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>
#include <variant>

#include "bench/calibrate/cycle_records.h"

namespace thp {
namespace calibrate {

using heaplog::AllocCaller;
using heaplog::FreeWhy;

void ModelObserver::Record(const heaplog::EventBody& body) {
  free_spans_.Observe(body);
  if (side_ != nullptr) {
    side_->tally.Add(body);
    outliving_.Observe(index_, body);
    if (tap_ && !std::holds_alternative<heaplog::GcDone>(body)) tap_(body);
  }
  SampleVmas();
}

void ModelObserver::SampleVmas() {
  if (side_ == nullptr || !go_vmas_) return;
  side_->max_go_vmas = std::max(side_->max_go_vmas, go_vmas_());
}

void ModelObserver::Sync(const std::vector<GcCycle>& cycles) {
  for (; gc_synced_ < cycles.size(); ++gc_synced_) {
    if (side_ != nullptr && cycle_tap_) cycle_tap_(cycles[gc_synced_]);
    const std::array<heaplog::HeapEvent, 3> r = CycleRecords(cycles[gc_synced_]);
    for (const heaplog::HeapEvent& e : r) {
      const std::optional<MarkPhase> mark = marks_.Observe(e);
      if (side_ != nullptr && mark.has_value()) side_->tally.AddMark(*mark);
    }
    Record(r[2].body);
  }
}

void ModelObserver::OnAllocRequest(PageCount npage, int sizeclass, bool stack) {
  heaplog::Alloc a;
  a.npage = npage.raw();
  a.sizeclass = static_cast<uint64_t>(sizeclass);
  a.caller = stack ? AllocCaller::kStack : sizeclass > 0 ? AllocCaller::kSmall : AllocCaller::kLarge;
  Record(a);
}

void ModelObserver::OnGrow(PageCount, uintptr_t, uintptr_t) { SampleVmas(); }

void ModelObserver::OnFreeSpan(PageId start, PageCount npages, bool acctinuse, bool acctidle,
                               bool, const MSpan& merged) {
  // The accounting flags tell the frees apart as in Go 1.5.1: (1,1) from
  // mHeap_Free or mHeap_FreeStack (OnFreeCaller said which), (0,1)
  // mHeap_Grow, (0,0) the trim in mHeap_AllocSpanLocked.
  heaplog::Free f;
  f.page = (start - arena_start_page_).raw();
  f.npages = npages.raw();
  f.merged_pages_before = (start - merged.start).raw();
  f.merged_npages = merged.npages.raw();
  f.merged_npreleased = merged.npreleased.raw();
  f.why = !acctinuse ? (acctidle ? FreeWhy::kGrow : FreeWhy::kTrim)
          : free_caller_ == FreeCaller::kStack ? FreeWhy::kStack
          : free_caller_ == FreeCaller::kLarge ? FreeWhy::kLarge
                                               : FreeWhy::kCentral;
  if (acctinuse) free_caller_ = FreeCaller::kCentral;
  Record(f);
}

void ModelObserver::OnAllocSpan(const MSpan* s, PageCount found_npages,
                                PageCount found_npreleased) {
  heaplog::AllocDone d;
  if (s != nullptr) d.page = (s->start - arena_start_page_).raw();
  d.found_npages = found_npages.raw();
  d.found_npreleased = found_npreleased.raw();
  Record(d);
}

void ModelObserver::OnStaleRelease(PageCount npages) {
  if (side_ != nullptr) side_->tally.AddStale(npages.raw());
}

void ModelObserver::OnSysMap(uintptr_t, uintptr_t, bool) { SampleVmas(); }

void ModelObserver::OnScavenge(int32_t k, uint64_t now, uint64_t limit) {
  heaplog::Scavenge sc;
  sc.k = k;
  sc.now = now;
  sc.limit = limit;
  Record(sc);
}

void ModelObserver::OnScavengeDone(uintptr_t released) {
  Record(heaplog::ScavengeDone{released});
}

void ModelObserver::OnSysUnused(uintptr_t v, uintptr_t n) { Record(heaplog::SysUnused{v, n}); }

void ModelObserver::OnSysFree(uintptr_t, uintptr_t) { SampleVmas(); }

void ModelObserver::OnMadvise(uintptr_t v, uintptr_t n, Advice advice, int err) {
  heaplog::Madvise m;
  m.v = v;
  m.n = n;
  m.advice = static_cast<uint64_t>(LinuxAdvice(advice));
  m.result = -static_cast<int64_t>(err);
  Record(m);
}

}  // namespace calibrate
}  // namespace thp
