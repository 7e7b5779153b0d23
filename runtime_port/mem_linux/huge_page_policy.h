// The huge-page policy of a memory-layer variant: which MADV_HUGEPAGE,
// MADV_NOHUGEPAGE or MADV_COLLAPSE advice the runtime sends, on which range,
// at which moment. One small class per variant; MemLinux (the mem_linux.go
// port) calls the hooks, the heap never sees which variant runs.
//
// Variants, each with the Go commit that brought it (Go's runtime/mem_linux.go
// sysUnused/sysUsed up to Go 1.20, runtime/mgcscavenge.go from Go 1.21):
//   none            Go 1.4 (runtime/mem_linux.c, SysUnused), and Go 1.21.4+
//                   for the heap (595deec, golang/go#63334): DONTNEED only.
//   prefix          Go 1.5.0/1.5.1 (7e1b61c): NOHUGEPAGE on the exact released
//                   range unless it is 2 MiB aligned in start and length;
//                   HUGEPAGE on the exact range on reuse.
//   fixed           Go 1.5.2..1.20 (44078a3): NOHUGEPAGE only on the huge pages
//                   holding unaligned ends (one 4 MiB call when adjacent);
//                   HUGEPAGE on the aligned interior on reuse.
//   fixed_batched   fixed, with the DONTNEEDs of a scavenge pass held until
//                   the pass ends and sent in process_madvise batches
//                   (Linux 6.13+; one madvise each on older kernels). Not a
//                   Go version: what batching would save fixed.
//   hugepage_eager  Go 1.21.0 (8fa9e3b): HUGEPAGE on the aligned interior of new
//                   heap memory and on 4 MiB chunks that become dense;
//                   NOHUGEPAGE on a dense-marked chunk before it is scavenged.
//   collapse        Go 1.21.1..1.21.3 (9f9bb26): MADV_COLLAPSE on a chunk that
//                   becomes dense through an allocation smaller than a chunk.
//   try_collapse    The 2024 MADV_TRY_COLLAPSE proposal in place of COLLAPSE
//                   (simulated kernel only: it never reached Linux).
//   disablethp      Go 1.21.6+/1.22 with GODEBUG=disablethp=1 (c915215):
//                   NOHUGEPAGE on every range the runtime maps.
// The chunk-density hooks need the heap's per-chunk bookkeeping, and the
// scavenge-pass hooks the heap's pass; MemLinux exposes them for the heap to
// call, for every variant alike.
#ifndef THP_RUNTIME_PORT_MEM_LINUX_HUGE_PAGE_POLICY_H_
#define THP_RUNTIME_PORT_MEM_LINUX_HUGE_PAGE_POLICY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runtime_port/kernel/kernel.h"

namespace thp {

// Go 1.21's page-allocator chunk: 512 pages of 8 KiB.
inline constexpr uintptr_t kPallocChunkBytes = uintptr_t{4} << 20;
inline constexpr uint64_t kPallocChunkPages = 512;
// scavChunkHiOccPages: uint16(0.96875 * 512).
inline constexpr uint64_t kScavChunkHiOccPages = 496;

// Where in the runtime an madvise call is made: the MemLinux entry point (and
// so the policy hook) it came from.
enum class AdviceSite : uint8_t {
  kSysUnused,      // sysUnused: BeforeRelease's advice and the DONTNEED
  kSysUsed,        // sysUsed: OnReuse
  kSysMap,         // sysMap: AfterSysMap
  kHeapGrow,       // OnHeapGrow
  kChunkDense,     // OnChunkDense
  kChunkScavenge,  // BeforeChunkScavenge
  // The Go 1.21 heap's own GC-metadata advice, the same in every variant:
  // NOHUGEPAGE on the arena map and page-bitmap blocks, HUGEPAGE on them
  // once the heap goal passes 1 GiB (1f9d80e33165).
  kMetadata,
};
inline constexpr int kNumAdviceSites = 7;
// "sysUnused", "sysUsed", "sysMap", "grow", "dense", "scavenge", "metadata".
absl::string_view AdviceSiteName(AdviceSite site);

// Where a policy sends its advice; MemLinux counts and times every call.
class Advisor {
 public:
  virtual ~Advisor() = default;
  // Returns the errno; the runtime ignores it, the counters do not.
  virtual int Advise(uintptr_t addr, uintptr_t len, Advice advice) = 0;
  // `advice` on each range, in as few system calls as the kernel allows
  // (Kernel::MadviseBatch); returns the first failed range's errno.
  virtual int AdviseBatch(const std::vector<AddressRange>& ranges, Advice advice) = 0;
};

class HugePagePolicy {
 public:
  virtual ~HugePagePolicy() = default;

  virtual absl::string_view Name() const = 0;
  // The Go version and commit this variant mirrors.
  virtual absl::string_view Mirrors() const = 0;
  // Advices the variant sends besides DONTNEED (the kernel must support them).
  virtual std::vector<Advice> Needs() const = 0;
  // The granularity at which the variant changes VMA flags (8 KiB for prefix,
  // 2 MiB for fixed, 4 MiB for the chunk-based ones); 0 if it never does.
  virtual uintptr_t FlagGranularity() const = 0;
  // True for this project's own variants, which mirror no Go release
  // (fixed_batched); drivers leave them out of their default "go" set.
  virtual bool BeyondGo() const { return false; }
  // True for the variants that need the heap's chunk-density bookkeeping.
  virtual bool TracksChunkDensity() const { return false; }

  // sysUnused(v, n): advice sent before the DONTNEED of [v, v+n).
  virtual void BeforeRelease(uintptr_t /*v*/, uintptr_t /*n*/, Advisor& /*a*/) const {}
  // sysUnused(v, n), after BeforeRelease: the MADV_DONTNEED itself, sent at
  // once unless the variant holds it until the scavenge pass ends.
  virtual void Release(uintptr_t v, uintptr_t n, Advisor& a) { a.Advise(v, n, Advice::kDontNeed); }
  // The heap's scavenge pass begins / ends: every sysUnused of one
  // mHeap_Scavenge (all of it under the heap lock in Go) lies in between.
  virtual void BeginScavengePass() {}
  virtual void EndScavengePass(Advisor& /*a*/) {}
  // sysUsed(v, n).
  virtual void OnReuse(uintptr_t /*v*/, uintptr_t /*n*/, Advisor& /*a*/) const {}
  // After sysMap mapped [v, v+n) read-write.
  virtual void AfterSysMap(uintptr_t /*v*/, uintptr_t /*n*/, Advisor& /*a*/) const {}
  // The heap grew by the new memory [v, v+n).
  virtual void OnHeapGrow(uintptr_t /*v*/, uintptr_t /*n*/, Advisor& /*a*/) const {}
  // The chunk at `chunk` crossed kScavChunkHiOccPages pages in use through an
  // allocation that took `alloc_pages` of its pages (the chunk's share, as
  // Go's allocRange passes it to scavengeIndex.alloc).
  virtual void OnChunkDense(uintptr_t /*chunk*/, uint64_t /*alloc_pages*/,
                            Advisor& /*a*/) const {}
  // The scavenger is about to release pages of a chunk still marked dense.
  virtual void BeforeChunkScavenge(uintptr_t /*chunk*/, Advisor& /*a*/) const {}

  // Whether the Go version this variant mirrors holds the heap lock
  // (mheap_.lock) while it makes the madvise calls of `site`; a call made
  // there stalls every goroutine that allocates pages meanwhile (issue
  // 63334). The default is Go 1.5's heap (1.5.0 to 1.5.2 alike):
  // mHeap_AllocSpanLocked calls sysUsed, mHeap_Grow calls sysMap through
  // mHeap_SysAlloc, and mHeap_Scavenge calls sysUnused for every span, all
  // between lock(&h.lock) and unlock(&h.lock).
  virtual bool HeapLockHeld(AdviceSite /*site*/) const { return true; }
};

// MADV_HUGEPAGE on the whole huge pages inside [v, v+n), if any: the
// sysUsed rule of Go 1.5.2+ and Go 1.12+'s sysHugePage.
void AdviseHugeInterior(uintptr_t v, uintptr_t n, Advisor& a);

// All variant names, in the order of the table above.
std::vector<std::string> HugePagePolicyNames();

// The variant called `name`; an InvalidArgument error naming the value and
// the accepted names otherwise.
absl::StatusOr<std::unique_ptr<HugePagePolicy>> MakeHugePagePolicy(absl::string_view name);

}  // namespace thp

#endif  // THP_RUNTIME_PORT_MEM_LINUX_HUGE_PAGE_POLICY_H_
