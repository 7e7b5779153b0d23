#include "runtime_port/kernel/kernel.h"

#include <algorithm>
#include <array>
#include <cerrno>

#include "absl/strings/str_format.h"
#include "runtime_port/base/check.h"

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
    case ENOSYS: return "ENOSYS";
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

BatchResult Kernel::MadviseBatch(const std::vector<AddressRange>& ranges, Advice advice) {
  BatchResult r;
  r.refused = ENOSYS;
  for (size_t i = 0; i < ranges.size(); ++i) {
    ++r.syscalls;
    const int err = Madvise(ranges[i].lo, ranges[i].hi - ranges[i].lo, advice);
    if (err != 0) r.errors.push_back(RangeError{i, err});
  }
  return r;
}

BatchResult DriveVectoredMadvise(const std::vector<AddressRange>& ranges,
                                 VectoredMadviseCall call) {
  // An empty range would make "no byte advised" ambiguous (done, or failed?).
  for (const AddressRange& x : ranges) {
    THP_CHECK(x.hi > x.lo, absl::StrFormat("empty or inverted range %#x-%#x in a batch", x.lo, x.hi));
  }
  BatchResult r;
  std::array<AddressRange, kMaxIovecs> iov;
  size_t i = 0;        // the first range not done
  uintptr_t done = 0;  // bytes of ranges[i] already advised (a call stopped inside it)
  while (i < ranges.size()) {
    size_t n = 0;
    uintptr_t sent = 0;
    for (size_t j = i; j < ranges.size() && n < kMaxIovecs; ++j) {
      const uintptr_t lo = ranges[j].lo + (j == i ? done : 0);
      iov[n++] = AddressRange{lo, ranges[j].hi};
      sent += ranges[j].hi - lo;
    }
    const int64_t ret = call(iov.data(), n);
    ++r.syscalls;
    if (ret < 0) {  // ranges[i] failed: record it and go on after it
      r.errors.push_back(RangeError{i, static_cast<int>(-ret)});
      ++i;
      done = 0;
      continue;
    }
    THP_CHECK(ret > 0 && static_cast<uintptr_t>(ret) <= sent,
              absl::StrFormat("a vectored madvise of %#x bytes reported %d done", sent, ret));
    for (uintptr_t left = static_cast<uintptr_t>(ret); left > 0;) {
      const uintptr_t len = ranges[i].hi - ranges[i].lo;
      const uintptr_t take = std::min(left, len - done);
      done += take;
      left -= take;
      if (done == len) {
        ++i;
        done = 0;
      }
    }
  }
  return r;
}

}  // namespace thp
