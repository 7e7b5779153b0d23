#include "bench/calibrate/stale_release.h"

#include <algorithm>
#include <variant>

namespace thp {
namespace calibrate {

namespace {
// A wait for the heap lock counted as long: over 100 us.
constexpr int64_t kLongWaitNs = 100000;
}  // namespace

bool StaleReleaseFinder::Observe(const heaplog::HeapEvent& e) {
  using namespace heaplog;  // NOLINT: the record structs
  if (const auto* h = std::get_if<HeapInit>(&e.body)) {
    arena_start_ = h->arena_start;
    page_shift_ = h->page_shift;
    stamp_.clear();
  } else if (const auto* f = std::get_if<Free>(&e.body)) {
    // The span after coalescing starts merged_pages_before pages earlier and
    // carries the freed span's stamp; the neighbours it absorbed are gone.
    stamp_[f->page - f->merged_pages_before] = e.time_ns - f->unusedsince_age;
  } else if (const auto* a = std::get_if<AllocDone>(&e.body)) {
    if (a->page.has_value()) stamp_.erase(*a->page);
  } else if (const auto* s = std::get_if<Scavenge>(&e.body)) {
    now_ = s->now;
    pass_counted_stale_ = false;
    if (s->k >= 0) {
      wait_ = e.time_ns - static_cast<int64_t>(s->now);
      waits_.push_back(wait_);
    }
  } else if (const auto* u = std::get_if<SysUnused>(&e.body)) {
    if (u->v < arena_start_) return false;
    auto it = stamp_.find((u->v - arena_start_) >> page_shift_);
    const bool stale =
        it != stamp_.end() && it->second >= 0 && static_cast<uint64_t>(it->second) > now_;
    if (stale) {
      const bool long_wait = wait_ > kLongWaitNs;
      if (!pass_counted_stale_) {
        pass_counted_stale_ = true;
        ++stale_passes_;
        if (long_wait) ++long_wait_stale_passes_;
      }
      if (long_wait) ++long_wait_stale_releases_;
    }
    return stale;
  }
  return false;
}

ScavengeWaits StaleReleaseFinder::Waits() const {
  ScavengeWaits w;
  w.stale_passes = stale_passes_;
  w.long_wait_stale_passes = long_wait_stale_passes_;
  w.long_wait_stale_releases = long_wait_stale_releases_;
  w.passes = waits_.size();
  if (waits_.empty()) return w;
  std::vector<int64_t> sorted = waits_;
  std::sort(sorted.begin(), sorted.end());
  w.median_ns = sorted[sorted.size() / 2];
  w.max_ns = sorted.back();
  w.over_100us = static_cast<uint64_t>(
      sorted.end() - std::upper_bound(sorted.begin(), sorted.end(), kLongWaitNs));
  return w;
}

}  // namespace calibrate
}  // namespace thp
