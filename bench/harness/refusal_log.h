// What the kernel refused, for the vm.max_map_count crash report (issue
// 12233): a forwarding Kernel that notes every failed mmap, munmap and
// madvise as it passes. The runtime ignores madvise failures (Go 1.5's
// madvise stub discards the errno), so at the limit the refused splits go
// unnoticed; this log is how the report can still name them, and the first
// one's moment, next to the mmap whose refusal was fatal.
#ifndef THP_BENCH_HARNESS_REFUSAL_LOG_H_
#define THP_BENCH_HARNESS_REFUSAL_LOG_H_

#include <cstdint>
#include <functional>
#include <string>

#include "runtime_port/kernel/forwarding_kernel.h"

namespace thp {

// A call the kernel refused. Named apart from the recording kernel's
// KernelCall (runtime_port/kernel/recording_kernel.h), which any call can be.
struct RefusedCall {
  std::string op;  // "mmap", "munmap" or "madvise(<ADVICE>)"
  uintptr_t addr = 0;
  uintptr_t len = 0;
  uint32_t flags = 0;  // mmap only (kMapFixed, kMapNoReserve)
  int err = 0;
  int64_t t_ns = 0;
  int64_t map_count = -1;  // the process's map_count just after, if taken
};
// "mmap(0xc820000000, 1048576, MAP_FIXED) = ENOMEM at t=1.234s"
std::string RefusedCallToString(const RefusedCall& c);

class RefusalLog final : public ForwardingKernel {
 public:
  RefusalLog(Kernel& inner, std::function<int64_t()> now);

  MmapResult Mmap(uintptr_t hint, uintptr_t len, Prot prot, uint32_t flags) override;
  int Munmap(uintptr_t addr, uintptr_t len) override;
  int Madvise(uintptr_t addr, uintptr_t len, Advice advice) override;

  // madvise calls that change a flag and were refused with EAGAIN: a split
  // the VMA limit did not allow (split_vma's ENOMEM, which mm/madvise.c turns
  // into EAGAIN on Linux 6.x in madvise_vma_behavior as 2015 kernels did in
  // madvise_behavior; ENOMEM means the range ran into a hole, which is not
  // counted).
  int64_t refused_splits() const { return refused_splits_; }
  // The first of them (op empty if none), with map_count then.
  const RefusedCall& first_refused_split() const { return first_refused_split_; }
  int64_t refused_mmaps() const { return refused_mmaps_; }
  // The last failed mmap or munmap (op empty if none).
  const RefusedCall& last_refused_map() const { return last_refused_map_; }

 private:
  RefusedCall Note(std::string op, uintptr_t addr, uintptr_t len, uint32_t flags, int err);

  std::function<int64_t()> now_;
  int64_t refused_splits_ = 0;
  int64_t refused_mmaps_ = 0;
  RefusedCall first_refused_split_;
  RefusedCall last_refused_map_;
};

}  // namespace thp

#endif  // THP_BENCH_HARNESS_REFUSAL_LOG_H_
