#include "mheap/go15/mspan.h"

#include "runtime_port/base/check.h"

namespace thp {

absl::string_view SpanStateName(SpanState s) {
  switch (s) {
    case SpanState::kInUse: return "in use";
    case SpanState::kStack: return "stack";
    case SpanState::kFree: return "free";
    case SpanState::kListHead: return "list head";
    case SpanState::kDead: return "dead";
  }
  return "?";
}

void MSpan::Init(PageId start_page, PageCount pages) {
  next = nullptr;
  prev = nullptr;
  start = start_page;
  npages = pages;
  ref = 0;
  sizeclass = 0;
  incache = false;
  elemsize = 0;
  state = SpanState::kDead;
  unusedsince = 0;
  npreleased = PageCount(0);
  needzero = 0;
  limit = 0;
  freelist.clear();
  allocated.clear();
  marked.clear();
}

MSpanList::MSpanList() {
  head_.state = SpanState::kListHead;
  head_.next = &head_;
  head_.prev = &head_;
}

void MSpanList::Insert(MSpan* s) {
  THP_CHECK(!s->on_list(), "MSpanList_Insert of a span already on a list");
  s->next = head_.next;
  s->prev = &head_;
  s->next->prev = s;
  s->prev->next = s;
}

void MSpanList::InsertBack(MSpan* s) {
  THP_CHECK(!s->on_list(), "MSpanList_InsertBack of a span already on a list");
  s->next = &head_;
  s->prev = head_.prev;
  s->next->prev = s;
  s->prev->next = s;
}

void MSpanList::Remove(MSpan* s) {
  if (!s->on_list()) return;
  s->prev->next = s->next;
  s->next->prev = s->prev;
  s->prev = nullptr;
  s->next = nullptr;
}

size_t MSpanList::CountSlow() const {
  size_t n = 0;
  for (const MSpan* s = head_.next; s != &head_; s = s->next) ++n;
  return n;
}

}  // namespace thp
