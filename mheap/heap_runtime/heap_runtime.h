// One ported runtime as a workload drives it, whichever Go version's heap
// it is: the program's allocations, stacks and goroutines, runtime.GC and
// debug.FreeOSMemory, and the time the program spends computing or
// sleeping, during which the runtime's own background work (sysmon, the
// scavenger, the background sweeper) runs on the virtual clock. The trace
// replayer (bench/workloads/trace_replayer.h) drives a HeapRuntime; each
// heap has one implementation beside this header (go15_heap_runtime.h,
// go121_heap_runtime.h).
//
// Handles are object addresses. Contracts are those of the Go 1.5 port's
// Runtime (mheap/go15/runtime.h): bad input is a failed Status naming the
// value, never a corrupted heap.
#ifndef THP_MHEAP_HEAP_RUNTIME_HEAP_RUNTIME_H_
#define THP_MHEAP_HEAP_RUNTIME_HEAP_RUNTIME_H_

#include <cstdint>
#include <functional>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runtime_port/mem_linux/madvise_counters.h"

namespace thp {

// Which Go version's heap runs a workload.
enum class HeapKind { kGo15, kGo121 };
inline absl::string_view HeapKindName(HeapKind h) { return h == HeapKind::kGo15 ? "go15" : "go121"; }
// "go15" or "go121"; false for anything else.
inline bool ParseHeapKind(absl::string_view name, HeapKind* out) {
  if (name == "go15") {
    *out = HeapKind::kGo15;
  } else if (name == "go121") {
    *out = HeapKind::kGo121;
  } else {
    return false;
  }
  return true;
}

// The heap a variant's Go release had: the Go 1.5 heap for none (Go 1.4's
// behaviour), prefix, fixed and fixed_batched; the Go 1.21 heap for
// hugepage_eager, collapse, try_collapse and disablethp.
inline HeapKind DefaultHeapOf(absl::string_view variant) {
  return variant == "hugepage_eager" || variant == "collapse" || variant == "try_collapse" ||
                 variant == "disablethp"
             ? HeapKind::kGo121
             : HeapKind::kGo15;
}

// The heap's figures that mean the same for every heap (what the reports
// print beside the kernel's own counts).
struct HeapFigures {
  uint64_t heap_sys = 0;       // heap memory mapped from the OS
  uint64_t heap_inuse = 0;     // in spans holding objects or stacks
  uint64_t heap_released = 0;  // free and returned to the OS
  uint64_t gc_cycles = 0;
  int64_t scavenge_passes = 0;  // the scavenger's runs (sysmon's or the background one's)
};

class HeapRuntime {
 public:
  virtual ~HeapRuntime() = default;

  virtual HeapKind kind() const = 0;
  // [lo, hi): where the heap's objects and stacks lie (what a residency
  // sample reads); hi grows with the heap.
  virtual std::pair<uintptr_t, uintptr_t> ArenaRange() const = 0;

  // Objects: a live one until dropped; a transient one is garbage once
  // allocated (live only to a cycle its own allocation starts); a run of
  // `count` transient ones with nothing between them (it returns how many
  // it made: fewer when one leaves the program waiting for a marking
  // cycle, ProgramWaitsForMark, or when the next would race a sweeper,
  // AllocRacesSweeper, which it leaves unmade); held ones are live on a
  // stack and dropped from its top.
  virtual absl::StatusOr<uintptr_t> Allocate(uintptr_t size, bool noscan, int p) = 0;
  virtual absl::Status AllocateTransient(uintptr_t size, bool noscan, int p) = 0;
  virtual absl::StatusOr<int64_t> AllocateTransientRun(uintptr_t size, bool noscan, int p,
                                                       int64_t count) = 0;
  virtual absl::Status AllocateHeld(uintptr_t size, bool noscan, int p) = 0;
  virtual size_t held_height() const = 0;
  // Whether an allocation of `size` on P p, made now, would take a span
  // (from the central lists or the heap, sweeping some itself on the way)
  // while a sweeper works through the same spans beside the program on
  // another P. Which spans each of them gets then depends on the moment
  // the allocation comes, so the caller lets the program's time up to
  // that moment pass first (the replayer's loops, which otherwise pass it
  // in slices). False where the heap models no such sweeper.
  virtual bool AllocRacesSweeper(uintptr_t size, bool noscan, int p) const {
    (void)size;
    (void)noscan;
    (void)p;
    return false;
  }
  // A goroutine on P p blocks (on a channel, in a select): it takes a
  // sudog, held until ReleaseSudog, when it wakes on P p. The Go 1.5 heap
  // takes it from the runtime's caches, which keep released ones past
  // their goroutines (mheap/go15/sudog_cache.h); the Go 1.21 heap makes a
  // 64-byte object and lets it go when released (its cache is not
  // modelled).
  virtual absl::StatusOr<uintptr_t> AcquireSudog(int p) = 0;
  virtual absl::Status ReleaseSudog(uintptr_t s, int p) = 0;
  // The allocations between these two calls run on the system stack (the
  // g0 stack, as Go 1.5.1's newdefer does under systemstack): none of them
  // starts a GC cycle, however far past the trigger the heap is, because
  // startGC (go1.5.1 mgc.go) returns at once on g0, as gcStart (go1.21.0
  // mgc.go) does; the next allocation on a goroutine that finds the
  // trigger passed starts it. Calls do not nest.
  virtual void EnterSystemStack() = 0;
  virtual void LeaveSystemStack() = 0;
  // The program stores each object allocated between these two calls in a
  // global or heap slot (iface_test.go's `e = ts`): a pointer store
  // through the write barrier, which during a GC cycle's concurrent phase
  // shades the new object (go1.5.1 mbarrier.go writebarrierptr, mgcmark.go
  // gcmarkwb_m), so that cycle marks it even if the program drops it at
  // once. A heap whose cycles have no concurrent phase ignores it. Calls
  // do not nest.
  virtual void EnterWriteBarrierStores() = 0;
  virtual void LeaveWriteBarrierStores() = 0;
  // The program sets a finalizer on each object allocated between these
  // two calls (mfinal_test.go's `v := new(int); SetFinalizer(v, fin)`).
  // Go 1.5.1's sweep keeps such an object once it is unreachable and
  // queues its finalizer (mgcsweep.go mSpan_Sweep, mfinal.go
  // queuefinalizer); the queue is a root until runfinq has run it, so the
  // object is garbage only for a later cycle. A heap that does not model
  // finalizers ignores it. Calls do not nest.
  virtual void EnterFinalizerAllocs() = 0;
  virtual void LeaveFinalizerAllocs() = 0;
  // While entered, each object allocated and held is the next link of a
  // singly linked chain (a goroutine's defer records), which a GC marks
  // one link at a time: the Go 1.5 heap's cycles take longer for each link
  // held (mgc.h, kChainLinkMarkNs); a heap whose cycles take no time
  // ignores it. Calls do not nest.
  virtual void EnterChainLinks() = 0;
  virtual void LeaveChainLinks() = 0;
  // Go made a new M (newm: an m struct, its gsignal and g0 with their
  // stacks, kept for good) at the start (`at_cycle_end` false) or the end
  // of the `nth` background GC cycle to start from now on (1: the next).
  // When an M is made depends on Go's scheduler, which no port models: a
  // driver brings it from a recording (bench/workloads/go15_new_ms.h).
  // Requests queue, each counted from its own call. A heap that has no
  // such cycles ignores it.
  virtual void ArmNewM(int nth, bool at_cycle_end) = 0;
  virtual void DropHeldTo(size_t height) = 0;
  virtual absl::Status Drop(uintptr_t handle) = 0;
  // Distinct live object addresses.
  virtual size_t live_objects() const = 0;

  // Stacks with no goroutine, and goroutines (named by their allgs index).
  virtual absl::StatusOr<uintptr_t> NewStack(uintptr_t n, int p) = 0;
  virtual absl::Status FreeStack(uintptr_t lo, int p) = 0;
  virtual absl::StatusOr<size_t> NewGoroutine(int p) = 0;
  virtual absl::Status GrowGoroutine(size_t g, uintptr_t n, int p) = 0;
  virtual absl::Status ExitGoroutine(size_t g, int p) = 0;
  // How much of its stack goroutine g uses from now on (its depth plus the
  // stack check's room; 0: not known): Go 1.5's heap grows the stack on P
  // p to hold it (newstack) and its GCs shrink a stack used under a
  // quarter (shrinkstack); a heap whose gs have no frames ignores it.
  // `frame_bytes` (0: not stated): the use is a recursion of frames that
  // size, each of which Go 1.5's GC scan walks (GcModel::CycleNs).
  virtual absl::Status SetGoroutineStackUse(size_t g, uintptr_t bytes, uintptr_t frame_bytes,
                                            int p) = 0;
  // Goroutine g, from now on, works ops of `period_ns` each, every op a
  // recursion whose stack use rises evenly to `bytes` (then falls back):
  // Go 1.5's heap grows the stack to hold it, its GCs read the use where
  // the op is, and a stack they halve grows back as the world restarts; a
  // heap whose gs have no frames ignores it. `frame_bytes` as above.
  virtual absl::Status SetGoroutineStackRamp(size_t g, uintptr_t bytes, int64_t period_ns,
                                             uintptr_t frame_bytes, int p) = 0;

  // runtime.GC: returns the time it let pass on the clock, each moment
  // after set_clock(it), while the program waited for it (a running cycle's
  // end, then the stopped world); the runtime's background work due
  // meanwhile runs in time order, as RunUntil's does.
  virtual int64_t GC(const std::function<void(int64_t)>& set_clock) = 0;
  // runtime/debug.FreeOSMemory: runtime.GC, then a scavenge of everything
  // free. Returns the time it let pass on the clock, as GC does.
  virtual int64_t FreeOSMemory(const std::function<void(int64_t)>& set_clock) = 0;
  // runtime.ReadMemStats (testing's StartTimer and StopTimer call it): the
  // world stopped, every P's mcache and stack cache flushed. Returns the
  // time it let pass on the clock, as GC does.
  virtual int64_t ReadMemStats(const std::function<void(int64_t)>& set_clock) = 0;
  // Whether the program's last allocation left it waiting for a marking
  // cycle's end (an assist that could not pay, Go 1.5: GcModel::
  // program_waits_for_mark). No heap but Go 1.5's makes it wait.
  virtual bool ProgramWaitsForMark() const { return false; }
  // The wait: the clock runs, each moment after set_clock(it), until the
  // mark has ended and its stopped world restarted, the runtime's
  // background work due meanwhile in time order, as RunUntil's does.
  // Returns the time it let pass (0 when the program does not wait).
  virtual int64_t WaitForMark(const std::function<void(int64_t)>& set_clock) {
    (void)set_clock;
    return 0;
  }

  // The program computes (`idle` false) or sleeps until virtual time
  // `until`; the runtime's background work due before then runs in time
  // order, each action after set_clock(its time). Returns when the
  // program's time ends: `until`, or later when the runtime stopped the
  // world meanwhile (a computing program's work waits that long; a
  // sleeping one wakes no earlier than the world restarts).
  virtual int64_t RunUntil(int64_t until, bool idle,
                           const std::function<void(int64_t)>& set_clock) = 0;
  // The program is in a loop with no preemption point (a GC that needs to
  // stop the world waits for its end), and has left it.
  virtual void EnterLoopWithoutSafePoint() = 0;
  virtual void LeaveLoopWithoutSafePoint() = 0;
  // The program is in a loop whose only preemption points are its
  // allocations (its driver leaves the state above just before each one
  // and enters it again just after), and has left it: a GC cycle that one
  // of them starts can scan the goroutine's stack only at the next.
  virtual void EnterLoopWithSafePointsAtAllocs() = 0;
  virtual void LeaveLoopWithSafePointsAtAllocs() = 0;
  // The program is in a loop whose goroutines keep every P running and
  // never block or yield (RunParallel workers that only compute), and has
  // left it: a goroutine of the runtime's readied meanwhile waits for one
  // of them to be preempted.
  virtual void EnterLoopKeepingEveryPBusy() = 0;
  virtual void LeaveLoopKeepingEveryPBusy() = 0;
  // The workload's scheduler put `n` goroutines on the global run queue's
  // tail, or P `p` looked at it and took `n` from its head. A runtime that
  // readies its forced-GC goroutine there may time that GC by them; by
  // default they are ignored.
  virtual void GlobalRunqPut(int64_t n) { (void)n; }
  virtual void GlobalRunqGet(int p, int64_t n) {
    (void)p;
    (void)n;
  }
  // Called after each scavenger pass (may be empty).
  virtual void set_on_scavenge(std::function<void()> f) = 0;

  virtual HeapFigures Figures() const = 0;
  virtual const MadviseCounters& counters() const = 0;
};

}  // namespace thp

#endif  // THP_MHEAP_HEAP_RUNTIME_HEAP_RUNTIME_H_
