// Test double: forwards every call to another Kernel and records it, so tests
// can pin the exact sequence of system calls a variant makes.
#ifndef THP_RUNTIME_PORT_RECORDING_KERNEL_H_
#define THP_RUNTIME_PORT_RECORDING_KERNEL_H_

#include <string>
#include <vector>

#include "runtime_port/forwarding_kernel.h"
#include "runtime_port/kernel.h"

namespace thp {

struct KernelCall {
  enum Kind { kMmap, kMunmap, kMadvise, kTouch } kind;
  uintptr_t addr = 0;
  uintptr_t len = 0;
  Advice advice = Advice::kDontNeed;  // kMadvise only
  uint32_t flags = 0;                 // kMmap only
  Prot prot = Prot::kNone;            // kMmap only
  int err = 0;

  friend bool operator==(const KernelCall& a, const KernelCall& b) {
    return a.kind == b.kind && a.addr == b.addr && a.len == b.len &&
           (a.kind != kMadvise || a.advice == b.advice);
  }
};
std::string KernelCallToString(const KernelCall& c);
void PrintTo(const KernelCall& c, std::ostream* os);

// Shorthands for expectations.
KernelCall MadviseCall(uintptr_t addr, uintptr_t len, Advice advice);
KernelCall MmapCall(uintptr_t addr, uintptr_t len);
KernelCall MunmapCall(uintptr_t addr, uintptr_t len);

class RecordingKernel final : public ForwardingKernel {
 public:
  explicit RecordingKernel(Kernel& inner) : ForwardingKernel(inner) {}

  MmapResult Mmap(uintptr_t hint, uintptr_t len, Prot prot, uint32_t flags) override;
  int Munmap(uintptr_t addr, uintptr_t len) override;
  int Madvise(uintptr_t addr, uintptr_t len, Advice advice) override;
  int Touch(uintptr_t addr, uintptr_t len) override;

  const std::vector<KernelCall>& calls() const { return calls_; }
  // Only the madvise calls, in order.
  std::vector<KernelCall> MadviseCalls() const;
  void Clear() { calls_.clear(); }

 private:
  std::vector<KernelCall> calls_;
};

}  // namespace thp

#endif  // THP_RUNTIME_PORT_RECORDING_KERNEL_H_
