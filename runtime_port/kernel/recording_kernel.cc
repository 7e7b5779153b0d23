#include "runtime_port/kernel/recording_kernel.h"

#include <ostream>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace thp {

std::string KernelCallToString(const KernelCall& c) {
  switch (c.kind) {
    case KernelCall::kMmap:
      return absl::StrFormat("mmap(%#x, %#x, %s%s%s) = %s", c.addr, c.len, ProtName(c.prot),
                             (c.flags & kMapFixed) ? " FIXED" : "",
                             (c.flags & kMapNoReserve) ? " NORESERVE" : "", ErrnoName(c.err));
    case KernelCall::kMunmap:
      return absl::StrFormat("munmap(%#x, %#x) = %s", c.addr, c.len, ErrnoName(c.err));
    case KernelCall::kMadvise:
      return absl::StrFormat("madvise(%#x, %#x, %s) = %s%s", c.addr, c.len, AdviceName(c.advice),
                             ErrnoName(c.err), c.in_batch ? " (in a batch)" : "");
    case KernelCall::kTouch:
      return absl::StrFormat("touch(%#x, %#x) = %s", c.addr, c.len, ErrnoName(c.err));
    case KernelCall::kMadviseBatch: {
      std::vector<std::string> rs;
      for (const AddressRange& r : c.ranges) rs.push_back(absl::StrFormat("%#x+%#x", r.lo, r.hi - r.lo));
      return absl::StrFormat("madvise_batch([%s], %s) = %s in %d syscalls", absl::StrJoin(rs, " "),
                             AdviceName(c.advice), ErrnoName(c.err), c.syscalls);
    }
  }
  return "?";
}

void PrintTo(const KernelCall& c, std::ostream* os) { *os << KernelCallToString(c); }

KernelCall MadviseCall(uintptr_t addr, uintptr_t len, Advice advice) {
  KernelCall c{KernelCall::kMadvise};
  c.addr = addr;
  c.len = len;
  c.advice = advice;
  return c;
}

KernelCall MmapCall(uintptr_t addr, uintptr_t len) {
  KernelCall c{KernelCall::kMmap};
  c.addr = addr;
  c.len = len;
  return c;
}

KernelCall MunmapCall(uintptr_t addr, uintptr_t len) {
  KernelCall c{KernelCall::kMunmap};
  c.addr = addr;
  c.len = len;
  return c;
}

KernelCall MadviseBatchCall(const std::vector<std::pair<uintptr_t, uintptr_t>>& ranges,
                            Advice advice) {
  KernelCall c{KernelCall::kMadviseBatch};
  c.advice = advice;
  for (const auto& [addr, len] : ranges) c.ranges.push_back(AddressRange{addr, addr + len});
  return c;
}

MmapResult RecordingKernel::Mmap(uintptr_t hint, uintptr_t len, Prot prot, uint32_t flags) {
  MmapResult r = inner_.Mmap(hint, len, prot, flags);
  KernelCall c{KernelCall::kMmap};
  c.addr = r.err == 0 ? r.addr : hint;
  c.len = len;
  c.prot = prot;
  c.flags = flags;
  c.err = r.err;
  calls_.push_back(c);
  return r;
}

int RecordingKernel::Munmap(uintptr_t addr, uintptr_t len) {
  int err = inner_.Munmap(addr, len);
  KernelCall c = MunmapCall(addr, len);
  c.err = err;
  calls_.push_back(c);
  return err;
}

int RecordingKernel::Madvise(uintptr_t addr, uintptr_t len, Advice advice) {
  int err = inner_.Madvise(addr, len, advice);
  KernelCall c = MadviseCall(addr, len, advice);
  c.err = err;
  calls_.push_back(c);
  return err;
}

int RecordingKernel::Touch(uintptr_t addr, uintptr_t len) {
  int err = inner_.Touch(addr, len);
  KernelCall c{KernelCall::kTouch};
  c.addr = addr;
  c.len = len;
  c.err = err;
  calls_.push_back(c);
  return err;
}

BatchResult RecordingKernel::MadviseBatch(const std::vector<AddressRange>& ranges,
                                          Advice advice) {
  BatchResult r = inner_.MadviseBatch(ranges, advice);
  KernelCall c{KernelCall::kMadviseBatch};
  c.advice = advice;
  c.ranges = ranges;
  c.err = r.err();
  c.range_errors = r.errors;
  c.syscalls = r.syscalls;
  calls_.push_back(std::move(c));
  return r;
}

std::vector<KernelCall> RecordingKernel::MadviseCalls() const {
  std::vector<KernelCall> out;
  for (const KernelCall& c : calls_) {
    if (c.kind == KernelCall::kMadvise) out.push_back(c);
    if (c.kind != KernelCall::kMadviseBatch) continue;
    const std::vector<RangeError>& errors = c.range_errors;
    size_t e = 0;
    for (size_t i = 0; i < c.ranges.size(); ++i) {
      KernelCall one = MadviseCall(c.ranges[i].lo, c.ranges[i].hi - c.ranges[i].lo, c.advice);
      one.in_batch = true;
      if (e < errors.size() && errors[e].index == i) one.err = errors[e++].err;
      out.push_back(std::move(one));
    }
  }
  return out;
}

}  // namespace thp
