// The memory layer of the Go 1.21 heap: mem.go's state transitions (sysAlloc,
// sysReserve, sysMap, sysUsed, sysUnused, sysFree, sysHugePage,
// sysNoHugePage, with gcController.mappedReady and the sysMemStat counters)
// over mem_linux.go's OS functions, written once against the Kernel seam.
//
// The four go1.21 release states differ only in their huge-page advice, so
// the state is the HugePagePolicy this layer is built with, the same
// policies the drivers already name:
//   hugepage_eager  go1.21.0 = master 21ff9be0eb (the code of 8fa9e3b):
//                   sysHugePage on all memory pageAlloc.grow adds
//                   (HeapGrown), on a chunk that becomes dense
//                   (ChunkBecameDense), sysNoHugePage on a chunk still
//                   marked dense before scavengeOne releases from it
//                   (BeforeChunkScavenge);
//   collapse        go1.21.1-1.21.3 = 21ff9be0eb + 9f9bb26880 (cherry-picked
//                   into 1.21.1 as 06df3292a8, which the mirror lacks):
//                   sysHugePageCollapse on a chunk that becomes dense through
//                   an allocation of fewer than 512 of its pages; nothing
//                   else;
//   none            go1.21.4 = + 595deec3dd: no heap advice at all (the
//                   dense marks are kept and only steer the scavenger);
//   disablethp      go1.21.6 with GODEBUG=disablethp=1 = + c915215af6:
//                   sysNoHugePage on every range sysMapOS maps.
// What every state shares is here: sysUnusedOS is MADV_DONTNEED (madvdontneed
// defaults to 1 since Go 1.16; the MADV_FREE path is not modelled, the
// Kernel seam has no MADV_FREE), falling back to an mmap over the range if
// madvise fails (5ffdc1f15c); sysUsedOS does nothing unless harddecommit;
// sysHugePageOS rounds the range inward to huge pages; sysNoHugePageOS
// advises the exact range; sysReserveOS is a PROT_NONE mmap at the hint or
// wherever the kernel puts it; sysMapOS is a MAP_FIXED read-write mmap.
//
// The Go 1.5 variants (prefix, fixed) may be run on this heap too (their
// sysUnused advice before the DONTNEED, their sysUsed advice); fixed_batched
// may not: it batches the DONTNEEDs of a Go 1.5 scavenge pass, and this heap
// releases page runs one at a time with the heap lock dropped.
//
// Every madvise is counted with the heap lock's actual state at the call
// (the heap passes its HeapLock), not a per-site table.
#ifndef THP_MHEAP_GO121_MEM_LINUX_H_
#define THP_MHEAP_GO121_MEM_LINUX_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runtime_port/mem_linux/huge_page_policy.h"
#include "runtime_port/kernel/kernel.h"
#include "runtime_port/mem_linux/madvise_counters.h"
#include "runtime_port/mem_linux/mem_linux_observer.h"
#include "runtime_port/base/range_set.h"

namespace thp {
namespace go121 {

// Not a Go thing: sees every acquisition and release of the heap lock, so
// a driver can time how long it is held (bench/thp_cost's issue 63334
// workload). It observes only; the heap's decisions never depend on it.
class HeapLockObserver {
 public:
  virtual ~HeapLockObserver() = default;
  virtual void Acquired() = 0;  // called after the lock is taken
  virtual void Released() = 0;  // called before it is dropped
};

// mheap_.lock, as far as anyone but the heap needs to know: whether it is
// held. Acquire/release pairs are checked; the model is single-threaded, so
// a lock taken twice is a bug in the port.
class HeapLock {
 public:
  void Lock();
  void Unlock();
  bool held() const { return held_; }
  // assertLockHeld.
  void AssertHeld(const char* what) const;
  int64_t acquisitions() const { return acquisitions_; }
  // Sees every Lock/Unlock from here on (not owned; may be null; must
  // outlive the lock or be reset first). Observing is not part of the
  // lock's state, hence const.
  void set_observer(HeapLockObserver* o) const { observer_ = o; }

 private:
  bool held_ = false;
  int64_t acquisitions_ = 0;
  mutable HeapLockObserver* observer_ = nullptr;
};

struct MemOptions {
  // GODEBUG=harddecommit=1: sysUnused also remaps PROT_NONE and sysUsed
  // remaps read-write.
  bool harddecommit = false;
  // This project's option (as in the Go 1.5 layer): MAP_NORESERVE on sysMap,
  // for drivers that map more than the machine has. Changes no VMA decision.
  bool map_noreserve = false;
};

class MemLinux final : private Advisor {
 public:
  MemLinux(Kernel& kernel, std::unique_ptr<HugePagePolicy> policy, MemOptions options = {});
  MemLinux(const MemLinux&) = delete;
  MemLinux& operator=(const MemLinux&) = delete;

  // The heap whose lock the counters consult (nullptr: the policy's table).
  void set_heap_lock(const HeapLock* lock) { lock_ = lock; }
  // Sees every call from here on (not owned; may be null): the
  // memory-layer stream's recorder (runtime_port/memstream).
  void set_observer(MemLinuxObserver* o) { observer_ = o; }
  // Not a Go function: the program writes [v, v+n), memory the heap handed
  // it. A page written stays resident until the runtime releases it
  // (sysUnused) or maps or unmaps it again (sysMap, sysFreeOS, harddecommit's
  // remaps), so only pages written since none of these reach the kernel
  // (Kernel::Touch, one call per stretch), as in the Go 1.5 memory layer.
  // Returns the kernel's first errno (0 when nothing needed writing).
  int Touch(uintptr_t v, uintptr_t n);

  // sysAlloc: None -> Ready, kernel-chosen; 0 on ENOMEM. Adds n to
  // *sys_stat and to mappedReady.
  uintptr_t SysAlloc(uintptr_t n, uint64_t* sys_stat);
  // sysAllocOS: the same without any accounting (the arena map's L2).
  uintptr_t SysAllocOS(uintptr_t n);
  // sysUnused: Ready -> Prepared.
  void SysUnused(uintptr_t v, uintptr_t n);
  // sysUsed: Prepared -> Ready; `prepared` bytes of [v, v+n) were Prepared.
  void SysUsed(uintptr_t v, uintptr_t n, uintptr_t prepared);
  // sysHugePage / sysNoHugePage, made by the heap for its own metadata
  // (`site`) and by the policies through their hooks.
  void SysHugePage(uintptr_t v, uintptr_t n, AdviceSite site);
  void SysNoHugePage(uintptr_t v, uintptr_t n, AdviceSite site);
  // sysFree: any -> None.
  void SysFree(uintptr_t v, uintptr_t n, uint64_t* sys_stat);
  void SysFreeOS(uintptr_t v, uintptr_t n);
  // sysReserve: None -> Reserved, at v if the kernel gives it, else
  // wherever; 0 on failure. The caller checks where it landed.
  uintptr_t SysReserve(uintptr_t v, uintptr_t n);
  // sysMap: Reserved -> Prepared; adds n to *sys_stat.
  void SysMap(uintptr_t v, uintptr_t n, uint64_t* sys_stat);

  // The release-state-dependent advice of the page allocator.
  // pageAlloc.grow added [base, base+size).
  void HeapGrown(uintptr_t base, uintptr_t size);
  // scavengeIndex.alloc marked the chunk at `chunk` dense; the allocation
  // took `npages` of its pages.
  void ChunkBecameDense(uintptr_t chunk, uint64_t npages);
  // scavengeOne cleared the dense mark of the chunk at `chunk` and is about
  // to release pages of it (the heap lock is already dropped).
  void BeforeChunkScavenge(uintptr_t chunk);

  // gcController.mappedReady: bytes in the Ready state.
  uint64_t mapped_ready() const { return mapped_ready_; }
  const HugePagePolicy& policy() const { return *policy_; }
  const MadviseCounters& counters() const { return counters_; }
  Kernel& kernel() { return kernel_; }
  // True once sysUnused has fallen back to mmap (madvise failed).
  bool madvise_unsupported() const { return madvise_unsupported_; }

 private:
  int Advise(uintptr_t addr, uintptr_t len, Advice advice) override;
  int AdviseBatch(const std::vector<AddressRange>& ranges, Advice advice) override;
  bool LockHeld(AdviceSite site) const;
  MmapResult Mmap(uintptr_t hint, uintptr_t len, Prot prot, uint32_t flags);

  Kernel& kernel_;
  std::unique_ptr<HugePagePolicy> policy_;
  MemOptions options_;
  MadviseCounters counters_;
  const HeapLock* lock_ = nullptr;
  MemLinuxObserver* observer_ = nullptr;
  RangeSet written_;  // pages Touch wrote that are still resident
  AdviceSite site_ = AdviceSite::kSysUnused;
  uint64_t mapped_ready_ = 0;
  bool madvise_unsupported_ = false;
};

// The variant `variant` for the Go 1.21 heap on `kernel`: an error naming the
// value and the accepted names, or the advice the kernel lacks.
absl::StatusOr<std::unique_ptr<MemLinux>> NewMemLinux(Kernel& kernel, absl::string_view variant,
                                                      MemOptions options = {});

}  // namespace go121
}  // namespace thp

#endif  // THP_MHEAP_GO121_MEM_LINUX_H_
