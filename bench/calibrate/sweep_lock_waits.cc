#include "bench/calibrate/sweep_lock_waits.h"

#include <variant>

namespace thp {
namespace calibrate {

SweepLockWaits& SweepLockWaitFinder::At(size_t segment) {
  if (segment >= counts_.size()) counts_.resize(segment + 1);
  return counts_[segment];
}

void SweepLockWaitFinder::CloseWindow() {
  if (open_ && last_free_ns_ >= 0) {
    closed_done_ns_ = done_ns_;
    closed_last_free_ns_ = last_free_ns_;
    for (const Pass& p : passes_) {
      if (static_cast<int64_t>(p.now) >= last_free_ns_) continue;
      SweepLockWaits& c = At(p.segment);
      ++c.passes_in_sweep;
      if (p.lock_ns >= last_free_ns_) ++c.waited;
    }
  }
  open_ = false;
  last_free_ns_ = -1;
  passes_.clear();
}

void SweepLockWaitFinder::Observe(size_t segment, const heaplog::HeapEvent& e) {
  At(segment);
  if (std::holds_alternative<heaplog::GcDone>(e.body)) {
    CloseWindow();
    open_ = true;
    done_ns_ = e.time_ns;
    return;
  }
  if (std::holds_alternative<heaplog::GcStart>(e.body)) {
    CloseWindow();
    return;
  }
  const auto* s = std::get_if<heaplog::Scavenge>(&e.body);
  if (s != nullptr && s->k >= 0) {
    const auto now = static_cast<int64_t>(s->now);
    if (open_ && now >= done_ns_) {
      passes_.push_back({segment, s->now, e.time_ns});
    } else if (now >= closed_done_ns_ && now < closed_last_free_ns_) {
      // It read its clock in the window already closed and took the lock
      // only after the next cycle started: it waited past the sweep.
      SweepLockWaits& c = At(segment);
      ++c.passes_in_sweep;
      ++c.waited;
    }
    return;
  }
  if (!open_) return;
  if (const auto* f = std::get_if<heaplog::Free>(&e.body)) {
    if (f->why == heaplog::FreeWhy::kCentral || f->why == heaplog::FreeWhy::kLarge) {
      last_free_ns_ = e.time_ns;
    }
  }
}

std::vector<SweepLockWaits> SweepLockWaitFinder::Finish() {
  CloseWindow();
  return counts_;
}

}  // namespace calibrate
}  // namespace thp
