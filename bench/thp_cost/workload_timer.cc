#include "bench/thp_cost/workload_timer.h"

#include <algorithm>

#include "bench/report/sample_percentiles.h"

namespace thp {

void WorkloadTimer::Acquired() {
  hold_start_ = now_();
  hold_collapses_ = collapses_();
}

void WorkloadTimer::Released() {
  const int64_t held = now_() - hold_start_;
  if (collapses_() > hold_collapses_) hold_ns_.push_back(held);
  if (in_alloc_) {
    alloc_lock_ns_ += held;
    alloc_locked_ = true;
  }
}

void WorkloadTimer::BeginAlloc(int p) {
  // A round is Ps in increasing order; P 0 (or a P not after the last)
  // starts a new one.
  if (p <= last_p_) round_lock_ns_ = 0;
  last_p_ = p;
  in_alloc_ = true;
  alloc_lock_ns_ = 0;
  alloc_locked_ = false;
  alloc_start_ = now_();
}

void WorkloadTimer::EndAlloc() {
  const int64_t own = now_() - alloc_start_;
  in_alloc_ = false;
  const int64_t wait = alloc_locked_ ? round_lock_ns_ : 0;
  wait_total_ns_ += wait;
  alloc_ns_.push_back(own + wait);
  round_lock_ns_ += alloc_lock_ns_;
}

void WorkloadTimer::NoteGcCycle(int64_t gc_cycle) {
  const int64_t c = collapses_();
  if (c > collapses_noted_) {
    by_gc_[gc_cycle] += c - collapses_noted_;
    if (in_refill_) phase_collapses_ += c - collapses_noted_;
  }
  collapses_noted_ = c;
}

void WorkloadTimer::BeginPhase(bool refill) {
  in_refill_ = refill;
  phase_collapses_ = 0;
}

void WorkloadTimer::EndPhase() {
  if (in_refill_) refill_collapses_.push_back(phase_collapses_);
  in_refill_ = false;
}

NamedCounts WorkloadTimer::Figures(int64_t gc_cycles) const {
  NamedCounts out;
  out.emplace_back("allocs", static_cast<int64_t>(alloc_ns_.size()));
  out.emplace_back("alloc_p50_ns", NearestRankPercentile(alloc_ns_, 0.5));
  out.emplace_back("alloc_p99_ns", NearestRankPercentile(alloc_ns_, 0.99));
  out.emplace_back("alloc_max_ns", NearestRankPercentile(alloc_ns_, 1.0));
  out.emplace_back("alloc_lock_wait_ns", wait_total_ns_);
  out.emplace_back("collapses", collapses_noted_);
  out.emplace_back("collapse_holds", static_cast<int64_t>(hold_ns_.size()));
  out.emplace_back("collapse_hold_p50_ns", NearestRankPercentile(hold_ns_, 0.5));
  out.emplace_back("collapse_hold_p99_ns", NearestRankPercentile(hold_ns_, 0.99));
  out.emplace_back("collapse_hold_max_ns", NearestRankPercentile(hold_ns_, 1.0));
  // Every cycle from 0 to the last, those without a collapse as 0.
  std::vector<int64_t> per_gc(static_cast<size_t>(std::max<int64_t>(gc_cycles, 0) + 1), 0);
  for (const auto& [cycle, n] : by_gc_) {
    if (cycle >= 0 && cycle < static_cast<int64_t>(per_gc.size())) per_gc[cycle] += n;
  }
  out.emplace_back("gc_cycles_seen", static_cast<int64_t>(per_gc.size()));
  out.emplace_back("collapses_per_gc_p50", NearestRankPercentile(per_gc, 0.5));
  out.emplace_back("collapses_per_gc_max", NearestRankPercentile(per_gc, 1.0));
  out.emplace_back("refills", static_cast<int64_t>(refill_collapses_.size()));
  out.emplace_back("refill_collapses_min", NearestRankPercentile(refill_collapses_, 0.0));
  out.emplace_back("refill_collapses_max", NearestRankPercentile(refill_collapses_, 1.0));
  return out;
}

}  // namespace thp
