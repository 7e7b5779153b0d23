#include "mheap/go121/mgc.h"

#include "mheap/go121/mbitmap.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace go121 {

GcModel::GcModel(MHeap& heap, Sweeper& sweeper, GcController& pacer, const RootSet& roots)
    : heap_(heap), sweeper_(sweeper), pacer_(pacer), roots_(roots) {}

// gcTrigger.test for gcTriggerHeap.
bool GcModel::HeapTriggered() const {
  if (in_cycle_) return false;
  return pacer_.heap_live() >= pacer_.Trigger().trigger;
}

// gcTrigger.test: a heap trigger (n == 0) or a cycle trigger for cycle n.
bool GcModel::Test(uint64_t cycle_n) const {
  if (cycle_n == 0) return HeapTriggered();
  return !in_cycle_ && static_cast<int64_t>(cycle_n - cycles_.size()) > 0;
}

void GcModel::AfterMalloc(bool shouldhelpgc, uintptr_t new_object) {
  if (!shouldhelpgc || on_system_stack_ || !HeapTriggered()) return;
  in_flight_ = new_object;
  GcStart(0);
  in_flight_ = 0;
}

// runtime.GC, go1.21.0: the cycle, then this goroutine sweeps until done.
void GcModel::GC() {
  const uint64_t n = cycles_.size();
  GcStart(n + 1);
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
    s->any_marked = true;
    *bytes_marked += s->elemsize;
    if (!NoScan(s->spanclass)) *heap_scan_work += s->elemsize;
  };
  roots_.ForEachLive(mark);
  if (in_flight_ != 0) mark(in_flight_);
}

// gcStart, gcMarkDone and gcMarkTermination of go1.21.0, back to back.
void GcModel::GcStart(uint64_t cycle_n) {
  THP_CHECK(malloc_ != nullptr, "GcModel needs the allocator");
  // Sweep what the last cycle left while the trigger still holds.
  while (Test(cycle_n) && sweeper_.SweepOne() != ~uintptr_t{0}) {
  }
  if (!Test(cycle_n)) return;
  in_cycle_ = true;
  sweeper_.FinishSweep();
  if (wake_scavenger_) wake_scavenger_();  // finishsweep_m
  GcCycle cycle;
  cycle.num = cycles_.size() + 1;
  cycle.forced = cycle_n != 0;
  cycle.heap_goal = pacer_.HeapGoal();
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
  cycle.next_goal = tg.goal;
  cycle.next_trigger = tg.trigger;
  cycles_.push_back(cycle);
  in_cycle_ = false;
  if (on_cycle_) on_cycle_(cycle);
}

}  // namespace go121
}  // namespace thp
