#include "bench/calibrate/cycle_end_stalls.h"

#include <algorithm>
#include <utility>
#include <variant>

#include "bench/calibrate/sweep_lock_waits.h"

namespace thp {
namespace calibrate {

uint64_t CycleEndStalls::Stalled() const {
  uint64_t n = 0;
  for (const int64_t ns : first_free_ns) n += ns > kCycleEndStallNs;
  for (const int64_t ns : start_first_ns) n += ns > kCycleEndStallNs;
  return n;
}

std::vector<int64_t> CycleEndStalls::StallsClosedByFree() const {
  std::vector<int64_t> ns;
  for (const int64_t n : first_free_ns) {
    if (n > kCycleEndStallNs) ns.push_back(n);
  }
  std::sort(ns.begin(), ns.end());
  return ns;
}

std::vector<uint64_t> CycleEndStalls::StallRuns() const {
  std::vector<uint64_t> runs(1, 0);
  size_t run = 0;
  for (size_t i = 0; i <= stalled_in_order.size(); ++i) {
    if (i < stalled_in_order.size() && stalled_in_order[i]) {
      ++run;
      continue;
    }
    if (run == 0) continue;
    if (runs.size() <= run) runs.resize(run + 1, 0);
    ++runs[run];
    run = 0;
  }
  return runs;
}

CycleEndStalls& CycleEndStalls::operator+=(const CycleEndStalls& o) {
  first_free_ns.insert(first_free_ns.end(), o.first_free_ns.begin(), o.first_free_ns.end());
  start_first_ns.insert(start_first_ns.end(), o.start_first_ns.begin(), o.start_first_ns.end());
  stalled_in_order.insert(stalled_in_order.end(), o.stalled_in_order.begin(),
                          o.stalled_in_order.end());
  return *this;
}

bool CycleEndStallFinder::Reads(const heaplog::EventBody& body) {
  if (const auto* f = std::get_if<heaplog::Free>(&body)) return IsSweepFree(*f);
  return std::holds_alternative<heaplog::GcDone>(body) ||
         std::holds_alternative<heaplog::GcStart>(body);
}

void CycleEndStallFinder::Observe(size_t segment, const heaplog::HeapEvent& e) {
  if (const auto* s = std::get_if<heaplog::GcStart>(&e.body)) {
    background_ = s->mode == heaplog::GcMode::kBackground;
    if (open_ && background_) {
      stalls_[segment_].start_first_ns.push_back(e.time_ns - done_ns_);
      stalls_[segment_].stalled_in_order.push_back(e.time_ns - done_ns_ > kCycleEndStallNs);
    }
    open_ = false;  // a forced start closes the window uncounted
    return;
  }
  if (std::holds_alternative<heaplog::GcDone>(e.body)) {
    open_ = background_;
    segment_ = segment;
    done_ns_ = e.time_ns;
    if (segment >= stalls_.size()) stalls_.resize(segment + 1);
    return;
  }
  const auto* f = std::get_if<heaplog::Free>(&e.body);
  if (f == nullptr || !IsSweepFree(*f) || !open_) return;
  stalls_[segment_].first_free_ns.push_back(e.time_ns - done_ns_);
  stalls_[segment_].stalled_in_order.push_back(e.time_ns - done_ns_ > kCycleEndStallNs);
  open_ = false;
}

}  // namespace calibrate
}  // namespace thp
