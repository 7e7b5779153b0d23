#include "bench/calibrate/cycle_end_stalls.h"

#include <algorithm>
#include <utility>
#include <variant>

#include "bench/calibrate/sweep_lock_waits.h"

namespace thp {
namespace calibrate {

uint64_t CycleEndStalls::Stalled() const {
  return static_cast<uint64_t>(std::count_if(windows.begin(), windows.end(),
                                             [](const CycleEndWindow& w) { return w.stalled(); }));
}

bool CycleEndStalls::FreesFirstMostly() const {
  const auto by_free = std::count_if(windows.begin(), windows.end(),
                                     [](const CycleEndWindow& w) { return w.closed_by_free; });
  return !windows.empty() && 2 * static_cast<size_t>(by_free) >= windows.size();
}

std::vector<int64_t> CycleEndStalls::StallsClosedByFree() const {
  // ClosedByFree's lengths past kCycleEndStallNs (CycleEndWindow::stalled).
  std::vector<int64_t> ns = ClosedByFree();
  ns.erase(ns.begin(), std::upper_bound(ns.begin(), ns.end(), kCycleEndStallNs));
  return ns;
}

std::vector<int64_t> CycleEndStalls::ClosedByFree() const {
  std::vector<int64_t> ns;
  for (const CycleEndWindow& w : windows) {
    if (w.closed_by_free) ns.push_back(w.ns);
  }
  std::sort(ns.begin(), ns.end());
  return ns;
}

std::vector<uint64_t> CycleEndStalls::StallRuns() const {
  std::vector<uint64_t> runs(1, 0);
  size_t run = 0;
  for (size_t i = 0; i <= windows.size(); ++i) {
    if (i < windows.size() && windows[i].stalled()) {
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
  windows.insert(windows.end(), o.windows.begin(), o.windows.end());
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
      stalls_[segment_].windows.push_back({e.time_ns - done_ns_, /*closed_by_free=*/false});
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
  stalls_[segment_].windows.push_back({e.time_ns - done_ns_, /*closed_by_free=*/true});
  open_ = false;
}

}  // namespace calibrate
}  // namespace thp
