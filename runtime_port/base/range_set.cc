#include "runtime_port/base/range_set.h"

#include <vector>

namespace thp {

void RangeSet::Add(uintptr_t lo, uintptr_t hi) {
  auto it = runs_.upper_bound(lo);
  if (it != runs_.begin() && std::prev(it)->second >= lo) --it;
  while (it != runs_.end() && it->first <= hi) {
    lo = std::min(lo, it->first);
    hi = std::max(hi, it->second);
    it = runs_.erase(it);
  }
  runs_[lo] = hi;
}

void RangeSet::Remove(uintptr_t lo, uintptr_t hi) {
  auto it = runs_.upper_bound(lo);
  if (it != runs_.begin() && std::prev(it)->second > lo) --it;
  uintptr_t head_lo = 0, head_hi = 0, tail_lo = 0, tail_hi = 0;  // the parts outside [lo, hi)
  while (it != runs_.end() && it->first < hi) {
    if (it->first < lo) {
      head_lo = it->first;
      head_hi = lo;
    }
    if (it->second > hi) {
      tail_lo = hi;
      tail_hi = it->second;
    }
    it = runs_.erase(it);
  }
  if (head_hi > head_lo) runs_[head_lo] = head_hi;
  if (tail_hi > tail_lo) runs_[tail_lo] = tail_hi;
}

}  // namespace thp
