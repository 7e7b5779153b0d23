#include "bench/calibrate/madvise_time.h"

#include <algorithm>
#include <variant>

namespace thp {
namespace calibrate {

void MadviseTimer::Observe(const heaplog::HeapEvent& e) {
  if (std::holds_alternative<heaplog::SysUnused>(e.body) ||
      std::holds_alternative<heaplog::SysUsed>(e.body)) {
    last_ns_ = e.time_ns;
    return;
  }
  const auto* m = std::get_if<heaplog::Madvise>(&e.body);
  if (m == nullptr) {
    last_ns_ = -1;  // the chain is over (a madvise with none open is not timed)
    return;
  }
  if (last_ns_ >= 0) ns_[m->advice].push_back(std::max<int64_t>(e.time_ns - last_ns_, 0));
  last_ns_ = e.time_ns;
}

void MadviseTimer::Merge(const MadviseTimer& other) {
  for (const auto& [advice, ns] : other.ns_) {
    std::vector<int64_t>& mine = ns_[advice];
    mine.insert(mine.end(), ns.begin(), ns.end());
  }
}

MadviseTimes MadviseTimer::Times(Advice advice) const {
  const auto it = ns_.find(static_cast<uint64_t>(LinuxAdvice(advice)));
  if (it == ns_.end()) return MadviseTimes{};
  std::vector<int64_t> v = it->second;  // sorted here, for the median
  MadviseTimes t;
  t.calls = v.size();
  if (v.empty()) return t;
  for (int64_t ns : v) t.total_ns += ns;
  std::sort(v.begin(), v.end());
  t.median_ns = v[v.size() / 2];
  t.max_ns = v.back();
  return t;
}

}  // namespace calibrate
}  // namespace thp
