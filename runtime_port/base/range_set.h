// A set of addresses kept as disjoint [lo, hi) runs in address order, two
// runs never touching (adding a run merges it with every run it overlaps or
// touches). The VMA census keeps the runtime's mapped ranges in one, and
// MemLinux the pages the program has written. It mirrors no Go code.
#ifndef THP_RUNTIME_PORT_BASE_RANGE_SET_H_
#define THP_RUNTIME_PORT_BASE_RANGE_SET_H_

#include <algorithm>
#include <cstdint>
#include <iterator>

#include "absl/container/btree_map.h"

namespace thp {

class RangeSet {
 public:
  // Adds [lo, hi), merged with the runs it overlaps or touches.
  void Add(uintptr_t lo, uintptr_t hi);
  // Removes [lo, hi); the parts of runs outside it stay.
  void Remove(uintptr_t lo, uintptr_t hi);
  // Calls gap(a, b) for each stretch [a, b) of [lo, hi) the set does not
  // hold, in address order.
  template <typename F>
  void ForEachGap(uintptr_t lo, uintptr_t hi, F gap) const {
    auto it = runs_.upper_bound(lo);
    if (it != runs_.begin() && std::prev(it)->second > lo) --it;
    uintptr_t at = lo;
    for (; at < hi && it != runs_.end() && it->first < hi; ++it) {
      if (it->first > at) gap(at, it->first);
      at = std::max(at, it->second);
    }
    if (at < hi) gap(at, hi);
  }
  // lo -> hi, in address order.
  const absl::btree_map<uintptr_t, uintptr_t>& runs() const { return runs_; }

 private:
  absl::btree_map<uintptr_t, uintptr_t> runs_;
};

}  // namespace thp

#endif  // THP_RUNTIME_PORT_BASE_RANGE_SET_H_
