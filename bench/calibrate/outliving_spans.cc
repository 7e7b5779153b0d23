#include "bench/calibrate/outliving_spans.h"

#include <variant>

namespace thp {
namespace calibrate {

void OutlivingSpans::CountAt(size_t starting) {
  if (starting < 2) return;
  const size_t owner = starting - 2;
  if (outliving_.size() <= owner) outliving_.resize(owner + 1);
  for (const auto& [page, segment] : taken_by_) {
    if (segment == owner) ++outliving_[owner];
  }
}

void OutlivingSpans::Begin(size_t segment) {
  while (current_ < segment) CountAt(++current_);
}

void OutlivingSpans::Observe(size_t segment, const heaplog::EventBody& body) {
  Begin(segment);
  if (std::get_if<heaplog::Alloc>(&body) != nullptr) {
    awaiting_page_ = true;
  } else if (const auto* d = std::get_if<heaplog::AllocDone>(&body)) {
    if (awaiting_page_ && d->page.has_value()) taken_by_[*d->page] = segment;
    awaiting_page_ = false;
  } else if (const auto* f = std::get_if<heaplog::Free>(&body)) {
    if (f->why == heaplog::FreeWhy::kCentral || f->why == heaplog::FreeWhy::kLarge ||
        f->why == heaplog::FreeWhy::kStack) {
      taken_by_.erase(f->page);
    }
  }
}

std::vector<uint64_t> OutlivingSpans::Finish() {
  CountAt(current_ + 1);
  outliving_.resize(current_ + 1);
  return outliving_;
}

}  // namespace calibrate
}  // namespace thp
