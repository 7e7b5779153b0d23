#include "runtime_port/kernel/hintless_window_kernel.h"

#include <errno.h>

#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "runtime_port/base/check.h"

namespace thp {

HintlessWindowKernel::HintlessWindowKernel(std::unique_ptr<Kernel> inner, uintptr_t lo,
                                           uintptr_t hi)
    : ForwardingKernel(*inner), owned_(std::move(inner)), lo_(lo), hi_(hi) {
  THP_CHECK(lo < hi && lo % kHugePageSize == 0 && hi % kHugePageSize == 0,
            absl::StrFormat("hint-less window [%#x, %#x) is not huge-page aligned", lo, hi));
}

uintptr_t HintlessWindowKernel::FindTopDown(uintptr_t len, uintptr_t align) const {
  // Gaps from the top: [end of the placed range below, start of the one above).
  uintptr_t top = hi_;
  for (auto it = placed_.rbegin();; ++it) {
    const uintptr_t bottom = it == placed_.rend() ? lo_ : it->second;
    if (top - bottom >= len) {
      const uintptr_t candidate = RoundDown(top - len, align);
      if (candidate >= bottom) return candidate;
    }
    if (it == placed_.rend()) return 0;
    top = it->first;
  }
}

MmapResult HintlessWindowKernel::Mmap(uintptr_t hint, uintptr_t len, Prot prot, uint32_t flags) {
  if (hint != 0 || (flags & kMapFixed) != 0 || len == 0) {
    return ForwardingKernel::Mmap(hint, len, prot, flags);
  }
  len = RoundUp(len, kOsPageSize);
  // The kernel's choice for a hint-less anonymous mapping (see the sim's
  // FindFreeTopDown): huge-page aligned when the length is whole huge pages.
  const uintptr_t align = len % kHugePageSize == 0 ? kHugePageSize : kOsPageSize;
  const uintptr_t addr = len <= hi_ - lo_ ? FindTopDown(len, align) : 0;
  if (addr == 0) return MmapResult{0, ENOMEM};
  const MmapResult r = ForwardingKernel::Mmap(addr, len, prot, flags);
  if (r.err != 0) return r;
  if (r.addr != addr) {
    ForwardingKernel::Munmap(r.addr, len);
    THP_CHECK(false, absl::StrFormat("the window for the runtime's hint-less mappings is not free "
                                     "at [%#x, %#x): another mapping of this process lies there",
                                     addr, addr + len));
  }
  // Record it, merged with the placed ranges it touches.
  uintptr_t lo = addr, hi = addr + len;
  auto next = placed_.lower_bound(lo);
  if (next != placed_.end() && next->first == hi) {
    hi = next->second;
    next = placed_.erase(next);
  }
  if (next != placed_.begin() && std::prev(next)->second == lo) {
    std::prev(next)->second = hi;
  } else {
    placed_.emplace(lo, hi);
  }
  return r;
}

void HintlessWindowKernel::Unplace(uintptr_t lo, uintptr_t hi) {
  std::vector<std::pair<uintptr_t, uintptr_t>> hit;
  auto it = placed_.upper_bound(lo);
  if (it != placed_.begin()) --it;
  for (; it != placed_.end() && it->first < hi; ++it) {
    if (it->second > lo) hit.emplace_back(it->first, it->second);
  }
  for (const auto& [s, e] : hit) {
    placed_.erase(s);
    if (s < lo) placed_.emplace(s, lo);
    if (e > hi) placed_.emplace(hi, e);
  }
}

int HintlessWindowKernel::Munmap(uintptr_t addr, uintptr_t len) {
  const int err = ForwardingKernel::Munmap(addr, len);
  const uintptr_t lo = std::max(addr, lo_);
  const uintptr_t hi = std::min(RoundUp(addr + len, kOsPageSize), hi_);
  if (err == 0 && lo < hi) Unplace(lo, hi);
  return err;
}

}  // namespace thp
