#include "mheap/go121/addr_ranges.h"

#include "absl/strings/str_format.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace go121 {

AddrRange::AddrRange(uintptr_t b, uintptr_t l) : base(b), limit(l) {
  // Both ends must lie on the same side of arenaBaseOffset's wrap-around.
  if ((b - kArenaBaseOffset >= b) != (l - kArenaBaseOffset >= l)) {
    Throw("addr range base and limit are not in the same memory segment");
  }
}

AddrRange AddrRange::Subtract(const AddrRange& b) const {
  AddrRange a = *this;
  if (b.base.LessEqual(a.base) && a.limit.LessEqual(b.limit)) return AddrRange();
  if (a.base.LessThan(b.base) && b.limit.LessThan(a.limit)) Throw("bad prune");
  if (b.limit.LessThan(a.limit) && a.base.LessThan(b.limit)) {
    a.base = b.limit;
  } else if (a.base.LessThan(b.base) && b.base.LessThan(a.limit)) {
    a.limit = b.base;
  }
  return a;
}

size_t AddrRanges::FindSucc(uintptr_t addr) const {
  const OffAddr base(addr);
  // Binary search down to a handful of candidates, then scan them.
  constexpr size_t kIterMax = 8;
  size_t bot = 0, top = ranges_.size();
  while (top - bot > kIterMax) {
    const size_t i = (top - bot) / 2 + bot;
    if (ranges_[i].Contains(addr)) return i + 1;
    if (base.LessThan(ranges_[i].base)) {
      top = i;
    } else {
      bot = i + 1;
    }
  }
  for (size_t i = bot; i < top; ++i) {
    if (base.LessThan(ranges_[i].base)) return i;
  }
  return top;
}

bool AddrRanges::FindAddrGreaterEqual(uintptr_t addr, uintptr_t* out) const {
  const size_t i = FindSucc(addr);
  if (i == 0) {
    *out = ranges_[0].base.addr();
    return true;
  }
  if (ranges_[i - 1].Contains(addr)) {
    *out = addr;
    return true;
  }
  if (i < ranges_.size()) {
    *out = ranges_[i].base.addr();
    return true;
  }
  return false;
}

bool AddrRanges::Contains(uintptr_t addr) const {
  const size_t i = FindSucc(addr);
  return i != 0 && ranges_[i - 1].Contains(addr);
}

void AddrRanges::Add(const AddrRange& r) {
  if (r.Size() == 0) {
    Throw(absl::StrFormat("attempted to add zero-sized address range {%#x, %#x}", r.base.addr(),
                          r.limit.addr()));
  }
  const size_t i = FindSucc(r.base.addr());
  const bool down = i > 0 && ranges_[i - 1].limit == r.base;
  const bool up = i < ranges_.size() && r.limit == ranges_[i].base;
  if (down && up) {
    ranges_[i - 1].limit = ranges_[i].limit;
    ranges_.erase(ranges_.begin() + static_cast<ptrdiff_t>(i));
  } else if (down) {
    ranges_[i - 1].limit = r.limit;
  } else if (up) {
    ranges_[i].base = r.base;
  } else {
    ranges_.insert(ranges_.begin() + static_cast<ptrdiff_t>(i), r);
  }
  total_bytes_ += r.Size();
}

}  // namespace go121
}  // namespace thp
