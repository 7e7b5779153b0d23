#include "runtime_port/kernel.h"

#include <cerrno>

#include "absl/strings/str_format.h"

namespace thp {

absl::string_view AdviceName(Advice advice) {
  switch (advice) {
    case Advice::kDontNeed: return "DONTNEED";
    case Advice::kHugePage: return "HUGEPAGE";
    case Advice::kNoHugePage: return "NOHUGEPAGE";
    case Advice::kCollapse: return "COLLAPSE";
    case Advice::kTryCollapse: return "TRY_COLLAPSE";
  }
  return "?";
}

int LinuxAdvice(Advice advice) {
  switch (advice) {
    case Advice::kDontNeed: return 4;
    case Advice::kHugePage: return 14;
    case Advice::kNoHugePage: return 15;
    case Advice::kCollapse: return 25;
    case Advice::kTryCollapse: return 26;
  }
  return -1;
}

absl::string_view HugeFlagName(HugeFlag flag) {
  switch (flag) {
    case HugeFlag::kNone: return "none";
    case HugeFlag::kHuge: return "hugepage";
    case HugeFlag::kNoHuge: return "nohugepage";
  }
  return "?";
}

absl::string_view ProtName(Prot prot) {
  switch (prot) {
    case Prot::kNone: return "---";
    case Prot::kRead: return "r--";
    case Prot::kReadWrite: return "rw-";
  }
  return "?";
}

absl::string_view ThpModeName(ThpMode mode) {
  switch (mode) {
    case ThpMode::kAlways: return "always";
    case ThpMode::kMadvise: return "madvise";
    case ThpMode::kNever: return "never";
  }
  return "?";
}

std::string VmaToString(const Vma& vma) {
  return absl::StrFormat("%x-%x %s %s", vma.start, vma.end, ProtName(vma.prot),
                         HugeFlagName(vma.huge));
}

std::string ErrnoName(int err) {
  switch (err) {
    case 0: return "0";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EINVAL: return "EINVAL";
    case EFAULT: return "EFAULT";
    case EACCES: return "EACCES";
    case EBUSY: return "EBUSY";
    case EPERM: return "EPERM";
    case EEXIST: return "EEXIST";
    default: return absl::StrFormat("errno%d", err);
  }
}

uint64_t Kernel::ResidentBytes(uintptr_t lo, uintptr_t hi) {
  return ResidencyOf(lo, hi).resident_bytes;
}

VmaTally Kernel::TallyVmas(const std::vector<AddressRange>& ranges) {
  VmaTally t;
  t.map_count = MapCount();
  uintptr_t last_end = 0;  // a VMA spanning two ranges is counted once
  for (const AddressRange& r : ranges) {
    for (const Vma& v : Vmas(r.lo, r.hi)) {
      if (v.end <= last_end) continue;
      ++t.in_ranges;
      last_end = v.end;
    }
  }
  return t;
}

}  // namespace thp
