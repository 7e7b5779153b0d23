#include "runtime_port/recording_kernel.h"

#include <ostream>

#include "absl/strings/str_format.h"

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
      return absl::StrFormat("madvise(%#x, %#x, %s) = %s", c.addr, c.len, AdviceName(c.advice),
                             ErrnoName(c.err));
    case KernelCall::kTouch:
      return absl::StrFormat("touch(%#x, %#x) = %s", c.addr, c.len, ErrnoName(c.err));
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

std::vector<KernelCall> RecordingKernel::MadviseCalls() const {
  std::vector<KernelCall> out;
  for (const KernelCall& c : calls_) {
    if (c.kind == KernelCall::kMadvise) out.push_back(c);
  }
  return out;
}

}  // namespace thp
