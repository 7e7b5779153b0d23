#include "mheap/go121/mgc.h"

#include "mheap/go121/mbitmap.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace go121 {
namespace {

// forcegcperiod (proc.go).
constexpr int64_t kForceGcPeriod = int64_t{2} * 60 * 1'000'000'000;

}  // namespace

GcModel::GcModel(MHeap& heap, Sweeper& sweeper, GcController& pacer, const RootSet& roots)
    : heap_(heap), sweeper_(sweeper), pacer_(pacer), roots_(roots) {}

// gcTrigger.test for gcTriggerHeap.
bool GcModel::HeapTriggered() const {
  if (in_cycle_) return false;
  return pacer_.heap_live() >= pacer_.Trigger().trigger;
}

bool GcModel::TimeTriggered(int64_t now) const {
  if (in_cycle_ || pacer_.gc_percent() < 0) return false;
  return last_gc_ns_ != 0 && now - last_gc_ns_ > kForceGcPeriod;
}

// gcTrigger.test.
bool GcModel::Test(const Trigger& t) const {
  switch (t.kind) {
    case Trigger::Kind::kHeap: return HeapTriggered();
    case Trigger::Kind::kTime: return TimeTriggered(t.now);
    case Trigger::Kind::kCycle:
      return !in_cycle_ && static_cast<int64_t>(t.n - cycles_.size()) > 0;
  }
  return false;
}

void GcModel::ForceGC(int64_t now) {
  if (on_force_gc_) on_force_gc_();  // forcegchelper's println("GC forced")
  Trigger t;
  t.kind = Trigger::Kind::kTime;
  t.now = now;
  GcStart(t);
}

void GcModel::AfterMalloc(bool shouldhelpgc, uintptr_t new_object) {
  if (!shouldhelpgc || on_system_stack_ || !HeapTriggered()) return;
  in_flight_ = new_object;
  GcStart(Trigger{});
  in_flight_ = 0;
}

// runtime.GC, go1.21.0: the cycle, then this goroutine sweeps until done.
void GcModel::GC() {
  const uint64_t n = cycles_.size();
  Trigger t;
  t.kind = Trigger::Kind::kCycle;
  t.n = n + 1;
  GcStart(t);
  while (cycles_.size() == n + 1 && sweeper_.SweepOne() != ~uintptr_t{0}) {
  }
}

void GcModel::Mark(uint64_t* bytes_marked, uint64_t* heap_scan_work) {
  MSpan* last = nullptr;
  auto mark = [&](uintptr_t addr) {
    MSpan* s = last != nullptr && addr >= last->base() && addr < last->limit()
                   ? last
                   : heap_.SpanOf(addr);
    last = s;
    if (s == nullptr || s->state != SpanState::kInUse || s->nelems == 0) return;
    const uintptr_t i = ObjIndex(*s, addr);
    if (i >= s->nelems || IsFree(*s, i) || s->gcmark_bits[i]) return;
    s->gcmark_bits[i] = true;
    heap_.SetPageMark(*s);
    *bytes_marked += s->elemsize;
    if (!NoScan(s->spanclass)) *heap_scan_work += s->elemsize;
  };
  roots_.ForEachLive(mark);
  if (in_flight_ != 0) mark(in_flight_);
}

// gcStart, gcMarkDone and gcMarkTermination of go1.21.0, back to back.
void GcModel::GcStart(const Trigger& trigger) {
  THP_CHECK(malloc_ != nullptr, "GcModel needs the allocator");
  // Sweep what the last cycle left while the trigger still holds.
  while (Test(trigger) && sweeper_.SweepOne() != ~uintptr_t{0}) {
  }
  if (!Test(trigger)) return;
  in_cycle_ = true;
  sweeper_.FinishSweep();
  if (wake_scavenger_) wake_scavenger_();  // finishsweep_m
  heap_.ClearPageMarks();  // gcResetMarkState
  GcCycle cycle;
  cycle.num = cycles_.size() + 1;
  cycle.forced = trigger.kind == Trigger::Kind::kCycle;
  cycle.timed = trigger.kind == Trigger::Kind::kTime;
  cycle.heap_goal = pacer_.HeapGoal();
  if (clock_ != nullptr) cycle.start_ns = clock_->NanoTime();
  pacer_.StartCycle();
  cycle.heap0 = pacer_.heap_live();
  if (stacks_ != nullptr) stacks_->SetGcRunning(true);

  if (free_g_stacks_) free_g_stacks_();  // a root job of the mark

  uint64_t bytes_marked = 0, heap_scan_work = 0;
  Mark(&bytes_marked, &heap_scan_work);
  const uint64_t stack_scan_work = stacks_ != nullptr ? stacks_->ScannedStackBytes() : 0;
  pacer_.EndCycle(heap_scan_work + stack_scan_work + pacer_.globals_scan());

  // gcMarkTermination.
  cycle.heap1 = pacer_.heap_live();
  cycle.heap2 = bytes_marked;
  pacer_.ResetLive(bytes_marked, heap_scan_work, stack_scan_work);
  if (stacks_ != nullptr) stacks_->SetGcRunning(false);
  sweeper_.StartSweepCycle();  // gcSweep (background mode)
  // gcControllerCommit.
  pacer_.Commit(sweeper_.IsSweepDone());
  const GcController::TriggerAndGoal tg = pacer_.Trigger();
  sweeper_.PaceSweeper(tg.trigger);
  heap_.GcMarkTermination(tg.goal);
  if (stacks_ != nullptr) stacks_->FreeStackSpans();
  for (int p = 0; p < malloc_->nprocs(); ++p) {
    malloc_->PrepareForSweep(p);
    if (stacks_ != nullptr) stacks_->ClearCache(p);
  }
  if (clock_ != nullptr) last_gc_ns_ = clock_->NanoTime();
  cycle.end_ns = last_gc_ns_;
  cycle.next_goal = tg.goal;
  cycle.next_trigger = tg.trigger;
  cycle.stack_scan = stack_scan_work;
  cycle.globals_scan = pacer_.globals_scan();
  cycles_.push_back(cycle);
  in_cycle_ = false;
  if (on_cycle_) on_cycle_(cycle);
}

}  // namespace go121
}  // namespace thp
