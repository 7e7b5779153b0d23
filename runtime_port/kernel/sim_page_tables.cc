#include "runtime_port/kernel/sim_page_tables.h"

#include <algorithm>

namespace thp {

SimPageTables::State SimPageTables::StateOf(uintptr_t region_base) const {
  auto it = regions_.find(region_base);
  if (it == regions_.end()) return State::kAbsent;
  return it->second.huge ? State::kHuge : State::kPte;
}

int SimPageTables::PresentPages(uintptr_t region_base) const {
  auto it = regions_.find(region_base);
  return it == regions_.end() ? 0 : static_cast<int>(it->second.present.count());
}

void SimPageTables::Fault(uintptr_t page, bool huge_eligible) {
  uintptr_t base = RoundDown(page, kHugePageSize);
  auto it = regions_.find(base);
  if (it == regions_.end()) {
    Region r;
    if (huge_eligible) {
      r.huge = true;
      r.present.set();
    } else {
      r.present.set((page - base) / kOsPageSize);
    }
    regions_.emplace(base, r);
    return;
  }
  if (!it->second.huge) it->second.present.set((page - base) / kOsPageSize);
}

void SimPageTables::Zap(uintptr_t lo, uintptr_t hi, bool reclaim) {
  auto it = regions_.lower_bound(RoundDown(lo, kHugePageSize));
  while (it != regions_.end() && it->first < hi) {
    uintptr_t base = it->first;
    uintptr_t s = std::max(lo, base);
    uintptr_t e = std::min(hi, base + kHugePageSize);
    bool whole = (s == base && e == base + kHugePageSize);
    if (whole && (reclaim || it->second.huge)) {
      // A whole huge PMD is simply cleared; a whole PTE table is freed by
      // PT reclaim (madvise only).
      it = regions_.erase(it);
      continue;
    }
    Region& r = it->second;
    r.huge = false;  // a partial zap splits the huge page first
    for (uintptr_t p = s; p < e; p += kOsPageSize) r.present.reset((p - base) / kOsPageSize);
    ++it;
  }
}

void SimPageTables::SplitHugeAt(uintptr_t addr) {
  if (addr % kHugePageSize == 0) return;
  auto it = regions_.find(RoundDown(addr, kHugePageSize));
  if (it != regions_.end()) it->second.huge = false;
}

void SimPageTables::FreeTable(uintptr_t region_base) { regions_.erase(region_base); }

void SimPageTables::MakeHuge(uintptr_t region_base) {
  Region& r = regions_[region_base];
  r.huge = true;
  r.present.set();
}

uint64_t SimPageTables::ResidentBytes(uintptr_t lo, uintptr_t hi) const {
  uint64_t bytes = 0;
  for (auto it = regions_.lower_bound(RoundDown(lo, kHugePageSize));
       it != regions_.end() && it->first < hi; ++it) {
    uintptr_t base = it->first;
    uintptr_t s = std::max(lo, base);
    uintptr_t e = std::min(hi, base + kHugePageSize);
    if (s == base && e == base + kHugePageSize) {
      bytes += it->second.present.count() * kOsPageSize;
      continue;
    }
    for (uintptr_t p = s; p < e; p += kOsPageSize) {
      if (it->second.present.test((p - base) / kOsPageSize)) bytes += kOsPageSize;
    }
  }
  return bytes;
}

uint64_t SimPageTables::HugeBytesWithin(uintptr_t lo, uintptr_t hi) const {
  uint64_t bytes = 0;
  for (auto it = regions_.lower_bound(lo); it != regions_.end() && it->first < hi; ++it) {
    if (it->second.huge && it->first + kHugePageSize <= hi) bytes += kHugePageSize;
  }
  return bytes;
}

}  // namespace thp
