// The part of a HeapRuntime that is the same for every heap: the workload's
// calls passed straight to the port's Runtime `R` (mheap/go15/runtime.h,
// mheap/go121/runtime.h), whose calls have the same names and contracts.
// Each heap's implementation adds its background work, figures and
// safe-point rule.
#ifndef THP_MHEAP_HEAP_RUNTIME_FORWARDING_HEAP_RUNTIME_H_
#define THP_MHEAP_HEAP_RUNTIME_FORWARDING_HEAP_RUNTIME_H_

#include <cstdint>
#include <memory>
#include <utility>

#include "mheap/heap_runtime/heap_runtime.h"

namespace thp {

template <typename R>
class ForwardingHeapRuntime : public HeapRuntime {
 public:
  absl::StatusOr<uintptr_t> Allocate(uintptr_t size, bool noscan, int p) override {
    return rt_->Allocate(size, noscan, p);
  }
  absl::Status AllocateTransient(uintptr_t size, bool noscan, int p) override {
    return rt_->AllocateTransient(size, noscan, p);
  }
  absl::StatusOr<int64_t> AllocateTransientRun(uintptr_t size, bool noscan, int p,
                                               int64_t count) override {
    return rt_->AllocateTransientRun(size, noscan, p, count);
  }
  absl::Status AllocateHeld(uintptr_t size, bool noscan, int p) override {
    return rt_->AllocateHeld(size, noscan, p);
  }
  size_t held_height() const override { return rt_->held_height(); }
  // Both ports' GcModel refuse to start a cycle from mallocgc while set
  // (their newproc1 sets it too).
  void EnterSystemStack() override { rt_->gc().set_on_system_stack(true); }
  void LeaveSystemStack() override { rt_->gc().set_on_system_stack(false); }
  void EnterWriteBarrierStores() override { rt_->gc().set_write_barrier_stores(true); }
  void LeaveWriteBarrierStores() override { rt_->gc().set_write_barrier_stores(false); }
  void EnterFinalizerAllocs() override { rt_->gc().set_finalizer_allocs(true); }
  void LeaveFinalizerAllocs() override { rt_->gc().set_finalizer_allocs(false); }
  void EnterChainLinks() override { rt_->set_chain_links(true); }
  void LeaveChainLinks() override { rt_->set_chain_links(false); }
  void DropHeldTo(size_t height) override { rt_->DropHeldTo(height); }
  absl::Status Drop(uintptr_t handle) override { return rt_->Drop(handle); }
  size_t live_objects() const override { return rt_->live_objects(); }
  absl::StatusOr<uintptr_t> NewStack(uintptr_t n, int p) override { return rt_->NewStack(n, p); }
  absl::Status FreeStack(uintptr_t lo, int p) override { return rt_->FreeStack(lo, p); }
  absl::StatusOr<size_t> NewGoroutine(int p) override { return rt_->NewGoroutine(p); }
  absl::Status GrowGoroutine(size_t g, uintptr_t n, int p) override {
    return rt_->GrowGoroutine(g, n, p);
  }
  absl::Status ExitGoroutine(size_t g, int p) override { return rt_->ExitGoroutine(g, p); }
  absl::Status SetGoroutineStackUse(size_t g, uintptr_t bytes, uintptr_t frame_bytes,
                                    int p) override {
    return rt_->SetGoroutineStackUse(g, bytes, frame_bytes, p);
  }
  absl::Status SetGoroutineStackRamp(size_t g, uintptr_t bytes, int64_t period_ns,
                                     uintptr_t frame_bytes, int p) override {
    return rt_->SetGoroutineStackRamp(g, bytes, period_ns, frame_bytes, p);
  }
  const MadviseCounters& counters() const override { return rt_->mem().counters(); }

  R& runtime() { return *rt_; }

 protected:
  explicit ForwardingHeapRuntime(std::unique_ptr<R> rt) : rt_(std::move(rt)) {}

  std::unique_ptr<R> rt_;
};

}  // namespace thp

#endif  // THP_MHEAP_HEAP_RUNTIME_FORWARDING_HEAP_RUNTIME_H_
