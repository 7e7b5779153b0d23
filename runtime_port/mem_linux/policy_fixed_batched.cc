// Variant "fixed_batched": the "fixed" policy (Go 1.5.2..1.20 sysUnused /
// sysUsed, commit 44078a3) with the MADV_DONTNEEDs of a scavenge pass sent
// together at the end of the pass in process_madvise(2) calls on the process
// itself, up to 1024 ranges a call (Linux 6.13+ takes any advice that way).
// Not a Go version: it measures what batching would save fixed's scavenger.
//
// Every flag call stays where fixed makes it, once per span and before the
// pass ends, so each range's NOHUGEPAGE still precedes its DONTNEED; only the
// DONTNEEDs move later. That changes nothing the kernel keeps: a DONTNEED
// zaps pages and never splits, merges or re-flags a VMA (nor forgets its
// anon_vma, which merging looks at), and the NOHUGEPAGE fixed sends on
// release only sets VMA flags, leaving pages (even a PMD-mapped huge page)
// where they are; so the VMA layout, residency and heap_released after the
// pass equal fixed's (scavenge_batch_test checks it on both kernels). Deferring is safe because nothing can reuse the
// memory before the pass ends: Go holds the heap lock for all of
// mHeap_Scavenge, and MemLinux dies if the heap asks for anything but a
// release inside a pass. Outside a pass (a sysUnused called on its own) the
// DONTNEED goes at once, as in fixed. On a kernel that refuses the batch the
// kernel seam falls back to one madvise per range and MemLinux says so once.
#include <vector>

#include "runtime_port/base/check.h"
#include "runtime_port/mem_linux/policies.h"

namespace thp {
namespace {

class FixedBatchedPolicy final : public HugePagePolicy {
 public:
  FixedBatchedPolicy() : fixed_(NewFixedPolicy()) {}

  absl::string_view Name() const override { return "fixed_batched"; }
  absl::string_view Mirrors() const override {
    return "Go 1.5.2-1.20 mem_linux.go (commit 44078a3), each scavenge pass's DONTNEEDs in "
           "process_madvise batches (Linux 6.13+)";
  }
  std::vector<Advice> Needs() const override { return fixed_->Needs(); }
  bool BeyondGo() const override { return true; }
  uintptr_t FlagGranularity() const override { return fixed_->FlagGranularity(); }

  void BeforeRelease(uintptr_t v, uintptr_t n, Advisor& a) const override {
    fixed_->BeforeRelease(v, n, a);
  }
  void OnReuse(uintptr_t v, uintptr_t n, Advisor& a) const override { fixed_->OnReuse(v, n, a); }

  void BeginScavengePass() override {
    THP_CHECK(!in_pass_ && pending_.empty(), "fixed_batched: a pass begun inside another");
    in_pass_ = true;
  }
  void Release(uintptr_t v, uintptr_t n, Advisor& a) override {
    if (!in_pass_) {
      a.Advise(v, n, Advice::kDontNeed);
      return;
    }
    pending_.push_back(AddressRange{v, v + n});
  }
  void EndScavengePass(Advisor& a) override {
    in_pass_ = false;
    a.AdviseBatch(pending_, Advice::kDontNeed);  // errors ignored, as in Go
    pending_.clear();  // keeps its capacity: later passes do not allocate
  }

 private:
  const std::unique_ptr<HugePagePolicy> fixed_;
  bool in_pass_ = false;
  std::vector<AddressRange> pending_;  // this pass's DONTNEEDs, in sysUnused order
};

}  // namespace

std::unique_ptr<HugePagePolicy> NewFixedBatchedPolicy() {
  return std::make_unique<FixedBatchedPolicy>();
}

}  // namespace thp
