#include "bench/calibrate/stale_release.h"

#include <variant>

namespace thp {
namespace calibrate {

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
  } else if (const auto* u = std::get_if<SysUnused>(&e.body)) {
    if (u->v < arena_start_) return false;
    auto it = stamp_.find((u->v - arena_start_) >> page_shift_);
    return it != stamp_.end() && it->second >= 0 && static_cast<uint64_t>(it->second) > now_;
  }
  return false;
}

}  // namespace calibrate
}  // namespace thp
