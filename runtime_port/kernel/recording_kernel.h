// Test double: forwards every call to another Kernel and records it, so tests
// can pin the exact sequence of system calls a variant makes.
#ifndef THP_RUNTIME_PORT_KERNEL_RECORDING_KERNEL_H_
#define THP_RUNTIME_PORT_KERNEL_RECORDING_KERNEL_H_

#include <string>
#include <utility>
#include <vector>

#include "runtime_port/kernel/forwarding_kernel.h"
#include "runtime_port/kernel/kernel.h"

namespace thp {

struct KernelCall {
  enum Kind { kMmap, kMunmap, kMadvise, kTouch, kMadviseBatch } kind;
  uintptr_t addr = 0;
  uintptr_t len = 0;
  Advice advice = Advice::kDontNeed;  // kMadvise and kMadviseBatch
  uint32_t flags = 0;                 // kMmap only
  Prot prot = Prot::kNone;            // kMmap only
  int err = 0;                        // kMadviseBatch: the first failed range's
  std::vector<AddressRange> ranges = {};      // kMadviseBatch only
  std::vector<RangeError> range_errors = {};  // kMadviseBatch only
  int64_t syscalls = 0;               // kMadviseBatch only
  // MadviseCalls() only: this madvise is one range of a MadviseBatch.
  bool in_batch = false;

  friend bool operator==(const KernelCall& a, const KernelCall& b) {
    if (a.kind != b.kind || a.addr != b.addr || a.len != b.len) return false;
    if (a.kind == kMadvise) return a.advice == b.advice;
    if (a.kind != kMadviseBatch) return true;
    if (a.advice != b.advice || a.ranges.size() != b.ranges.size()) return false;
    for (size_t i = 0; i < a.ranges.size(); ++i) {
      if (a.ranges[i].lo != b.ranges[i].lo || a.ranges[i].hi != b.ranges[i].hi) return false;
    }
    return true;
  }
};
std::string KernelCallToString(const KernelCall& c);
void PrintTo(const KernelCall& c, std::ostream* os);

// Shorthands for expectations.
KernelCall MadviseCall(uintptr_t addr, uintptr_t len, Advice advice);
KernelCall MmapCall(uintptr_t addr, uintptr_t len);
KernelCall MunmapCall(uintptr_t addr, uintptr_t len);
// A MadviseBatch of `ranges` given as (start, length) pairs.
KernelCall MadviseBatchCall(const std::vector<std::pair<uintptr_t, uintptr_t>>& ranges,
                            Advice advice);

class RecordingKernel final : public ForwardingKernel {
 public:
  explicit RecordingKernel(Kernel& inner) : ForwardingKernel(inner) {}

  MmapResult Mmap(uintptr_t hint, uintptr_t len, Prot prot, uint32_t flags) override;
  int Munmap(uintptr_t addr, uintptr_t len) override;
  int Madvise(uintptr_t addr, uintptr_t len, Advice advice) override;
  int Touch(uintptr_t addr, uintptr_t len) override;
  BatchResult MadviseBatch(const std::vector<AddressRange>& ranges, Advice advice) override;

  // Every call through the seam, a MadviseBatch as one kMadviseBatch entry.
  const std::vector<KernelCall>& calls() const { return calls_; }
  // The advice each range got, in order: the madvise calls, with each
  // MadviseBatch written out as one kMadvise per range (in_batch set, err
  // that range's own), so that a variant that batches compares range by
  // range with one that does not.
  std::vector<KernelCall> MadviseCalls() const;
  void Clear() { calls_.clear(); }

 private:
  std::vector<KernelCall> calls_;
};

}  // namespace thp

#endif  // THP_RUNTIME_PORT_KERNEL_RECORDING_KERNEL_H_
