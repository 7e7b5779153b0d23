#include "mheap/go15/mgc.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_format.h"
#include "mheap/go15/msize.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace {

constexpr uint64_t kDefaultHeapMinimum = 4 << 20;
constexpr uint64_t kSweepMinHeapDistance = 1 << 20;
// revise's floor on the distance it paces assists over (go1.5.1 mgc.go).
constexpr int64_t kReviseMinHeapDistance = 1 << 20;
constexpr double kGcGoalUtilization = 0.25;
constexpr double kTriggerGain = 0.5;

}  // namespace

GcModel::GcModel(MHeap& heap, StackAllocator& stacks, const RootSet& roots, int gcpercent)
    : heap_(heap), stacks_(stacks), roots_(roots), gcpercent_(gcpercent < 0 ? -1 : gcpercent) {
  // Mirrors setGCPercent and gcinit, Go 1.5.
  heapminimum_ = gcpercent_ < 0 ? 0 : kDefaultHeapMinimum * static_cast<uint64_t>(gcpercent_) / 100;
  heap_.stats().next_gc = heapminimum_;
  heap_.set_hooks(this);
}

bool GcModel::ShouldTriggerGC() const {
  return heap_.stats().heap_live >= heap_.stats().next_gc && !in_cycle_ && !GcGoroutineWorking();
}

bool GcModel::GcGoroutineWorking() const {
  return heap_.clock().NanoTime() < bggc_parks_ns_;
}

void GcModel::AfterMalloc(bool shouldhelpgc, uintptr_t new_object) {
  // The program's store of the new pointer: the barrier shades it while
  // gcphase is _GCscan or _GCmark.
  if (write_barrier_stores_ && marking_) shaded_.push_back(new_object);
  // mallocgc's gcmarknewobject_m under gcBlackenPromptly (the tiny
  // allocator's shares of a block return before it: only a new block is
  // marked, and its later shares with it).
  if (blacken_promptly()) black_.push_back(new_object);
  if (on_system_stack_) return;
  if (std::exchange(alloc_before_blackening_, false)) {
    // The allocation at the preemption check where the program's stack was
    // scanned (ScanProgramStack): go1.5.1 mallocgc zeroes it and reaches
    // gcAssistAlloc while gc() is still installing the write barrier
    // (forEachP waits for that zeroing to end), with gcBlackenEnabled
    // still 0, so it assists nothing and cannot end the mark.
  } else if (shouldhelpgc && marking_ &&
      heap_.stats().heap_live >= pending_.heap0 + pending_.mark_growth_cap) {
    // The program has allocated what it does in the concurrent phase
    // (MarkGrowthCap). Its assist cannot pay for more: it waits for the
    // mark to end on the clock (set_assist_waits), or, without the wait,
    // the mark ends here, at the allocation that found the heap there; the
    // new object is a root.
    if (concurrent_mark_ && assist_waits_ && assist_waits_()) {
      program_waits_ = true;
      return;
    }
    in_flight_ = new_object;
    FinishMark();
    in_flight_ = 0;
    return;
  }
  if (shouldhelpgc && ShouldTriggerGC()) {
    in_flight_ = new_object;
    starting_in_malloc_ = true;
    StartGC(GcMode::kBackground, false);
    starting_in_malloc_ = false;
    in_flight_ = 0;
  }
}

void GcModel::NewObject(uintptr_t x) {
  // runtime.SetFinalizer's addfinalizer: one special per object.
  if (!finalizer_allocs_) return;
  THP_CHECK(finalizers_.insert(x).second, "runtime.SetFinalizer: finalizer already set");
}

void GcModel::StartGC(GcMode mode, bool force_trigger) {
  if (gcpercent_ < 0) return;
  // A background start while a cycle runs is a no-op (bggc.working); a
  // blocking one waits on worldsema for the running cycle's end.
  if (marking_ && mode != GcMode::kBackground) FinishMark();
  if (in_cycle_) return;
  // The last cycle's GC goroutine has not parked yet: startGC readies
  // nothing (bggc.working), forced or not.
  if (mode == GcMode::kBackground && GcGoroutineWorking()) return;
  if (mode == GcMode::kBackground && !(force_trigger || ShouldTriggerGC())) return;
  if (mode == GcMode::kBackground && !bggc_started_ && goroutines_ != nullptr) {
    // The first background start makes the goroutine that runs gc()
    // (go1.5.1 mgc.go startGC: go backgroundgc()).
    bggc_started_ = true;
    goroutines_->StartRuntimeGoroutine(heap_.current_p());
  }
  RunCycle(mode, heap_.clock().NanoTime());
}

void GcModel::ForceBlockingGC(int64_t world_stopped_ns) {
  if (gcpercent_ < 0) return;
  THP_CHECK(!in_cycle_, "ForceBlockingGC: a cycle is running");
  RunCycle(GcMode::kForceBlock, world_stopped_ns);
}

int64_t GcModel::CycleNs(GcMode mode) const {
  // Without a goroutine table there are no gs, live or dead, and no frames.
  int64_t live = 0, allglen = 0, frames = 0;
  if (goroutines_ != nullptr) {
    live = static_cast<int64_t>(goroutines_->LiveGoroutines());
    allglen = static_cast<int64_t>(goroutines_->allglen());
    frames = static_cast<int64_t>(goroutines_->StackFrames(heap_.clock().NanoTime()));
  }
  const auto links = static_cast<int64_t>(roots_.LiveChainLinks());
  const int64_t goroutines =
      mode == GcMode::kBackground
          ? kBackgroundCycleNs + allglen * kBackgroundCycleNsPerAllG + live * kBackgroundCycleNsPerG
          : kBlockingCycleNs + allglen * kBlockingCycleNsPerAllG + live * kBlockingCycleNsPerG;
  return Scaled(goroutines + links * kChainLinkMarkNs + frames * kStackScanNsPerFrame);
}

void GcModel::set_cpu_scale(double scale) {
  THP_CHECK(std::isfinite(scale) && scale > 0, "set_cpu_scale: the scale must be above 0");
  cpu_scale_ = scale;
}

int64_t GcModel::Scaled(int64_t ns) const {
  return cpu_scale_ == 1.0 ? ns : std::llround(static_cast<double>(ns) * cpu_scale_);
}

void GcModel::FlushCache(int p) {
  MCache& c = malloc_->cache(p);
  MemStats& st = heap_.stats();
  st.heap_scan += c.local_scan;
  c.local_scan = 0;
  st.heap_live += c.local_cachealloc;
  c.local_cachealloc = 0;
  st.tinyallocs += c.local_tinyallocs;
  c.local_tinyallocs = 0;
}

void GcModel::BeforeAlloc(PageCount npage) {
  // mHeap_Alloc_m: reclaim at least npage pages while sweeping is unfinished,
  // then move the current P's cached stats into memstats.
  if (!sweepdone_) heap_.Reclaim(npage, *this, [this] { return SweepOne(); });
  if (malloc_ != nullptr) FlushCache(heap_.current_p());
}

void GcModel::BeforeFree() {
  if (malloc_ != nullptr) FlushCache(heap_.current_p());
}

void GcModel::RunCycle(GcMode mode, int64_t start_ns) {
  // Mirrors gc(mode), go1.5.1 mgc.go, up to mark termination.
  THP_CHECK(malloc_ != nullptr, "GcModel needs the allocator");
  in_cycle_ = true;
  GcCycle cycle;
  cycle.num = heap_.stats().numgc + 1;
  cycle.mode = mode;
  cycle.start_ns = start_ns;
  // Finish the previous cycle's sweep (gosweepone loop, finishsweep_m).
  // bgsweep's span first: sweepone runs without preemption, so in Go it
  // is done before the world stops.
  if (claimed_ != nullptr) SweepClaimed();
  while (SweepOne() != ~uintptr_t{0}) {
  }
  if (mode == GcMode::kBackground) ++bg_cycles_started_;
  if (mode == GcMode::kBackground && goroutines_ != nullptr) {
    // gcBgMarkStartWorkers: a mark worker goroutine for every P that has
    // none yet, each made by backgroundgc (here: on the current P).
    for (; mark_workers_ < malloc_->nprocs(); ++mark_workers_) {
      goroutines_->StartRuntimeGoroutine(heap_.current_p());
      // A recorded M comes after the first worker (startm, before the next
      // P's worker is made).
      MaybeNewM(NewMAt::kCycleStart);
    }
    MaybeNewM(NewMAt::kCycleStart);
  }
  // clearpools: the central sudog cache goes, and every P drops its tiny
  // block.
  if (clearpools_) clearpools_();
  for (int p = 0; p < malloc_->nprocs(); ++p) {
    malloc_->cache(p).tiny = 0;
    malloc_->cache(p).tinyoffset = 0;
  }
  // gcResetMarkState.
  bytes_marked_ = 0;
  initial_heap_live_ = heap_.stats().heap_live;
  cycle.heap0 = heap_.stats().heap_live;
  MemStats& st = heap_.stats();
  if (mode != GcMode::kBackground) {
    cycle.heap_goal = cycle.heap0;
    cycle.end_ns = cycle.start_ns + CycleNs(mode);
    Terminate(cycle);
    return;
  }
  // gcController.startCycle: on a heap still at its minimum, fake the
  // previous cycle's marked heap from the trigger.
  if (st.next_gc <= heapminimum_) {
    st.heap_marked = static_cast<uint64_t>(static_cast<double>(st.next_gc) / (1 + trigger_ratio_));
    st.heap_reachable = st.heap_marked;
  }
  cycle.heap_goal = static_cast<uint64_t>(static_cast<double>(st.heap_reachable) *
                                          (1 + gcpercent_ / 100.0));
  cycle.end_ns = cycle.start_ns + CycleNs(mode);
  cycle.mark_share = mark_shares_.Next();
  cycle.mark_growth_cap = MarkGrowthCap(cycle);
  if (!concurrent_mark_) {
    // (Concurrent scan and mark happen instantaneously here.)
    EndCycle();
    Terminate(cycle);
    return;
  }
  // _GCscan: gcphase leaves _GCoff (stackfree keeps whole spans from here
  // on), and gcscan_m scans every stack at once: what the workload holds
  // then is marked. The caches are flushed only at mark termination.
  stacks_.set_gc_running(true);
  pending_ = cycle;
  marking_ = true;
  if (starting_in_malloc_ && scan_program_at_safe_point_) {
    // The program's goroutine runs on past startGC and is scanned at its
    // next preemption check (ScanProgramStack); until then the mark has
    // not started and cannot end.
    program_scan_pending_ = true;
    pending_.end_ns = std::numeric_limits<int64_t>::max();
    return;
  }
  PrepareMarkBits(/*keep=*/false);
  MarkRoots();
}

void GcModel::ScanProgramStack() {
  THP_CHECK(program_scan_pending_, "ScanProgramStack: no cycle waits to scan the program");
  program_scan_pending_ = false;
  alloc_before_blackening_ = true;
  PrepareMarkBits(/*keep=*/false);
  MarkRoots();
  // The concurrent mark's work starts here and takes its usual time.
  pending_.end_ns = heap_.clock().NanoTime() + CycleNs(GcMode::kBackground);
}

uint64_t GcModel::MarkGrowthCap(const GcCycle& cycle) const {
  // go1.5.1 mgc.go revise: assists are paced over heapGoal less the heap
  // at the cycle's start, at least 1 MiB, so that the scan work is done by
  // then; the program cannot allocate further before the mark ends.
  const int64_t distance =
      std::max<int64_t>(static_cast<int64_t>(cycle.heap_goal) - static_cast<int64_t>(cycle.heap0),
                        kReviseMinHeapDistance);
  auto cap = static_cast<uint64_t>(distance);
  // Within that, what the program allocates in the mark follows how much
  // of it the scheduler gives the program (mark_share.h): its drawn share
  // of the mark's modelled length at the rate it allocated since the last
  // cycle ended (that cycle's gc_done: end_ns and heap_marked).
  if (cycles_.empty()) return cap;
  const GcCycle& last = cycles_.back();
  const int64_t since_ns = cycle.start_ns - last.end_ns;
  if (since_ns <= 0 || cycle.heap0 <= last.heap2) return cap;
  const double rate = static_cast<double>(cycle.heap0 - last.heap2) / static_cast<double>(since_ns);
  if (rate < kMarkShareMinBytesPerNs) return cap;
  const double share_bytes =
      cycle.mark_share * static_cast<double>(cycle.end_ns - cycle.start_ns) * rate;
  return share_bytes < static_cast<double>(cap) ? static_cast<uint64_t>(share_bytes) : cap;
}

void GcModel::ArmNewM(int nth, NewMAt at) {
  THP_CHECK(nth >= 1, absl::StrFormat("ArmNewM: cycle %d; the next is 1", nth));
  armed_.push_back(ArmedNewM{bg_cycles_started_ + static_cast<uint64_t>(nth), at});
}

void GcModel::MaybeNewM(NewMAt at) {
  for (auto it = armed_.begin(); it != armed_.end();) {
    if (it->bg_cycle != bg_cycles_started_ || it->at != at) {
      ++it;
      continue;
    }
    it = armed_.erase(it);
    if (goroutines_ == nullptr) continue;
    goroutines_->NewM(heap_.current_p());
    ++new_ms_;
  }
}

void GcModel::FinishMark() {
  THP_CHECK(marking_, "FinishMark: no cycle is marking");
  // A stopped world needs the program at a preemption check, where a scan
  // still waiting happens first.
  if (program_scan_pending_) ScanProgramStack();
  alloc_before_blackening_ = false;
  program_waits_ = false;  // blackening is off: gcAssistAlloc returns
  // Mark termination stops the world now: endCycle paces from the heap as
  // it grew during the concurrent phase.
  marking_ = false;
  GcCycle cycle = pending_;
  const int64_t rescan = Scaled(static_cast<int64_t>(roots_.LiveChainLinks()) * kChainLinkRescanNs);
  stopped_ns_ += rescan;
  cycle.end_ns = heap_.clock().NanoTime() + rescan;
  EndCycle();
  Terminate(cycle);
}

void GcModel::Terminate(GcCycle& cycle) {
  MemStats& st = heap_.stats();
  cycle.heap1 = st.heap_live;
  cycle.mark_term_ns =
      cycle.mode == GcMode::kBackground ? heap_.clock().NanoTime() : cycle.start_ns;
  stacks_.set_gc_running(true);
  Mark(/*after_concurrent_phase=*/cycle.mode == GcMode::kBackground && concurrent_mark_);
  MarkTermination(cycle);
  stacks_.set_gc_running(false);
  SweepPhase(cycle.mode);
  if (cycle.mode == GcMode::kBackground) MaybeNewM(NewMAt::kCycleEnd);
  if (goroutines_ != nullptr) goroutines_->ResumeAfterCycle();
  // runfinq runs what is queued now (see the header: the cycle's end
  // readies it); its objects are garbage for the next cycle.
  finq_.clear();
  ++st.numgc;
  heap_.NextGeneration();
  cycle.next_gc = st.next_gc;
  cycle.trigger_ratio = trigger_ratio_;
  cycles_.push_back(cycle);
  if (cycle.mode == GcMode::kBackground) {
    const int64_t delay = park_delay_ ? park_delay_(cycle) : 0;
    bggc_parks_ns_ = delay > 0 ? cycle.end_ns + delay : 0;
  }
  in_cycle_ = false;
  if (on_cycle_) on_cycle_(cycle);
}

void GcModel::EndCycle() {
  const MemStats& st = heap_.stats();
  const double goal_growth = gcpercent_ / 100.0;
  const double actual_growth =
      static_cast<double>(st.heap_live) / static_cast<double>(std::max<uint64_t>(st.heap_marked, 1)) - 1;
  const double utilization = kGcGoalUtilization;  // no assists modelled
  const double error = goal_growth - trigger_ratio_ -
                       utilization / kGcGoalUtilization * (actual_growth - trigger_ratio_);
  trigger_ratio_ += kTriggerGain * error;
  trigger_ratio_ = std::clamp(trigger_ratio_, 0.0, goal_growth * 0.95);
}

void GcModel::PrepareMarkBits(bool keep) {
  // gcCopySpans names the spans; in-use ones get cleared mark bits, the
  // rest none. With `keep`, a span already marked at the cycle's start
  // keeps its bits (nothing frees or reshapes an in-use span before the
  // sweep); spans the concurrent phase allocated get theirs.
  work_spans_ = heap_.CopySpansForGC();
  for (size_t i = 0; i < work_spans_; ++i) {
    MSpan* s = heap_.AllSpan(i);
    if (s->state != SpanState::kInUse) {
      s->marked.clear();
      continue;
    }
    const size_t slots = s->sizeclass == 0 ? 1 : s->Capacity();
    if (keep && s->marked.size() == slots) continue;
    s->marked.AssignClear(slots);
  }
}

void GcModel::Mark(bool after_concurrent_phase) {
  // Mirrors gcMark's roots, go1.5.1 mgcmark.go markroot: gcCopySpans, then
  // _RootFlushCaches (every mcache span goes back to its central list,
  // every stack cache to the pool), then the goroutines (each g's stack may
  // be shrunk, a dead g's freed), then what the workload holds. After a
  // concurrent phase, what it held at the start stays marked.
  PrepareMarkBits(after_concurrent_phase);
  FlushAllMCaches();
  if (goroutines_ != nullptr) goroutines_->ShrinkStacks(heap_.clock().NanoTime());
  MarkRoots();
  ScanFinalizerSpecials();
}

void GcModel::ScanFinalizerSpecials() {
  // markroot's _RootSpans in mark termination (go1.5.1 mgcmark.go): for
  // every finalizer special of every in-use span, scanobject on the start
  // of the object it was set on, so that what the object points to stays
  // live while the object itself is left unmarked. scanobject adds the
  // object's size (the span's elemsize) to bytesMarked each time, whether
  // the object is marked or not: every special adds its object's size to
  // heap_marked (twice for a tiny block holding two objects with
  // finalizers). The model traces no pointers (the workload names what is
  // live), so the scan marks nothing more.
  MSpan* last = nullptr;
  for (uintptr_t x : finalizers_) {
    MSpan* s = SpanOf(x, &last);
    if (s != nullptr && s->state == SpanState::kInUse) bytes_marked_ += s->elemsize;
  }
}

MSpan* GcModel::SpanOf(uintptr_t addr, MSpan** last) const {
  if (*last == nullptr || addr < (*last)->base() || addr >= (*last)->end()) {
    *last = heap_.LookupMaybe(addr);
  }
  return *last;
}

void GcModel::FlushAllMCaches() {
  for (int p = 0; p < malloc_->nprocs(); ++p) {
    malloc_->ReleaseAll(p);
    stacks_.ClearCache(p);
  }
}

void GcModel::CacheStats() {
  for (int p = 0; p < malloc_->nprocs(); ++p) FlushCache(p);
}

void GcModel::UpdateMemStats() {
  THP_CHECK(!in_cycle_, "updatememstats with a GC cycle running");
  FlushAllMCaches();
  CacheStats();
}

void GcModel::MarkRoots() {
  // Roots come in address order, so most share the previous root's span.
  MSpan* last = nullptr;
  auto mark = [this, &last](uintptr_t addr) {
    MSpan* s = SpanOf(addr, &last);
    if (s == nullptr || s->marked.empty()) return;
    if (s->sizeclass == 0) {
      if (!s->marked[0]) {
        s->marked.Set(0);
        bytes_marked_ += s->elemsize;
      }
      return;
    }
    const size_t slot = (addr - s->base()) / s->elemsize;
    if (slot < s->allocated.size() && s->allocated[slot] && !s->marked[slot]) {
      s->marked.Set(slot);
      bytes_marked_ += s->elemsize;
    }
  };
  roots_.ForEachLive(mark);
  if (in_flight_ != 0) mark(in_flight_);
  // Mark termination: what the barrier shaded during the concurrent phase
  // (its slots are still allocated: nothing is swept before gcSweep).
  for (uintptr_t x : shaded_) mark(x);
  shaded_.clear();
  // Allocated black (gcBlackenPromptly): marked, and counted in
  // bytesMarked, since their allocation.
  for (uintptr_t x : black_) mark(x);
  black_.clear();
  // _RootFinalizers: finq's pending finalizers hold their objects.
  for (uintptr_t x : finq_) mark(x);
}

void GcModel::MarkTermination(GcCycle& cycle) {
  // Mirrors the end of gcMark, Go 1.5.
  stacks_.FreeStackSpans();
  CacheStats();
  MemStats& st = heap_.stats();
  const uint64_t allocated_during_cycle = st.heap_live - initial_heap_live_;
  st.heap_reachable =
      bytes_marked_ >= allocated_during_cycle ? bytes_marked_ - allocated_during_cycle : 0;
  st.next_gc = static_cast<uint64_t>(static_cast<double>(st.heap_reachable) * (1 + trigger_ratio_));
  if (st.next_gc < heapminimum_) st.next_gc = heapminimum_;
  st.heap_live = bytes_marked_;
  st.heap_marked = bytes_marked_;
  const uint64_t min_next_gc =
      st.heap_live + kSweepMinHeapDistance * static_cast<uint64_t>(gcpercent_) / 100;
  if (st.next_gc < min_next_gc) st.next_gc = min_next_gc;
  cycle.heap2 = bytes_marked_;
}

void GcModel::SweepPhase(GcMode mode) {
  // Mirrors gcSweep, Go 1.5.
  THP_CHECK(claimed_ == nullptr, "gcSweep while bgsweep holds a span");
  work_spans_ = heap_.CopySpansForGC();
  heap_.AdvanceSweepgen();
  sweepdone_ = false;
  sweep_idx_ = 0;
  if (mode == GcMode::kForceBlock) {
    sweep_pages_per_byte_ = 0;
    pages_swept_ = 0;
    while (SweepOne() != ~uintptr_t{0}) {
    }
    return;
  }
  uint64_t pages_to_sweep = 0;
  for (size_t i = 0; i < work_spans_; ++i) {
    const MSpan* s = heap_.AllSpan(i);
    if (s->state == SpanState::kInUse) pages_to_sweep += s->npages.raw();
  }
  int64_t distance = static_cast<int64_t>(heap_.stats().next_gc) -
                     static_cast<int64_t>(heap_.stats().heap_live) - (1 << 20);
  if (distance < static_cast<int64_t>(kPageSize)) distance = kPageSize;
  sweep_pages_per_byte_ = static_cast<double>(pages_to_sweep) / static_cast<double>(distance);
  pages_swept_ = 0;
  span_bytes_alloc_ = 0;
}

MSpan* GcModel::NextToSweep() {
  // sweepone's walk of the spans the cycle copied (go1.5.1 mgcsweep.go): a
  // span not in use only takes the new sweepgen; one another sweeper has
  // (sweepgen-1) or swept already (sweepgen) is passed by.
  const uint32_t sg = heap_.sweepgen();
  for (;;) {
    if (sweep_idx_ >= work_spans_) {
      sweepdone_ = true;
      return nullptr;
    }
    MSpan* s = heap_.AllSpan(sweep_idx_++);
    if (s->state != SpanState::kInUse) {
      s->sweepgen = sg;
      continue;
    }
    if (s->sweepgen != sg - 2) continue;
    s->sweepgen = sg - 1;
    return s;
  }
}

uintptr_t GcModel::SweepOne() {
  MSpan* s = NextToSweep();
  if (s == nullptr) return ~uintptr_t{0};
  const uintptr_t npages = s->npages.raw();
  return Sweep(s, /*preserve=*/false) ? npages : 0;
}

int GcModel::BackgroundSweep(int turns) {
  int n = 0;
  while (n < turns && !sweepdone() && SweepOne() != ~uintptr_t{0}) ++n;
  return n;
}

const MSpan* GcModel::ClaimSweepOne() {
  if (claimed_ == nullptr) claimed_ = NextToSweep();
  return claimed_;
}

uintptr_t GcModel::SweepClaimed() {
  THP_CHECK(claimed_ != nullptr, "SweepClaimed without a claimed span");
  MSpan* s = claimed_;
  claimed_ = nullptr;
  const uintptr_t npages = s->npages.raw();
  const bool frees = SweepFreesSpan(*s);
  const bool freed = Sweep(s, /*preserve=*/false);
  THP_CHECK(freed == frees, "SweepFreesSpan disagrees with mSpan_Sweep");
  return freed ? npages : 0;
}

bool GcModel::SweepFreesSpan(const MSpan& s) const {
  if (s.marked.empty()) return false;  // not in use at mark time
  const auto fin = finalizers_.lower_bound(s.base());
  if (fin != finalizers_.end() && *fin < s.end()) return false;
  if (s.sizeclass == 0) return !s.marked[0];
  // A small span goes back once every allocated object is dead
  // (MCentral::FreeSpan: ref reaches 0).
  bool any = false;
  for (size_t w = 0; w < s.allocated.words(); ++w) {
    if ((s.allocated.word(w) & s.marked.word(w)) != 0) return false;
    any = any || s.allocated.word(w) != 0;
  }
  return any;
}

int64_t BgSweepSpanNs(const MSpan& s) {
  // A large object's span holds one slot.
  const uint32_t slots = s.sizeclass == 0 ? 1 : GetSizeClasses().ObjectsPerSpan(s.sizeclass);
  int64_t ns = kBgSweepNsPerSpan + std::llround(kBgSweepNsPerObject * slots);
  if (s.sizeclass == 0) ns += kBgSweepNsPerLargePage * static_cast<int64_t>(s.npages.raw());
  return ns;
}

void GcModel::DeductSweepCredit(uintptr_t bytes, uintptr_t caller_sweep_pages) {
  if (sweep_pages_per_byte_ == 0) return;
  span_bytes_alloc_ += bytes;
  const int64_t owed =
      static_cast<int64_t>(sweep_pages_per_byte_ * static_cast<double>(span_bytes_alloc_));
  while (owed - static_cast<int64_t>(pages_swept_) > static_cast<int64_t>(caller_sweep_pages)) {
    if (SweepOne() == ~uintptr_t{0}) {
      sweep_pages_per_byte_ = 0;
      break;
    }
  }
}

void GcModel::KeepFinalized(const MSpan* s, SlotBits& marked) {
  // mSpan_Sweep's walk of the span's specials, go1.5.1 mgcsweep.go, in
  // offset order: an unmarked object's finalizer special is freed and
  // queued (freespecial -> queuefinalizer), and the object is marked so
  // that this sweep keeps it. A second special in the same (tiny) block
  // then finds it marked and stays for a later cycle.
  if (marked.empty()) return;
  auto it = finalizers_.lower_bound(s->base());
  while (it != finalizers_.end() && *it < s->end()) {
    const size_t slot = s->sizeclass == 0 ? 0 : (*it - s->base()) / s->elemsize;
    if (marked[slot]) {
      ++it;
      continue;
    }
    finq_.push_back(*it);
    marked.Set(slot);
    it = finalizers_.erase(it);
  }
}

bool GcModel::Sweep(MSpan* s, bool preserve) {
  // Mirrors mSpan_Sweep, Go 1.5.
  const uint32_t sg = heap_.sweepgen();
  THP_CHECK(s->state == SpanState::kInUse && s->sweepgen == sg - 1,
            absl::StrFormat("MSpan_Sweep: bad span state %s sweepgen %d/%d",
                            SpanStateName(s->state), s->sweepgen, sg));
  pages_swept_ += s->npages.raw();
  SlotBits marked = std::move(s->marked);
  s->marked.clear();
  KeepFinalized(s, marked);
  if (s->sizeclass == 0) {
    const bool dead = !marked.empty() && !marked[0];
    if (!dead) {
      s->sweepgen = sg;
      return false;
    }
    THP_CHECK(!preserve, "can't preserve large span");
    s->needzero = 1;
    s->sweepgen = sg;
    heap_.Free(s, /*acct=*/true);
    return true;
  }
  // Not in use at mark time: nothing to judge.
  if (marked.empty()) {
    s->sweepgen = sg;
    return false;
  }
  THP_CHECK(marked.size() == s->allocated.size(), "MSpan_Sweep: mark bits of another span shape");
  // The allocated objects the mark did not reach, in address order.
  std::vector<uint16_t>& freed = freed_scratch_;
  freed.clear();
  for (size_t w = 0; w < marked.words(); ++w) {
    for (uint64_t dead = s->allocated.word(w) & ~marked.word(w); dead != 0; dead &= dead - 1) {
      freed.push_back(static_cast<uint16_t>(w * 64 + static_cast<size_t>(__builtin_ctzll(dead))));
    }
  }
  if (freed.empty()) {
    s->sweepgen = sg;
    return false;
  }
  return malloc_->central(s->sizeclass).FreeSpan(s, freed, preserve);
}

}  // namespace thp
