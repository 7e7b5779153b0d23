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
  if (last_ns_ >= 0) {
    const int64_t ns = std::max<int64_t>(e.time_ns - last_ns_, 0);
    if (m->advice == kMadvDontneed) dontneed_.push_back(ns);
    if (m->advice == kMadvHugepage) hugepage_.push_back(ns);
    if (m->advice == kMadvNohugepage) nohugepage_.push_back(ns);
  }
  last_ns_ = e.time_ns;
}

void MadviseTimer::Merge(const MadviseTimer& other) {
  dontneed_.insert(dontneed_.end(), other.dontneed_.begin(), other.dontneed_.end());
  hugepage_.insert(hugepage_.end(), other.hugepage_.begin(), other.hugepage_.end());
  nohugepage_.insert(nohugepage_.end(), other.nohugepage_.begin(), other.nohugepage_.end());
}

MadviseTimes MadviseTimer::Times(uint64_t advice) const {
  std::vector<int64_t> v = advice == kMadvDontneed   ? dontneed_
                           : advice == kMadvHugepage ? hugepage_
                           : advice == kMadvNohugepage ? nohugepage_
                                                       : std::vector<int64_t>{};
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
