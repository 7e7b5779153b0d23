#include "bench/calibrate/mark_phases.h"

#include <variant>

namespace thp {
namespace calibrate {

std::optional<MarkPhase> MarkPhaseFinder::Observe(const heaplog::HeapEvent& e) {
  if (std::holds_alternative<heaplog::GcDone>(e.body)) {
    done_ = e;
    return std::nullopt;
  }
  if (const auto* s = std::get_if<heaplog::GcStart>(&e.body)) {
    if (s->mode == heaplog::GcMode::kBackground) {
      start_ = e;
    } else {
      start_.reset();
    }
    return std::nullopt;
  }
  const auto* t = std::get_if<heaplog::GcMarkTerm>(&e.body);
  if (t == nullptr || !start_.has_value()) return std::nullopt;
  const auto& s = std::get<heaplog::GcStart>(start_->body);
  MarkPhase p;
  p.ns = e.time_ns - start_->time_ns;
  p.grow_bytes = static_cast<int64_t>(t->heap_live) - static_cast<int64_t>(s.heap_live);
  if (done_.has_value()) {
    p.since_ns = start_->time_ns - done_->time_ns;
    p.since_bytes = static_cast<int64_t>(s.heap_live) -
                    static_cast<int64_t>(std::get<heaplog::GcDone>(done_->body).heap_marked);
  }
  start_.reset();
  return p;
}

}  // namespace calibrate
}  // namespace thp
