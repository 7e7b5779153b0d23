// The VMA census: a Kernel that forwards every call unchanged to another one
// and, after each call that can change the process's mappings (mmap, munmap,
// madvise other than DONTNEED, whether it succeeded or not: a refused
// madvise may have split once already), counts the VMAs again. Only these
// calls change the runtime's mappings, so the maxima are exact, not
// sampled. MADV_DONTNEED zaps pages and never splits, merges or re-flags a
// VMA (it is one of the advices madvise runs under the mmap read lock), so
// a single DONTNEED is not counted after, and a batch of them is counted
// once, after the batch (no count inside it can differ from the one after
// it; the batch's count stays, as the one place a process_madvise is seen). A batch of any other advice goes to the inner
// kernel one madvise per range with a count after each, since flag changes
// can split and merge again within one process_madvise call.
//
// Exact by default. A driver that runs to vm.max_map_count (65,530 VMAs,
// where one /proc/self/maps read takes milliseconds) may turn the per-call
// recount off and call Observe() at the moments it reports; the maxima are
// then maxima over those moments only.
//
// Three counts:
//  - process: the whole process's map_count, what vm.max_map_count limits;
//  - own: VMAs overlapping any range the runtime has mapped through this
//    kernel and not unmapped (its reservation, arena, persistentalloc
//    chunks), each counted once;
//  - go_equivalent: own plus the VMAs a static Go 1.5 linux/amd64 binary has
//    before its heap exists (kGoStaticBinaryVmas): the map_count Go's own
//    runtime.test would have, the number to set beside the real runs that
//    tools/vma_peak and tools/vma_watch measure, and beside Go's 692 and 49.
#ifndef THP_RUNTIME_PORT_KERNEL_CENSUS_KERNEL_H_
#define THP_RUNTIME_PORT_KERNEL_CENSUS_KERNEL_H_

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "runtime_port/base/range_set.h"
#include "runtime_port/kernel/forwarding_kernel.h"
#include "runtime_port/kernel/kernel.h"

namespace thp {

// text, rodata, data, bss, stack, vvar, vvar_vclock, vdso: Go 1.5.1's static
// runtime.test at exec, as mm->map_count counts them (tools/vma_peak's
// first sample, testdata/go151_real). /proc/<pid>/maps lists a ninth line,
// [vsyscall], which is a gate area and not a VMA (map_count = lines - 1).
// Replaying Go's recorded heap history through the port (real_replay) then
// gives exactly the maximum vma_peak measured during that very run.
inline constexpr int64_t kGoStaticBinaryVmas = 8;

struct CensusPoint {
  int64_t t_ns = 0;     // the census clock when the counts changed
  int64_t process = 0;
  int64_t own = 0;
};

class CensusKernel final : public ForwardingKernel {
 public:
  // `now` is the clock the series is stamped with (virtual time).
  CensusKernel(Kernel& inner, std::function<int64_t()> now);

  MmapResult Mmap(uintptr_t hint, uintptr_t len, Prot prot, uint32_t flags) override;
  int Munmap(uintptr_t addr, uintptr_t len) override;
  int Madvise(uintptr_t addr, uintptr_t len, Advice advice) override;
  BatchResult MadviseBatch(const std::vector<AddressRange>& ranges, Advice advice) override;

  // Counts again now (the driver calls this once at the start).
  void Observe();
  // Whether mmap, munmap and madvise recount (true unless turned off).
  void set_recount_every_call(bool on) { recount_every_call_ = on; }
  bool recount_every_call() const { return recount_every_call_; }
  // Called from Observe() each time the runtime-own count passes its
  // previous maximum (for pictures of the peak; the hook may read the
  // kernel but must not change mappings).
  void set_on_new_max(std::function<void()> f) { on_new_max_ = std::move(f); }

  int64_t max_process() const { return max_process_; }
  int64_t max_own() const { return max_own_; }
  int64_t max_go_equivalent() const { return max_own_ + kGoStaticBinaryVmas; }
  // The most VMAs the runtime's own ranges had beyond one per range: what
  // flag changes split (0 for a variant that never changes a flag).
  int64_t max_splits() const { return max_splits_; }
  const CensusPoint& current() const { return current_; }
  // One point per change of either count, in call order.
  const std::vector<CensusPoint>& series() const { return series_; }
  // The runtime's mapped ranges, sorted and disjoint.
  const std::vector<AddressRange>& owned() const { return owned_list_; }
  int64_t observations() const { return observations_; }

 private:
  void AddOwned(uintptr_t lo, uintptr_t hi);
  void RemoveOwned(uintptr_t lo, uintptr_t hi);
  void RebuildList();

  std::function<int64_t()> now_;
  RangeSet owned_;
  std::vector<AddressRange> owned_list_;
  CensusPoint current_;
  std::vector<CensusPoint> series_;
  int64_t max_process_ = 0;
  int64_t max_own_ = 0;
  int64_t max_splits_ = 0;
  int64_t observations_ = 0;
  bool recount_every_call_ = true;
  std::function<void()> on_new_max_;
};

}  // namespace thp

#endif  // THP_RUNTIME_PORT_KERNEL_CENSUS_KERNEL_H_
