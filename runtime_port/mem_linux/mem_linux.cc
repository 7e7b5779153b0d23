#include "runtime_port/mem_linux/mem_linux.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "runtime_port/base/check.h"

namespace thp {

MemLinux::MemLinux(Kernel& kernel, std::unique_ptr<HugePagePolicy> policy,
                   MemLinuxOptions options)
    : kernel_(kernel), policy_(std::move(policy)), options_(options) {}

namespace {

// Once per process, however many MemLinux instances meet the refusal.
void NoticeBatchRefusedOnce(absl::string_view variant, absl::string_view kernel, Advice advice,
                            int err) {
  static std::atomic<bool> printed{false};
  if (printed.exchange(true)) return;
  absl::FPrintF(stderr,
                "notice: %s: kernel %s refused process_madvise(MADV_%s) on this process with %s "
                "(Linux 6.13+ takes it); sending one madvise per range instead\n",
                variant, kernel, AdviceName(advice), ErrnoName(err));
}

}  // namespace

int MemLinux::Advise(uintptr_t addr, uintptr_t len, Advice advice) {
  const absl::Time start = absl::Now();
  const int err = kernel_.Madvise(addr, len, advice);
  const absl::Duration took = absl::Now() - start;
  counters_.Record(advice, site_, policy_->HeapLockHeld(site_), len, err, took);
  if (observer_ != nullptr) observer_->OnMadvise(addr, len, advice, err);
  return err;
}

int MemLinux::AdviseBatch(const std::vector<AddressRange>& ranges, Advice advice) {
  if (ranges.empty()) return 0;
  const absl::Time start = absl::Now();
  const BatchResult r = kernel_.MadviseBatch(ranges, advice);
  counters_.RecordBatch(advice, site_, policy_->HeapLockHeld(site_), ranges, r,
                        absl::Now() - start);
  if (r.refused != 0) NoticeBatchRefusedOnce(policy_->Name(), kernel_.Name(), advice, r.refused);
  if (observer_ != nullptr) {
    size_t next_error = 0;
    for (size_t i = 0; i < ranges.size(); ++i) {
      int err = 0;
      if (next_error < r.errors.size() && r.errors[next_error].index == i) {
        err = r.errors[next_error++].err;
      }
      observer_->OnMadvise(ranges[i].lo, ranges[i].hi - ranges[i].lo, advice, err);
    }
  }
  return r.err();
}

void MemLinux::CheckOutsidePass(const char* what) const {
  THP_CHECK(!in_pass_, absl::StrCat(what, " inside a scavenge pass: Go holds the heap lock "
                                          "for the whole pass, and a deferred DONTNEED would "
                                          "land after it"));
}

void MemLinux::BeginScavengePass() {
  THP_CHECK(!in_pass_, "a scavenge pass begun inside another");
  if (observer_ != nullptr) observer_->OnScavengePass(/*begin=*/true);
  in_pass_ = true;
  ++counters_.scavenge_passes;
  pass_start_syscalls_ = counters_.syscalls;
  policy_->BeginScavengePass();
}

void MemLinux::EndScavengePass() {
  THP_CHECK(in_pass_, "a scavenge pass ended that was not begun");
  if (observer_ != nullptr) observer_->OnScavengePass(/*begin=*/false);
  site_ = AdviceSite::kSysUnused;  // the pass's deferred releases
  policy_->EndScavengePass(*this);
  in_pass_ = false;
  counters_.scavenge_pass_syscalls += counters_.syscalls - pass_start_syscalls_;
}

void MemLinux::HeapGrown(uintptr_t v, uintptr_t n) {
  CheckOutsidePass("heap growth");
  if (observer_ != nullptr) observer_->OnHeapGrown(v, n);
  site_ = AdviceSite::kHeapGrow;
  policy_->OnHeapGrow(v, n, *this);
}

void MemLinux::ChunkBecameDense(uintptr_t chunk, uint64_t alloc_pages) {
  CheckOutsidePass("an allocation");
  if (observer_ != nullptr) observer_->OnChunkBecameDense(chunk, alloc_pages);
  site_ = AdviceSite::kChunkDense;
  policy_->OnChunkDense(chunk, alloc_pages, *this);
}

void MemLinux::BeforeChunkScavenge(uintptr_t chunk) {
  if (observer_ != nullptr) observer_->OnBeforeChunkScavenge(chunk);
  site_ = AdviceSite::kChunkScavenge;
  policy_->BeforeChunkScavenge(chunk, *this);
}

MmapResult MemLinux::MmapFixed(uintptr_t v, uintptr_t n, Prot prot) {
  const uint32_t flags = options_.map_noreserve ? uint32_t{kMapNoReserve} : 0u;
  ++counters_.mmap_calls;
  MmapResult p = kernel_.Mmap(v, n, prot, flags);
  if ((p.err != 0 || p.addr != v) && kernel_.RangeUnmapped(v, n)) {
    if (p.err == 0) {
      ++counters_.munmap_calls;
      kernel_.Munmap(p.addr, n);
    }
    ++counters_.mmap_calls;
    p = kernel_.Mmap(v, n, prot, flags | kMapFixed);
  }
  return p;
}

uintptr_t MemLinux::SysAlloc(uintptr_t n, uint64_t* sys_stat) {
  CheckOutsidePass("sysAlloc");
  ++counters_.mmap_calls;
  MmapResult p = kernel_.Mmap(0, n, Prot::kReadWrite, 0);
  if (observer_ != nullptr) observer_->OnSysAlloc(p.err == 0 ? p.addr : 0, n, p.err);
  if (p.err != 0) {
    if (p.err == EACCES) PrintAndExit2("runtime: mmap: access denied");
    if (p.err == EAGAIN) {
      PrintAndExit2("runtime: mmap: too much locked memory (check 'ulimit -l').");
    }
    return 0;
  }
  if (sys_stat != nullptr) *sys_stat += n;
  return p.addr;
}

uintptr_t MemLinux::SysReserve(uintptr_t v, uintptr_t n, bool* reserved) {
  CheckOutsidePass("sysReserve");
  // Above 4 GiB Go only checks that 64 KiB at v can be had, so that a
  // "ulimit -v" does not trip over the 512 GiB arena; sysMap checks again.
  if (n > (uintptr_t{1} << 32)) {
    constexpr uintptr_t kProbe = 64 << 10;
    MmapResult p = MmapFixed(v, kProbe, Prot::kNone);
    if (p.err != 0 || p.addr != v) {
      if (p.err == 0) {
        ++counters_.munmap_calls;
        kernel_.Munmap(p.addr, kProbe);
      }
      if (observer_ != nullptr) observer_->OnSysReserve(v, n, 0, false);
      return 0;
    }
    ++counters_.munmap_calls;
    kernel_.Munmap(p.addr, kProbe);
    *reserved = false;
    if (observer_ != nullptr) observer_->OnSysReserve(v, n, v, false);
    return v;
  }
  ++counters_.mmap_calls;
  MmapResult p = kernel_.Mmap(v, n, Prot::kNone, 0);
  if (p.err != 0) {
    if (observer_ != nullptr) observer_->OnSysReserve(v, n, 0, false);
    return 0;
  }
  *reserved = true;
  if (observer_ != nullptr) observer_->OnSysReserve(v, n, p.addr, true);
  return p.addr;
}

void MemLinux::SysMap(uintptr_t v, uintptr_t n, bool reserved, uint64_t* sys_stat) {
  CheckOutsidePass("sysMap");
  if (observer_ != nullptr) observer_->OnSysMap(v, n, reserved);
  written_.Remove(v, v + n);
  if (sys_stat != nullptr) *sys_stat += n;
  if (!reserved) {
    MmapResult p = MmapFixed(v, n, Prot::kReadWrite);
    if (p.err == ENOMEM) Throw("runtime: out of memory");
    if (p.err != 0 || p.addr != v) {
      // Go prints the errno in place of the address when mmap failed.
      std::fprintf(stderr, "runtime: address space conflict: map(%#lx) = %#lx\n",
                   static_cast<unsigned long>(v),
                   static_cast<unsigned long>(p.err != 0 ? p.err : p.addr));
      Throw("runtime: address space conflict");
    }
  } else {
    ++counters_.mmap_calls;
    const uint32_t flags = kMapFixed | (options_.map_noreserve ? uint32_t{kMapNoReserve} : 0u);
    MmapResult p = kernel_.Mmap(v, n, Prot::kReadWrite, flags);
    if (p.err == ENOMEM) Throw("runtime: out of memory");
    if (p.err != 0 || p.addr != v) Throw("runtime: cannot map pages in arena address space");
  }
  site_ = AdviceSite::kSysMap;
  policy_->AfterSysMap(v, n, *this);
}

void MemLinux::SysUnused(uintptr_t v, uintptr_t n) {
  if (observer_ != nullptr) observer_->OnSysUnused(v, n);
  written_.Remove(v, v + n);
  site_ = AdviceSite::kSysUnused;
  policy_->BeforeRelease(v, n, *this);
  policy_->Release(v, n, *this);  // the DONTNEED; errors ignored, as in Go
}

void MemLinux::SysUsed(uintptr_t v, uintptr_t n) {
  CheckOutsidePass("sysUsed");
  if (observer_ != nullptr) observer_->OnSysUsed(v, n);
  site_ = AdviceSite::kSysUsed;
  policy_->OnReuse(v, n, *this);
}

void MemLinux::SysFree(uintptr_t v, uintptr_t n, uint64_t* sys_stat) {
  CheckOutsidePass("sysFree");
  if (observer_ != nullptr) observer_->OnSysFree(v, n);
  written_.Remove(v, v + n);
  if (sys_stat != nullptr) *sys_stat -= n;
  ++counters_.munmap_calls;
  const int err = kernel_.Munmap(v, n);
  // Go 1.5's munmap stub stores to address 0xf1 on failure (issue 13227).
  if (err != 0) {
    Throw(absl::StrFormat("unexpected signal: munmap(%#x, %#x) failed with %s "
                          "(Go 1.5 faults at address 0xf1 here)",
                          v, n, ErrnoName(err)));
  }
}

void MemLinux::SysFault(uintptr_t v, uintptr_t n) {
  CheckOutsidePass("sysFault");
  if (observer_ != nullptr) observer_->OnSysFault(v, n);
  written_.Remove(v, v + n);
  ++counters_.mmap_calls;
  kernel_.Mmap(v, n, Prot::kNone, kMapFixed);  // result ignored, as in Go
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
                                                      MemLinuxOptions options) {
  absl::StatusOr<std::unique_ptr<HugePagePolicy>> policy = MakeHugePagePolicy(variant);
  if (!policy.ok()) return policy.status();
  for (Advice a : (*policy)->Needs()) {
    if (!kernel.Supports(a)) {
      std::string why = a == Advice::kTryCollapse
                            ? "MADV_TRY_COLLAPSE was proposed in 2024 and never merged; "
                              "run it with --kernel=sim"
                            : "this kernel profile lacks it";
      return absl::FailedPreconditionError(absl::StrCat("variant ", variant, " needs MADV_",
                                                        AdviceName(a), ", which kernel ",
                                                        kernel.Name(), " does not have (",
                                                        why, ")"));
    }
  }
  return std::make_unique<MemLinux>(kernel, *std::move(policy), options);
}

}  // namespace thp
