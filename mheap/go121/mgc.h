// The garbage collector of Go 1.21 as the heap sees it (mgc.go, mgcmark.go's
// accounting, mgcpacer.go through mgcpacer.h; go1.21.0 = master
// 21ff9be0eb): when a cycle starts, which objects it finds live, and what
// mark termination hands to the sweeper, the pacer, the page heap and the
// scavenger.
//
// Marking is not traced through pointers: the workload names its live
// objects (RootSet) and every other object is garbage. A cycle is
// instantaneous: gcStart's sweep of what is left, finishsweep_m (waking the
// scavenger), gcResetMarkState's clearing of the page marks, startCycle,
// the mark (setting the page marks the page reclaimer reads), endCycle,
// and mark termination (heapLive reset to the marked bytes, gcSweep's
// sweepgen += 2 and page reclaimer reset, gcControllerCommit:
// commit, trigger, gcPaceSweeper, then the page heap's GcMarkTermination
// with the new goal for the scavenger's pacing, freeStackSpans, every P's
// mcache.prepareForSweep) all happen inside the allocation that triggers it,
// as the Go 1.5 model (mheap/go15/mgc.h) does. Consequences: nothing is
// allocated during a mark, so there is no floating garbage and the pacer's
// cons/mark estimate stays 0 (see mgcpacer.h); there are no assists or mark
// workers; the background sweeper runs when Runtime::RunUntil gives it turns.
// gcTriggerHeap, gcTriggerCycle (runtime.GC) and gcTriggerTime (sysmon's
// forcegc, driven by the runtime's background work) start cycles; mark
// termination records last_gc_nanotime from the injected clock.
#ifndef THP_MHEAP_GO121_MGC_H_
#define THP_MHEAP_GO121_MGC_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "mheap/go121/mcache.h"
#include "mheap/go121/mgcpacer.h"
#include "mheap/go121/mgcsweep.h"
#include "mheap/go121/mheap.h"
#include "runtime_port/base/clock.h"

namespace thp {
namespace go121 {

// The workload's live objects: every address it still holds.
class RootSet {
 public:
  virtual ~RootSet() = default;
  virtual void ForEachLive(const std::function<void(uintptr_t)>& mark) const = 0;
};

// What a cycle asks of the stack allocator (stack.h), if there is one.
class GcStackHooks {
 public:
  virtual ~GcStackHooks() = default;
  // gcphase != _GCoff: stackfree defers freeing whole spans.
  virtual void SetGcRunning(bool running) = 0;
  // freeStackSpans at mark termination.
  virtual void FreeStackSpans() = 0;
  // stackcache_clear of P p (mcache.prepareForSweep).
  virtual void ClearCache(int p) = 0;
  // Bytes of stack the mark scans (stackScanWork).
  virtual uint64_t ScannedStackBytes() const = 0;
};

// One cycle, for tests and gctrace-like reports.
struct GcCycle {
  uint64_t num = 0;
  bool forced = false;  // runtime.GC
  bool timed = false;   // gcTriggerTime (forcegchelper)
  int64_t start_ns = 0;  // work.tSweepTerm: nanotime at gcStart (0 without a clock)
  int64_t end_ns = 0;   // last_gc_nanotime after this cycle
  uint64_t heap0 = 0;   // heapLive at gcStart
  uint64_t heap1 = 0;   // heapLive at mark termination
  uint64_t heap2 = 0;   // bytes marked
  uint64_t heap_goal = 0;  // heapGoal when the cycle started
  uint64_t next_goal = 0;
  uint64_t next_trigger = 0;
  uint64_t stack_scan = 0;    // gcController.lastStackScan: stack bytes scanned
  uint64_t globals_scan = 0;  // gcController.globalsScan
};

class GcModel final : public GcTrigger {
 public:
  GcModel(MHeap& heap, Sweeper& sweeper, GcController& pacer, const RootSet& roots);
  // The allocator, whose caches mark termination flushes. Set before use.
  void set_malloc(Malloc* malloc) { malloc_ = malloc; }
  void set_stacks(GcStackHooks* stacks) { stacks_ = stacks; }
  // markrootFreeGStacks, run during the mark (stacks freed while the GC
  // runs, so whole stack spans wait for freeStackSpans).
  void set_free_g_stacks(std::function<void()> f) { free_g_stacks_ = std::move(f); }
  // Running on a g0 stack (systemstack): gcStart returns at once.
  void set_on_system_stack(bool on) { on_system_stack_ = on; }
  // The program stores the objects it allocates through a write barrier.
  // Nothing to do: a cycle here has no concurrent phase whose barrier
  // could shade them.
  void set_write_barrier_stores(bool on) { (void)on; }
  // The program sets a finalizer on each object it allocates. Ignored: this
  // port leaves finalizers out (go1.21.0's sweep would keep such an object
  // one cycle longer, as Go 1.5's does).
  void set_finalizer_allocs(bool on) { (void)on; }
  // scavenger.wake, called by finishsweep_m.
  void set_wake_scavenger(std::function<void()> f) { wake_scavenger_ = std::move(f); }

  // nanotime for last_gc_nanotime; set before use.
  void set_clock(const Clock* clock) { clock_ = clock; }

  // gcTrigger{kind: gcTriggerHeap}.test().
  bool HeapTriggered() const;
  // gcTrigger{kind: gcTriggerTime, now}.test(): GOGC is not off, a cycle
  // has ended, and more than forcegcperiod has passed since.
  bool TimeTriggered(int64_t now) const;
  // forcegchelper: gcStart(gcTrigger{kind: gcTriggerTime, now}); the
  // sweep is left to the background sweeper.
  void ForceGC(int64_t now);
  // runtime.GC: a cycle, then sweep until done.
  void GC();
  // memstats.last_gc_nanotime (0 before the first cycle ends).
  int64_t last_gc_nanotime() const { return last_gc_ns_; }
  // GcTrigger.
  void AfterMalloc(bool shouldhelpgc, uintptr_t new_object) override;

  uint64_t num_gc() const { return cycles_.size(); }
  const std::vector<GcCycle>& cycles() const { return cycles_; }
  void set_on_cycle(std::function<void(const GcCycle&)> f) { on_cycle_ = std::move(f); }
  // Called where forcegchelper prints "GC forced" under gctrace: as a forced
  // GC (gcTriggerTime) is about to start, whether or not it then runs.
  void set_on_force_gc(std::function<void()> f) { on_force_gc_ = std::move(f); }

 private:
  // gcTrigger.
  struct Trigger {
    enum class Kind { kHeap, kTime, kCycle } kind = Kind::kHeap;
    int64_t now = 0;  // kTime
    uint64_t n = 0;   // kCycle
  };
  void GcStart(const Trigger& trigger);
  bool Test(const Trigger& trigger) const;
  // The instantaneous mark: bytes marked, heap scan work.
  void Mark(uint64_t* bytes_marked, uint64_t* heap_scan_work);

  MHeap& heap_;
  Sweeper& sweeper_;
  GcController& pacer_;
  const RootSet& roots_;
  Malloc* malloc_ = nullptr;
  GcStackHooks* stacks_ = nullptr;
  std::function<void()> wake_scavenger_;
  std::function<void()> free_g_stacks_;
  bool on_system_stack_ = false;
  const Clock* clock_ = nullptr;
  int64_t last_gc_ns_ = 0;
  bool in_cycle_ = false;    // gcphase != _GCoff
  uintptr_t in_flight_ = 0;  // the object mallocgc is returning, a root too
  std::vector<GcCycle> cycles_;
  std::function<void(const GcCycle&)> on_cycle_;
  std::function<void()> on_force_gc_;
};

}  // namespace go121
}  // namespace thp

#endif  // THP_MHEAP_GO121_MGC_H_
