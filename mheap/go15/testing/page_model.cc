#include "mheap/go15/testing/page_model.h"

#include "absl/strings/str_format.h"

namespace thp {

PageModel PageModel::Snapshot(const MHeap& heap) {
  PageModel m(heap.layout().arena_start);
  m.pages_.assign((heap.layout().arena_used - heap.layout().arena_start) / kPageSize, kUsed);
  for (const MSpan* s : heap.SpansInAddressOrder()) {
    if (s->state != SpanState::kFree) continue;
    for (uintptr_t p = m.Index(s->base()); p < m.Index(s->end()); ++p) m.pages_[p] = kFree;
  }
  return m;
}

std::string PageModel::AddArena(uintptr_t base, uintptr_t end) {
  if (base != End()) {
    return absl::StrFormat("the heap grew at %#x, but its arena ends at %#x", base, End());
  }
  GrowTo(end);
  return "";
}

std::string PageModel::Take(const MSpan* s) {
  for (uintptr_t p = Index(s->base()); p < Index(s->end()); ++p) {
    if (p >= pages_.size() || pages_[p] != kFree) {
      return absl::StrFormat("heap handed out page %#x, which is not free", Addr(p));
    }
    pages_[p] = kUsed;
  }
  return "";
}

std::string PageModel::Give(uintptr_t base, uintptr_t end) {
  for (uintptr_t p = Index(base); p < Index(end); ++p) {
    if (p >= pages_.size() || pages_[p] != kUsed) {
      return absl::StrFormat("page %#x freed twice", Addr(p));
    }
    pages_[p] = kFree;
  }
  return "";
}

std::string PageModel::ExpectFree(uintptr_t base, uintptr_t end) const {
  for (uintptr_t p = Index(base); p < Index(end); ++p) {
    if (p >= pages_.size() || pages_[p] != kFree) {
      return absl::StrFormat("the heap trimmed page %#x off a free span, but it is in use",
                             Addr(p));
    }
  }
  return "";
}

uint64_t PageModel::FreeBytes() const {
  uint64_t n = 0;
  for (uint8_t s : pages_) n += s == kFree;
  return n * kPageSize;
}

std::string PageModel::CompareFreeRanges(const MHeap& heap) const {
  std::vector<uint8_t> from_heap(pages_.size(), kUsed);
  for (const MSpan* s : heap.SpansInAddressOrder()) {
    if (s->state != SpanState::kFree) continue;
    for (uintptr_t p = Index(s->base()); p < Index(s->end()); ++p) {
      if (p >= from_heap.size()) {
        return absl::StrFormat("page %#x: heap says free, model says outside the arena", Addr(p));
      }
      from_heap[p] = kFree;
    }
  }
  for (size_t p = 0; p < pages_.size(); ++p) {
    if (from_heap[p] != pages_[p]) {
      return absl::StrFormat("page %#x: heap says %s, model says %s", Addr(p),
                             from_heap[p] == kFree ? "free" : "in use",
                             pages_[p] == kFree ? "free" : "in use");
    }
  }
  return "";
}

}  // namespace thp
