#include "runtime_port/kernel/khugepaged_emulator.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace thp {

absl::string_view RegionVerdictName(RegionVerdict v) {
  switch (v) {
    case RegionVerdict::kNoHugePage: return "nohugepage";
    case RegionVerdict::kNotInOneVma: return "not_in_one_vma";
    case RegionVerdict::kNotWritable: return "not_writable";
    case RegionVerdict::kEmpty: return "empty";
    case RegionVerdict::kFull: return "full";
    case RegionVerdict::kTooSparse: return "too_sparse";
    case RegionVerdict::kCollapsed: return "collapsed";
    case RegionVerdict::kCollapseFailed: return "collapse_failed";
  }
  return "?";
}

absl::StatusOr<KhugepagedEmulator> KhugepagedEmulator::Create(Kernel& kernel,
                                                              KhugepagedOptions options) {
  if (options.max_ptes_none < 0 || options.max_ptes_none > kDefaultMaxPtesNone) {
    return absl::InvalidArgumentError(absl::StrCat("max_ptes_none=", options.max_ptes_none,
                                                   ": expected 0 to ", kDefaultMaxPtesNone));
  }
  if (!options.collapse && !kernel.Supports(Advice::kCollapse)) {
    return absl::InvalidArgumentError(
        absl::StrCat("kernel ", kernel.Name(),
                     " has no MADV_COLLAPSE to collapse with, and no collapser was given"));
  }
  return KhugepagedEmulator(kernel, std::move(options));
}

RegionScan KhugepagedEmulator::ScanRegion(uintptr_t r, const std::vector<Vma>& vmas,
                                          size_t* first) {
  const uintptr_t end = r + kHugePageSize;
  RegionScan out;
  out.base = r;
  // The VMAs overlapping [r, end): vmas is sorted, and regions come in
  // address order, so skip those that end at or before r for good.
  while (*first < vmas.size() && vmas[*first].end <= r) ++*first;
  size_t k = *first;
  bool nohuge = false;
  int overlapping = 0;
  for (size_t i = k; i < vmas.size() && vmas[i].start < end; ++i) {
    ++overlapping;
    nohuge |= vmas[i].huge == HugeFlag::kNoHuge;
  }
  if (nohuge) {
    out.verdict = RegionVerdict::kNoHugePage;
    return out;
  }
  if (overlapping != 1 || vmas[k].start > r || vmas[k].end < end) {
    out.verdict = RegionVerdict::kNotInOneVma;
    return out;
  }
  if (vmas[k].prot != Prot::kReadWrite) {
    out.verdict = RegionVerdict::kNotWritable;
    return out;
  }
  out.present = static_cast<int>(kernel_->ResidentBytes(r, end) / kOsPageSize);
  const int absent = kPtesPerPmd - out.present;
  if (out.present == 0) {
    out.verdict = RegionVerdict::kEmpty;
  } else if (absent == 0) {
    out.verdict = RegionVerdict::kFull;
  } else if (absent > options_.max_ptes_none) {
    out.verdict = RegionVerdict::kTooSparse;
  } else {
    const int64_t t0 = options_.wall_ns ? options_.wall_ns() : 0;
    out.err = options_.collapse ? options_.collapse(r)
                                : kernel_->Madvise(r, kHugePageSize, Advice::kCollapse);
    if (options_.wall_ns) totals_.collapse_ns.push_back(options_.wall_ns() - t0);
    if (out.err != 0) ++totals_.collapse_errors[out.err];
    const int after = static_cast<int>(kernel_->ResidentBytes(r, end) / kOsPageSize);
    if (after > out.present) {
      totals_.bytes_added += static_cast<uint64_t>(after - out.present) * kOsPageSize;
    }
    out.verdict = out.err == 0 && after == kPtesPerPmd ? RegionVerdict::kCollapsed
                                                       : RegionVerdict::kCollapseFailed;
  }
  return out;
}

std::vector<RegionScan> KhugepagedEmulator::Scan(const std::vector<AddressRange>& ranges) {
  ++totals_.scans;
  std::vector<RegionScan> out;
  for (const AddressRange& range : ranges) {
    const uintptr_t lo = RoundUp(range.lo, kHugePageSize);
    const uintptr_t hi = RoundDown(range.hi, kHugePageSize);
    if (lo >= hi) continue;
    const std::vector<Vma> vmas = kernel_->Vmas(lo, hi);
    size_t first = 0;
    for (uintptr_t r = lo; r < hi; r += kHugePageSize) {
      out.push_back(ScanRegion(r, vmas, &first));
      ++totals_.verdicts[static_cast<size_t>(out.back().verdict)];
    }
  }
  return out;
}

}  // namespace thp
