// A Kernel that passes every call to another one unchanged: the base of the
// decorators that watch the runtime's calls (RecordingKernel in tests, the
// VMA census), which override only the calls they look at.
#ifndef THP_RUNTIME_PORT_KERNEL_FORWARDING_KERNEL_H_
#define THP_RUNTIME_PORT_KERNEL_FORWARDING_KERNEL_H_

#include <vector>

#include "runtime_port/kernel/kernel.h"

namespace thp {

class ForwardingKernel : public Kernel {
 public:
  explicit ForwardingKernel(Kernel& inner) : inner_(inner) {}

  absl::string_view Name() const override { return inner_.Name(); }
  bool Supports(Advice advice) const override { return inner_.Supports(advice); }
  MmapResult Mmap(uintptr_t hint, uintptr_t len, Prot prot, uint32_t flags) override {
    return inner_.Mmap(hint, len, prot, flags);
  }
  int Munmap(uintptr_t addr, uintptr_t len) override { return inner_.Munmap(addr, len); }
  int Madvise(uintptr_t addr, uintptr_t len, Advice advice) override {
    return inner_.Madvise(addr, len, advice);
  }
  int Touch(uintptr_t addr, uintptr_t len) override { return inner_.Touch(addr, len); }
  bool RangeUnmapped(uintptr_t addr, uintptr_t len) override {
    return inner_.RangeUnmapped(addr, len);
  }
  std::vector<Vma> Vmas(uintptr_t lo, uintptr_t hi) override { return inner_.Vmas(lo, hi); }
  int64_t MapCount() override { return inner_.MapCount(); }
  Residency ResidencyOf(uintptr_t lo, uintptr_t hi) override { return inner_.ResidencyOf(lo, hi); }
  uint64_t ResidentBytes(uintptr_t lo, uintptr_t hi) override {
    return inner_.ResidentBytes(lo, hi);
  }
  VmaTally TallyVmas(const std::vector<AddressRange>& ranges) override {
    return inner_.TallyVmas(ranges);
  }
  BatchResult MadviseBatch(const std::vector<AddressRange>& ranges, Advice advice) override {
    return inner_.MadviseBatch(ranges, advice);
  }

 protected:
  Kernel& inner_;
};

}  // namespace thp

#endif  // THP_RUNTIME_PORT_KERNEL_FORWARDING_KERNEL_H_
