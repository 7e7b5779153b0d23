#include "runtime_port/kernel/census_kernel.h"

#include <algorithm>
#include <utility>

namespace thp {

CensusKernel::CensusKernel(Kernel& inner, std::function<int64_t()> now)
    : ForwardingKernel(inner), now_(std::move(now)) {}

MmapResult CensusKernel::Mmap(uintptr_t hint, uintptr_t len, Prot prot, uint32_t flags) {
  MmapResult r = inner_.Mmap(hint, len, prot, flags);
  // The kernel maps and unmaps whole pages: a length that is not a page
  // multiple (Go's sysFree of the allspans array passes cap*8 bytes) covers
  // its last page entirely.
  if (r.err == 0) AddOwned(r.addr, r.addr + RoundUp(len, kOsPageSize));
  if (recount_every_call_) Observe();
  return r;
}

int CensusKernel::Munmap(uintptr_t addr, uintptr_t len) {
  const int err = inner_.Munmap(addr, len);
  if (err == 0) RemoveOwned(addr, RoundUp(addr + len, kOsPageSize));
  if (recount_every_call_) Observe();
  return err;
}

int CensusKernel::Madvise(uintptr_t addr, uintptr_t len, Advice advice) {
  const int err = inner_.Madvise(addr, len, advice);
  // A DONTNEED cannot change a count (see the header), so recounting after
  // it would only repeat the last count.
  if (recount_every_call_ && advice != Advice::kDontNeed) Observe();
  return err;
}

BatchResult CensusKernel::MadviseBatch(const std::vector<AddressRange>& ranges, Advice advice) {
  if (advice == Advice::kDontNeed) {
    BatchResult r = inner_.MadviseBatch(ranges, advice);
    Observe();
    return r;
  }
  // One Madvise (and count) per range; the result says so (refused=ENOSYS).
  return Kernel::MadviseBatch(ranges, advice);
}

void CensusKernel::Observe() {
  ++observations_;
  const VmaTally t = inner_.TallyVmas(owned_list_);
  max_process_ = std::max(max_process_, t.map_count);
  const bool new_max = t.in_ranges > max_own_;
  max_own_ = std::max(max_own_, t.in_ranges);
  max_splits_ = std::max(max_splits_, t.in_ranges - static_cast<int64_t>(owned_list_.size()));
  if (series_.empty() || t.map_count != current_.process || t.in_ranges != current_.own) {
    current_ = CensusPoint{now_(), t.map_count, t.in_ranges};
    series_.push_back(current_);
  }
  if (new_max && on_new_max_) on_new_max_();
}

void CensusKernel::AddOwned(uintptr_t lo, uintptr_t hi) {
  owned_.Add(lo, hi);
  RebuildList();
}

void CensusKernel::RemoveOwned(uintptr_t lo, uintptr_t hi) {
  owned_.Remove(lo, hi);
  RebuildList();
}

void CensusKernel::RebuildList() {
  owned_list_.clear();
  for (const auto& [lo, hi] : owned_.runs()) owned_list_.push_back(AddressRange{lo, hi});
}

}  // namespace thp
