// The port of Go's runtime/mem_linux.go (Go 1.5, linux/amd64): sysAlloc,
// sysReserve, sysMap, sysUnused, sysUsed, sysFree, sysFault, written once
// against the Kernel seam. What differs between Go versions, the huge-page
// advice, is delegated to a HugePagePolicy chosen at run time by name.
//
// Faithful in the failure paths too: madvise errors are ignored (Go 1.5's
// madvise stub discards them; the counters still see them); sysAlloc returns
// 0 on ENOMEM and prints-and-exits on EACCES/EAGAIN; sysMap throws
// "runtime: out of memory" on ENOMEM; sysFree dies if munmap fails (Go 1.5's
// stub faults at 0xf1).
//
// One deliberate option beyond Go: map_noreserve adds MAP_NORESERVE to
// sysMap, so the pessimal tool can map 128 GiB of address space on a 24 GiB
// machine. It changes no VMA decision (every arena mapping gets it alike).
#ifndef THP_RUNTIME_PORT_MEM_LINUX_MEM_LINUX_H_
#define THP_RUNTIME_PORT_MEM_LINUX_MEM_LINUX_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runtime_port/base/range_set.h"
#include "runtime_port/mem_linux/huge_page_policy.h"
#include "runtime_port/mem_linux/mem_linux_observer.h"
#include "runtime_port/kernel/kernel.h"
#include "runtime_port/mem_linux/madvise_counters.h"

namespace thp {


struct MemLinuxOptions {
  bool map_noreserve = false;
};

class MemLinux final : private Advisor {
 public:
  MemLinux(Kernel& kernel, std::unique_ptr<HugePagePolicy> policy,
           MemLinuxOptions options = MemLinuxOptions());

  // Mirrors sysAlloc, Go 1.5: kernel-chosen read-write memory; 0 on failure.
  uintptr_t SysAlloc(uintptr_t n, uint64_t* sys_stat);
  // Mirrors sysReserve, Go 1.5: above 4 GiB only probes 64 KiB at v and
  // reserves nothing (*reserved = false); 0 if v is not available.
  uintptr_t SysReserve(uintptr_t v, uintptr_t n, bool* reserved);
  // Mirrors sysMap, Go 1.5: maps [v, v+n) read-write or throws.
  void SysMap(uintptr_t v, uintptr_t n, bool reserved, uint64_t* sys_stat);
  // Mirrors sysUnused, Go 1.5 (the policy's advice, then MADV_DONTNEED).
  void SysUnused(uintptr_t v, uintptr_t n);
  // Mirrors sysUsed, Go 1.5 (the policy's advice).
  void SysUsed(uintptr_t v, uintptr_t n);
  // Mirrors sysFree, Go 1.5.
  void SysFree(uintptr_t v, uintptr_t n, uint64_t* sys_stat);
  // Mirrors sysFault, Go 1.5: remaps [v, v+n) PROT_NONE.
  void SysFault(uintptr_t v, uintptr_t n);

  // Not a Go function: the program's first writes to [v, v+n), which the
  // heap just handed out (a span), made through here so that an observer
  // sees them in order with the calls above (the memory-layer stream,
  // runtime_port/memstream). A page written stays resident until the
  // runtime releases it (sysUnused's DONTNEED) or unmaps it (sysFree,
  // sysFault, a new sysMap), so only the pages written since none of these
  // reach the kernel (Kernel::Touch, one call per such stretch); writing a
  // resident page again would change nothing the kernel shows. Returns the
  // kernel's first errno (0 when nothing needed writing).
  int Touch(uintptr_t v, uintptr_t n);

  // Hooks for the heap's Go 1.21 chunk bookkeeping (no-ops for the Go 1.5
  // variants); see huge_page_policy.h.
  void HeapGrown(uintptr_t v, uintptr_t n);
  void ChunkBecameDense(uintptr_t chunk, uint64_t alloc_pages);
  void BeforeChunkScavenge(uintptr_t chunk);

  // The heap's scavenge pass begins / ends; MHeap::Scavenge calls these for
  // every variant (fixed_batched sends the pass's DONTNEEDs at the end).
  // Between them only SysUnused and BeforeChunkScavenge may be called, and
  // dies otherwise: Go runs the whole pass under the heap lock
  // (mHeap_Scavenge), so no span is reused, mapped or freed while a
  // released one waits for its DONTNEED, and deferring it is unobservable.
  void BeginScavengePass();
  void EndScavengePass();
  bool in_scavenge_pass() const { return in_pass_; }

  // At most one observer; nullptr (the default) for none.
  void set_observer(MemLinuxObserver* o) { observer_ = o; }

  const HugePagePolicy& policy() const { return *policy_; }
  const MadviseCounters& counters() const { return counters_; }
  Kernel& kernel() { return kernel_; }

 private:
  int Advise(uintptr_t addr, uintptr_t len, Advice advice) override;
  int AdviseBatch(const std::vector<AddressRange>& ranges, Advice advice) override;
  // Dies if a scavenge pass is open (see BeginScavengePass).
  void CheckOutsidePass(const char* what) const;
  // Mirrors mmap_fixed, Go 1.5: mmap at the hint, and if the kernel put it
  // elsewhere while [v, v+n) is free, again with MAP_FIXED.
  MmapResult MmapFixed(uintptr_t v, uintptr_t n, Prot prot);

  Kernel& kernel_;
  std::unique_ptr<HugePagePolicy> policy_;
  MemLinuxOptions options_;
  MadviseCounters counters_;
  // The entry point now running, which the counters file each call under.
  AdviceSite site_ = AdviceSite::kSysUnused;
  bool in_pass_ = false;
  int64_t pass_start_syscalls_ = 0;
  MemLinuxObserver* observer_ = nullptr;
  // What the program has written and the runtime has not released or
  // unmapped since.
  RangeSet written_;
};

// Builds the variant `variant` on `kernel`; an error naming the variant and
// the missing advice if the kernel cannot run it (try_collapse on Linux).
absl::StatusOr<std::unique_ptr<MemLinux>> NewMemLinux(Kernel& kernel, absl::string_view variant,
                                                      MemLinuxOptions options = MemLinuxOptions());

}  // namespace thp

#endif  // THP_RUNTIME_PORT_MEM_LINUX_MEM_LINUX_H_
