#include "mheap/go121/mgcsweep.h"

#include "absl/strings/str_format.h"
#include "mheap/go121/mbitmap.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace go121 {
namespace {

// numSweepClasses: two per span class (full first, then partial).
constexpr int kNumSweepClasses = kNumSpanClasses * 2;

}  // namespace

Sweeper::Sweeper(MHeap& heap, GcController& pacer) : heap_(heap), pacer_(pacer) {
  for (int spc = 0; spc < kNumSpanClasses; ++spc) {
    central_.push_back(std::make_unique<MCentral>(static_cast<SpanClass>(spc), heap, *this));
  }
  heap_.set_reclaim_sweeper(this);
}

Sweeper::~Sweeper() { heap_.set_reclaim_sweeper(nullptr); }

// sweepLocker.tryAcquire.
bool Sweeper::TryAcquire(MSpan* s) {
  if (s->sweepgen != sweepgen_ - 2) return false;
  s->sweepgen = sweepgen_ - 1;
  return true;
}

// sweepLocked.sweep, go1.21.0.
bool Sweeper::Sweep(MSpan* s, bool preserve) {
  const uint32_t sg = sweepgen_;
  THP_CHECK(s->state == SpanState::kInUse && s->sweepgen == sg - 1,
            absl::StrFormat("mspan.sweep: bad span state %d sweepgen %d/%d",
                            static_cast<int>(s->state), s->sweepgen, sg));
  const SpanClass spc = s->spanclass;
  pages_swept_ += s->npages;
  const uint16_t nalloc = CountAlloc(*s);
  THP_CHECK(nalloc <= s->alloc_count, "sweep increased allocation count");
  const uint16_t nfreed = static_cast<uint16_t>(s->alloc_count - nalloc);
  s->alloc_count = nalloc;
  s->freeindex = 0;
  // The mark bits become the alloc bits; the next cycle starts unmarked.
  s->alloc_bits.swap(s->gcmark_bits);
  s->gcmark_bits.assign(s->nelems, false);
  s->sweepgen = sg;
  if (SizeClassOf(spc) != 0) {
    if (nfreed > 0) {
      s->needzero = true;
      pacer_.AddTotalFree(int64_t{nfreed} * static_cast<int64_t>(s->elemsize));
    }
    if (!preserve) {
      if (nalloc == 0) {
        heap_.FreeSpan(s);
        ++spans_freed_;
        return true;
      }
      if (nalloc == s->nelems) {
        central(spc).FullSwept(sg).Push(s);
      } else {
        central(spc).PartialSwept(sg).Push(s);
      }
    }
  } else if (!preserve) {
    if (nfreed != 0) {
      pacer_.AddTotalFree(static_cast<int64_t>(s->elemsize));
      heap_.FreeSpan(s);
      ++spans_freed_;
      return true;
    }
    central(spc).FullSwept(sg).Push(s);
  }
  return false;
}

// mheap.nextSpanForSweep.
MSpan* Sweeper::NextSpanForSweep() {
  for (int sc = central_index_; sc < kNumSweepClasses; ++sc) {
    const SpanClass spc = static_cast<SpanClass>(sc >> 1);
    const bool full = (sc & 1) == 0;
    MCentral& c = central(spc);
    MSpan* s = full ? c.FullUnswept(sweepgen_).Pop() : c.PartialUnswept(sweepgen_).Pop();
    if (s != nullptr) {
      central_index_ = sc;
      return s;
    }
  }
  central_index_ = kNumSweepClasses;
  return nullptr;
}

// sweepone, go1.21.0.
uintptr_t Sweeper::SweepOne() {
  uintptr_t npages = ~uintptr_t{0};
  bool no_more_work = false;
  for (;;) {
    MSpan* s = NextSpanForSweep();
    if (s == nullptr) {
      // sweep.active.markDrained: only the first to see the end reports it.
      no_more_work = !drained_;
      drained_ = true;
      break;
    }
    if (s->state != SpanState::kInUse) {
      THP_CHECK(s->sweepgen == sweepgen_ || s->sweepgen == sweepgen_ + 3,
                "non in-use span found with specials bit set");
      continue;
    }
    if (TryAcquire(s)) {
      npages = s->npages;
      if (Sweep(s, /*preserve=*/false)) {
        // Free pages a later allocation need not reclaim itself.
        heap_.AddReclaimCredit(npages);
      } else {
        npages = 0;
      }
      break;
    }
  }
  if (no_more_work && on_drained_) on_drained_();  // scavenger.ready
  return npages;
}

// gcSweep's bookkeeping before the sweep starts.
void Sweeper::StartSweepCycle() {
  sweepgen_ += 2;
  drained_ = false;  // sweep.active.reset
  pages_swept_ = 0;
  heap_.ResetReclaimer();
  central_index_ = 0;
}

// finishsweep_m (its scavenger.wake is the GC model's).
void Sweeper::FinishSweep() {
  while (SweepOne() != ~uintptr_t{0}) {
  }
  for (auto& c : central_) {
    c->PartialUnswept(sweepgen_).Reset();
    c->FullUnswept(sweepgen_).Reset();
  }
}

// gcPaceSweeper, go1.21.0.
void Sweeper::PaceSweeper(uint64_t trigger) {
  if (IsSweepDone()) {
    sweep_pages_per_byte_ = 0;
    return;
  }
  const uint64_t live_basis = pacer_.heap_live();
  int64_t heap_distance = static_cast<int64_t>(trigger) - static_cast<int64_t>(live_basis);
  heap_distance -= 1024 * 1024;  // leave a margin for the sweep to finish early
  if (heap_distance < static_cast<int64_t>(kPageSize)) heap_distance = kPageSize;
  const int64_t sweep_distance_pages =
      static_cast<int64_t>(heap_.pages_in_use()) - static_cast<int64_t>(pages_swept_);
  if (sweep_distance_pages <= 0) {
    sweep_pages_per_byte_ = 0;
    return;
  }
  sweep_pages_per_byte_ =
      static_cast<double>(sweep_distance_pages) / static_cast<double>(heap_distance);
  sweep_heap_live_basis_ = live_basis;
  pages_swept_basis_ = pages_swept_;
}

// deductSweepCredit, go1.21.0.
void Sweeper::DeductSweepCredit(uintptr_t span_bytes, uintptr_t caller_sweep_pages) {
  if (sweep_pages_per_byte_ == 0 || drained_) return;
  const uint64_t live = pacer_.heap_live();
  uint64_t new_heap_live = span_bytes;
  if (sweep_heap_live_basis_ < live) new_heap_live += live - sweep_heap_live_basis_;
  const int64_t pages_target =
      static_cast<int64_t>(sweep_pages_per_byte_ * static_cast<double>(new_heap_live)) -
      static_cast<int64_t>(caller_sweep_pages);
  while (pages_target > static_cast<int64_t>(pages_swept_ - pages_swept_basis_)) {
    if (SweepOne() == ~uintptr_t{0}) {
      sweep_pages_per_byte_ = 0;
      break;
    }
  }
}

// bgsweep: each turn is one sweepone; it parks once the sweep is done.
int Sweeper::BackgroundSweep(int turns) {
  int n = 0;
  while (n < turns && !IsSweepDone()) {
    if (SweepOne() == ~uintptr_t{0}) break;
    ++n;
  }
  return n;
}

}  // namespace go121
}  // namespace thp
