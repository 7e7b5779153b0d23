#include "mheap/go121/mem_linux.h"

#include <cerrno>
#include <cstdio>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "mheap/go121/layout.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace go121 {

void HeapLock::Lock() {
  THP_CHECK(!held_, "mheap_.lock acquired while held (self-deadlock in Go)");
  held_ = true;
  ++acquisitions_;
  if (observer_ != nullptr) observer_->Acquired();
}

void HeapLock::Unlock() {
  THP_CHECK(held_, "mheap_.lock released while not held");
  if (observer_ != nullptr) observer_->Released();
  held_ = false;
}

void HeapLock::AssertHeld(const char* what) const {
  if (!held_) Throw(absl::StrCat("lock not held: ", what));
}

MemLinux::MemLinux(Kernel& kernel, std::unique_ptr<HugePagePolicy> policy, MemOptions options)
    : kernel_(kernel), policy_(std::move(policy)), options_(options) {}

bool MemLinux::LockHeld(AdviceSite site) const {
  return lock_ != nullptr ? lock_->held() : policy_->HeapLockHeld(site);
}

int MemLinux::Advise(uintptr_t addr, uintptr_t len, Advice advice) {
  const absl::Time start = absl::Now();
  const int err = kernel_.Madvise(addr, len, advice);
  counters_.Record(advice, site_, LockHeld(site_), len, err, absl::Now() - start);
  return err;
}

int MemLinux::AdviseBatch(const std::vector<AddressRange>& ranges, Advice advice) {
  // No Go 1.21 path batches; a policy that does is refused at construction.
  int first = 0;
  for (const AddressRange& r : ranges) {
    const int err = Advise(r.lo, r.hi - r.lo, advice);
    if (first == 0) first = err;
  }
  return first;
}

MmapResult MemLinux::Mmap(uintptr_t hint, uintptr_t len, Prot prot, uint32_t flags) {
  ++counters_.mmap_calls;
  // mmap takes any length and maps whole pages; the seam wants them whole.
  return kernel_.Mmap(hint, RoundUp(len, kOsPageSize), prot, flags);
}

uintptr_t MemLinux::SysAllocOS(uintptr_t n) {
  const MmapResult p = Mmap(0, n, Prot::kReadWrite, 0);
  if (observer_ != nullptr) observer_->OnSysAllocOS(p.err != 0 ? 0 : p.addr, n);
  if (p.err != 0) {
    if (p.err == EACCES) PrintAndExit2("runtime: mmap: access denied");
    if (p.err == EAGAIN) PrintAndExit2("runtime: mmap: too much locked memory (check 'ulimit -l').");
    return 0;
  }
  return p.addr;
}

uintptr_t MemLinux::SysAlloc(uintptr_t n, uint64_t* sys_stat) {
  // mem.go counts before it asks the OS, and does not take it back on failure.
  *sys_stat += n;
  mapped_ready_ += n;
  return SysAllocOS(n);
}

void MemLinux::SysUnused(uintptr_t v, uintptr_t n) {
  if (observer_ != nullptr) observer_->OnSysUnused(v, n);
  written_.Remove(v, v + n);
  mapped_ready_ -= n;
  if (v % kPhysPageSize != 0 || n % kPhysPageSize != 0) Throw("unaligned sysUnused");
  site_ = AdviceSite::kSysUnused;
  // A Go 1.5 variant run on this heap advises here first; the 1.21 ones do not.
  policy_->BeforeRelease(v, n, *this);
  if (!madvise_unsupported_) {
    if (Advise(v, n, Advice::kDontNeed) != 0) madvise_unsupported_ = true;
  }
  if (madvise_unsupported_) {
    // madvise is optional since Linux 3.18: replace the pages instead.
    Mmap(v, n, Prot::kReadWrite, kMapFixed);
  }
  if (options_.harddecommit) {
    const MmapResult p = Mmap(v, n, Prot::kNone, kMapFixed);
    if (p.err != 0 || p.addr != v) Throw("runtime: cannot disable permissions in address space");
  }
}

void MemLinux::SysUsed(uintptr_t v, uintptr_t n, uintptr_t prepared) {
  if (observer_ != nullptr) observer_->OnSysUsedPrepared(v, n, prepared);
  mapped_ready_ += prepared;
  if (options_.harddecommit) {
    written_.Remove(v, v + n);
    const MmapResult p = Mmap(v, n, Prot::kReadWrite, kMapFixed);
    if (p.err == ENOMEM) Throw("runtime: out of memory");
    if (p.err != 0 || p.addr != v) Throw("runtime: cannot remap pages in address space");
    return;
  }
  site_ = AdviceSite::kSysUsed;
  policy_->OnReuse(v, n, *this);  // a Go 1.5 variant's sysUsed; nothing for 1.21
}

void MemLinux::SysHugePage(uintptr_t v, uintptr_t n, AdviceSite site) {
  if (observer_ != nullptr) observer_->OnSysHugePage(v, n, site, /*huge=*/true);
  site_ = site;
  AdviseHugeInterior(v, n, *this);
}

void MemLinux::SysNoHugePage(uintptr_t v, uintptr_t n, AdviceSite site) {
  if (observer_ != nullptr) observer_->OnSysHugePage(v, n, site, /*huge=*/false);
  if (v % kPhysPageSize != 0) Throw("unaligned sysNoHugePageOS");
  site_ = site;
  Advise(v, n, Advice::kNoHugePage);
}

void MemLinux::SysFreeOS(uintptr_t v, uintptr_t n) {
  if (observer_ != nullptr) observer_->OnSysFreeOS(v, n);
  written_.Remove(v, v + n);
  ++counters_.munmap_calls;
  kernel_.Munmap(v, RoundUp(n, kOsPageSize));  // result ignored, as in Go
}

void MemLinux::SysFree(uintptr_t v, uintptr_t n, uint64_t* sys_stat) {
  *sys_stat -= n;
  mapped_ready_ -= n;
  SysFreeOS(v, n);
}

uintptr_t MemLinux::SysReserve(uintptr_t v, uintptr_t n) {
  const MmapResult p = Mmap(v, n, Prot::kNone, 0);
  const uintptr_t got = p.err != 0 ? 0 : p.addr;
  if (observer_ != nullptr) observer_->OnSysReserve(v, n, got, /*reserved=*/true);
  return got;
}

void MemLinux::SysMap(uintptr_t v, uintptr_t n, uint64_t* sys_stat) {
  if (observer_ != nullptr) observer_->OnSysMap(v, n, /*reserved=*/true);
  written_.Remove(v, v + n);
  *sys_stat += n;
  const uint32_t flags = kMapFixed | (options_.map_noreserve ? uint32_t{kMapNoReserve} : 0u);
  const MmapResult p = Mmap(v, n, Prot::kReadWrite, flags);
  if (p.err == ENOMEM) Throw("runtime: out of memory");
  if (p.err != 0 || p.addr != v) {
    std::fprintf(stderr, "runtime: mmap(%#lx, %lu) returned %#lx, %d\n",
                 static_cast<unsigned long>(v), static_cast<unsigned long>(n),
                 static_cast<unsigned long>(p.addr), p.err);
    Throw("runtime: cannot map pages in arena address space");
  }
  site_ = AdviceSite::kSysMap;
  policy_->AfterSysMap(v, n, *this);  // disablethp
}

void MemLinux::HeapGrown(uintptr_t base, uintptr_t size) {
  if (observer_ != nullptr) observer_->OnHeapGrown(base, size);
  site_ = AdviceSite::kHeapGrow;
  policy_->OnHeapGrow(base, size, *this);
}

void MemLinux::ChunkBecameDense(uintptr_t chunk, uint64_t npages) {
  if (observer_ != nullptr) observer_->OnChunkBecameDense(chunk, npages);
  site_ = AdviceSite::kChunkDense;
  policy_->OnChunkDense(chunk, npages, *this);
}

void MemLinux::BeforeChunkScavenge(uintptr_t chunk) {
  if (observer_ != nullptr) observer_->OnBeforeChunkScavenge(chunk);
  site_ = AdviceSite::kChunkScavenge;
  policy_->BeforeChunkScavenge(chunk, *this);
}

int MemLinux::Touch(uintptr_t v, uintptr_t n) {
  if (observer_ != nullptr) observer_->OnTouch(v, n);
  int first_err = 0;
  written_.ForEachGap(v, v + n, [&](uintptr_t lo, uintptr_t hi) {
    const int err = kernel_.Touch(lo, hi - lo);
    if (err != 0 && first_err == 0) first_err = err;
  });
  if (first_err == 0) written_.Add(v, v + n);
  return first_err;
}

absl::StatusOr<std::unique_ptr<MemLinux>> NewMemLinux(Kernel& kernel, absl::string_view variant,
                                                      MemOptions options) {
  absl::StatusOr<std::unique_ptr<HugePagePolicy>> policy = MakeHugePagePolicy(variant);
  if (!policy.ok()) return policy.status();
  if (variant == "fixed_batched") {
    return absl::InvalidArgumentError(
        "variant fixed_batched batches the DONTNEEDs of a Go 1.5 scavenge pass; the Go 1.21 "
        "heap has no such pass (it releases one page run at a time)");
  }
  for (Advice a : (*policy)->Needs()) {
    if (!kernel.Supports(a)) {
      return absl::FailedPreconditionError(absl::StrCat("variant ", variant, " needs MADV_",
                                                        AdviceName(a), ", which kernel ",
                                                        kernel.Name(), " does not have"));
    }
  }
  return std::make_unique<MemLinux>(kernel, *std::move(policy), options);
}

}  // namespace go121
}  // namespace thp
