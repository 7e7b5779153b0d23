// The Go 1.21 port as a HeapRuntime: mheap/go121's Runtime (page allocator,
// page heap, object layer, background scavenger) with its own background
// work on the virtual clock (go121::Runtime::RunUntil).
//
// Differences from the Go 1.5 one a reader of its figures should know:
// Go 1.14+ preempts loops without function calls asynchronously, so such a
// loop does not hold back a GC; GODEBUG=scavenge=1 does not exist in 1.21
// (the background scavenger paces itself). GODEBUG=gctrace=1 writes Go
// 1.21's lines (mheap/go121/gctrace.h, which says how the instantaneous
// cycle's times print): each cycle's gc line and forcegchelper's "GC
// forced"; GODEBUG=scavtrace=1 printScavTrace's scav lines
// (go121::Runtime::set_scavtrace).
#ifndef THP_MHEAP_HEAP_RUNTIME_GO121_HEAP_RUNTIME_H_
#define THP_MHEAP_HEAP_RUNTIME_GO121_HEAP_RUNTIME_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <utility>

#include "mheap/go121/runtime.h"
#include "mheap/go15/sudog_cache.h"
#include "mheap/heap_runtime/forwarding_heap_runtime.h"
#include "mheap/heap_runtime/heap_runtime.h"
#include "scavenger/gctrace.h"

namespace thp {

class Go121HeapRuntime final : public ForwardingHeapRuntime<go121::Runtime> {
 public:
  // `start_ns` is the clock's time now (runtimeInitTime); `gctrace` and
  // `scavtrace` (may be null or empty; must outlive the runtime) receive
  // GODEBUG=gctrace=1's and scavtrace=1's lines.
  explicit Go121HeapRuntime(std::unique_ptr<go121::Runtime> rt, int64_t start_ns = 0,
                            const GcTraceWriter* gctrace = nullptr,
                            const GcTraceWriter* scavtrace = nullptr);

  HeapKind kind() const override { return HeapKind::kGo121; }
  // A sudog is a plain object of Go 1.5.1's sudog size (the suite's), made as
  // acquireSudog's new(sudog) is, under acquirem: it starts no cycle.
  absl::StatusOr<uintptr_t> AcquireSudog(int p) override {
    EnterSystemStack();
    absl::StatusOr<uintptr_t> s = rt_->Allocate(kSudogBytes, /*noscan=*/false, p);
    LeaveSystemStack();
    return s;
  }
  absl::Status ReleaseSudog(uintptr_t s, int p) override {
    (void)p;
    return rt_->Drop(s);
  }
  // From the first arena's base to the end of the arena the heap grows in.
  std::pair<uintptr_t, uintptr_t> ArenaRange() const override;
  // runtime.GC(): this port's cycles are instantaneous, so no time passes
  // (returns 0).
  int64_t GC(const std::function<void(int64_t)>& set_clock) override {
    (void)set_clock;
    rt_->GC();
    return 0;
  }
  int64_t ReadMemStats(const std::function<void(int64_t)>& set_clock) override {
    (void)set_clock;
    rt_->ReadMemStats();
    return 0;
  }
  // No time passes (its cycles are instantaneous): returns 0.
  int64_t FreeOSMemory(const std::function<void(int64_t)>& set_clock) override;
  int64_t RunUntil(int64_t until, bool idle, const std::function<void(int64_t)>& set_clock) override;
  // Asynchronous preemption (Go 1.14+) stops such a loop for a GC.
  void EnterLoopWithoutSafePoint() override {}
  void LeaveLoopWithoutSafePoint() override {}
  void EnterLoopWithSafePointsAtAllocs() override {}
  void LeaveLoopWithSafePointsAtAllocs() override {}
  // Ignored: this port's cycles are instantaneous and start at once, so
  // nothing of its runtime waits for a P.
  void EnterLoopKeepingEveryPBusy() override {}
  void LeaveLoopKeepingEveryPBusy() override {}
  // Ignored: this port's cycles have no concurrent phase, and its Ms are
  // left out (like its goroutines' stacks).
  void ArmNewM(int nth, bool at_cycle_end) override {
    (void)nth;
    (void)at_cycle_end;
  }
  void set_on_scavenge(std::function<void()> f) override { on_scavenge_ = std::move(f); }
  HeapFigures Figures() const override;


 private:
  // Calls on_scavenge_ once for each scavenger pass made since the last call.
  void ReportScavenges();

  std::function<void()> on_scavenge_;
  int64_t passes_reported_ = 0;
};

}  // namespace thp

#endif  // THP_MHEAP_HEAP_RUNTIME_GO121_HEAP_RUNTIME_H_
