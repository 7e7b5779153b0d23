#include "bench/calibrate/free_spans.h"

#include <variant>

namespace thp {
namespace calibrate {

void FreeSpans::Observe(const heaplog::EventBody& body) {
  if (const auto* f = std::get_if<heaplog::Free>(&body)) {
    const uint64_t start = f->page - f->merged_pages_before;
    if (f->merged_pages_before > 0) free_.erase(start);
    if (f->merged_npages > f->merged_pages_before + f->npages) free_.erase(f->page + f->npages);
    free_[start] = f->merged_npages;
  } else if (const auto* d = std::get_if<heaplog::AllocDone>(&body)) {
    if (d->page.has_value()) free_.erase(*d->page);
  }
}
SizeHistogram FreeSpans::Histogram() const {
  SizeHistogram h{};
  for (const auto& [page, npages] : free_) ++h[SizeBin(npages)];
  return h;
}

uint64_t FreeSpans::SpanAt(uint64_t page) const {
  const auto it = free_.find(page);
  return it == free_.end() ? 0 : it->second;
}

}  // namespace calibrate
}  // namespace thp
