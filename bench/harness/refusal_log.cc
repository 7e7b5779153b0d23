#include "bench/harness/refusal_log.h"

#include <cerrno>
#include <utility>

#include "absl/strings/str_format.h"

namespace thp {

std::string RefusedCallToString(const RefusedCall& c) {
  std::string flags;
  if (c.flags & kMapFixed) flags += ", MAP_FIXED";
  if (c.flags & kMapNoReserve) flags += ", MAP_NORESERVE";
  return absl::StrFormat("%s(%#x, %d%s) = %s at t=%.3fs", c.op, c.addr, c.len, flags,
                         ErrnoName(c.err), c.t_ns / 1e9);
}

RefusalLog::RefusalLog(Kernel& inner, std::function<int64_t()> now)
    : ForwardingKernel(inner), now_(std::move(now)) {}

RefusedCall RefusalLog::Note(std::string op, uintptr_t addr, uintptr_t len, uint32_t flags,
                            int err) {
  RefusedCall c;
  c.op = std::move(op);
  c.addr = addr;
  c.len = len;
  c.flags = flags;
  c.err = err;
  c.t_ns = now_();
  return c;
}

MmapResult RefusalLog::Mmap(uintptr_t hint, uintptr_t len, Prot prot, uint32_t flags) {
  MmapResult r = inner_.Mmap(hint, len, prot, flags);
  if (r.err != 0) {
    ++refused_mmaps_;
    last_refused_map_ = Note("mmap", hint, len, flags, r.err);
    last_refused_map_.map_count = inner_.MapCount();
  }
  return r;
}

int RefusalLog::Munmap(uintptr_t addr, uintptr_t len) {
  const int err = inner_.Munmap(addr, len);
  if (err != 0) {
    last_refused_map_ = Note("munmap", addr, len, 0, err);
    last_refused_map_.map_count = inner_.MapCount();
  }
  return err;
}

int RefusalLog::Madvise(uintptr_t addr, uintptr_t len, Advice advice) {
  const int err = inner_.Madvise(addr, len, advice);
  const bool flag_change = advice == Advice::kHugePage || advice == Advice::kNoHugePage;
  if (flag_change && err == EAGAIN) {
    if (refused_splits_++ == 0) {
      first_refused_split_ =
          Note(absl::StrFormat("madvise(%s)", AdviceName(advice)), addr, len, 0, err);
      first_refused_split_.map_count = inner_.MapCount();
    }
  }
  return err;
}

}  // namespace thp
