// MHeap::CheckInvariants: recompute and compare (style habit 6).
#include <vector>

#include "absl/strings/str_format.h"
#include "mheap/go15/mheap.h"
#include "runtime_port/base/check.h"

namespace thp {

void MHeap::CheckInvariants(bool deep) const {
  uint64_t idle = 0, inuse = 0, released = 0, stacks = 0;
  size_t free_spans = 0;
  std::vector<uint64_t> chunk_pages;  // pages in use per 4 MiB chunk, recomputed
  const MSpan* prev = nullptr;
  // Every arena page belongs to exactly one span, and the table points at the
  // span from its first and last page (every page, for in-use spans).
  for (const MSpan* s : SpansInAddressOrder()) {
    THP_CHECK(s->npages > PageCount(0), absl::StrFormat("empty span at %#x", s->base()));
    THP_CHECK(SpanAt(s->start + s->npages - PageCount(1)) == s,
              absl::StrFormat("span table does not point at span %#x from its last page",
                              s->base()));
    switch (s->state) {
      case SpanState::kFree:
        THP_CHECK(prev == nullptr || prev->state != SpanState::kFree,
                  absl::StrFormat("free spans %#x and %#x are adjacent", prev->base(), s->base()));
        THP_CHECK(s->npreleased <= s->npages,
                  absl::StrFormat("span %#x has more released pages than pages", s->base()));
        THP_CHECK(s->on_list(), absl::StrFormat("free span %#x is on no list", s->base()));
        idle += s->npages.bytes();
        released += s->npreleased.bytes();
        ++free_spans;
        break;
      case SpanState::kInUse:
      case SpanState::kStack:
        inuse += s->npages.bytes();
        if (s->state == SpanState::kStack) stacks += s->npages.bytes();
        if (chunks_ != nullptr) chunks_->CountPages(s->base(), s->npages, &chunk_pages);
        THP_CHECK(s->npreleased == PageCount(0),
                  absl::StrFormat("in-use span %#x claims released pages", s->base()));
        if (deep) {
          for (PageId p = s->start; p < s->start + s->npages; p = p + PageCount(1)) {
            THP_CHECK(SpanAt(p) == s, absl::StrFormat("span table at %#x does not point at "
                                                      "its in-use span %#x", p.addr(), s->base()));
          }
        }
        break;
      default:
        THP_CHECK(false, absl::StrFormat("span %#x in the arena is %s", s->base(),
                                         SpanStateName(s->state)));
    }
    prev = s;
  }
  // The Go 1.21 chunk bookkeeping (chunks.h) counts exactly the pages its
  // chunks' in-use and stack spans hold.
  if (chunks_ != nullptr) chunks_->CheckInUse(chunk_pages);

  // Each free list holds only free spans of its length; together they hold
  // every free span once.
  size_t listed = 0;
  THP_CHECK(free_[0].IsEmpty(), "free[0] is not empty");
  for (int k = 1; k < kMaxMHeapList; ++k) {
    const MSpanList& l = free_[static_cast<size_t>(k)];
    for (const MSpan* s = l.End()->next; s != l.End(); s = s->next) {
      THP_CHECK(s->state == SpanState::kFree && s->npages == PageCount(k),
                absl::StrFormat("free[%d] holds a %s span of %d pages", k,
                                SpanStateName(s->state), s->npages.raw()));
      ++listed;
    }
  }
  for (const MSpan* s = freelarge_.End()->next; s != freelarge_.End(); s = s->next) {
    THP_CHECK(s->state == SpanState::kFree && s->npages >= PageCount(kMaxMHeapList),
              absl::StrFormat("freelarge holds a %s span of %d pages", SpanStateName(s->state),
                              s->npages.raw()));
    ++listed;
  }
  THP_CHECK(listed == free_spans,
            absl::StrFormat("%d free spans but %d on the free lists", free_spans, listed));
  for (int k = 0; k <= kMaxMHeapList; ++k) {
    const MSpanList& l = k < kMaxMHeapList ? busy_[static_cast<size_t>(k)] : busylarge_;
    for (const MSpan* s = l.End()->next; s != l.End(); s = s->next) {
      THP_CHECK(s->state == SpanState::kInUse && s->sizeclass == 0,
                absl::StrFormat("busy list holds a %s span of class %d", SpanStateName(s->state),
                                s->sizeclass));
      THP_CHECK(k == kMaxMHeapList ? s->npages >= PageCount(kMaxMHeapList)
                                   : s->npages == PageCount(k),
                "busy list of the wrong length");
    }
  }

  // The cached counters equal what the spans say.
  THP_CHECK(idle == stats_.heap_idle,
            absl::StrFormat("heap_idle %d, free spans hold %d", stats_.heap_idle, idle));
  THP_CHECK(inuse == stats_.heap_inuse,
            absl::StrFormat("heap_inuse %d, in-use spans hold %d", stats_.heap_inuse, inuse));
  THP_CHECK(stats_.heap_idle + stats_.heap_inuse == stats_.heap_sys,
            absl::StrFormat("heap_idle %d + heap_inuse %d != heap_sys %d", stats_.heap_idle,
                            stats_.heap_inuse, stats_.heap_sys));
  THP_CHECK(stats_.heap_sys == layout_.arena_used - layout_.arena_start,
            "heap_sys differs from the arena mapped");
  THP_CHECK(released == stats_.heap_released,
            absl::StrFormat("heap_released %d, free spans' npreleased sum to %d",
                            stats_.heap_released, released));
  THP_CHECK(stacks == stats_.stacks_inuse,
            absl::StrFormat("stacks_inuse %d, stack spans hold %d", stats_.stacks_inuse, stacks));
}

}  // namespace thp
