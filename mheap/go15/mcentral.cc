#include "mheap/go15/mcentral.h"

#include "mheap/go15/msize.h"
#include "runtime_port/base/check.h"

namespace thp {

MCentral::MCentral(int sizeclass, MHeap& heap, SpanSweeper& sweeper)
    : sizeclass_(sizeclass), heap_(heap), sweeper_(sweeper) {}

MSpan* MCentral::CacheSpan() {
  sweeper_.DeductSweepCredit(GetSizeClasses().ClassToSize(sizeclass_), 0);
  const uint32_t sg = heap_.sweepgen();
  MSpan* s = nullptr;
retry:
  // A span with free objects: swept now if it needs it, else taken as is.
  for (s = nonempty_.First(); s != nonempty_.End(); s = s->next) {
    if (s->sweepgen == sg - 2) {
      s->sweepgen = sg - 1;
      MSpanList::Remove(s);
      empty_.InsertBack(s);
      sweeper_.Sweep(s, /*preserve=*/true);
      goto havespan;
    }
    if (s->sweepgen == sg - 1) continue;  // being swept elsewhere
    MSpanList::Remove(s);
    empty_.InsertBack(s);
    goto havespan;
  }
  // A full span that has not been swept yet may free something.
  for (s = empty_.First(); s != empty_.End(); s = s->next) {
    if (s->sweepgen == sg - 2) {
      s->sweepgen = sg - 1;
      MSpanList::Remove(s);
      empty_.InsertBack(s);  // swept spans are at the end
      sweeper_.Sweep(s, /*preserve=*/true);
      if (!s->freelist.empty()) goto havespan;
      goto retry;
    }
    if (s->sweepgen == sg - 1) continue;
    break;  // the rest is swept or being swept
  }
  s = Grow();
  if (s == nullptr) return nullptr;
  empty_.InsertBack(s);

havespan:
  THP_CHECK(s->Capacity() > s->ref, "empty span");
  THP_CHECK(!s->freelist.empty(), "freelist empty");
  s->incache = true;
  return s;
}

void MCentral::UncacheSpan(MSpan* s) {
  s->incache = false;
  THP_CHECK(s->ref != 0, "uncaching full span");
  if (s->Capacity() > s->ref) {
    MSpanList::Remove(s);
    nonempty_.Insert(s);
  }
}

bool MCentral::FreeSpan(MSpan* s, const std::vector<uint16_t>& freed, bool preserve) {
  THP_CHECK(!s->incache, "freespan into cached span");
  const bool wasempty = s->freelist.empty();
  // The freed chain goes in front of the old list, in address order.
  for (auto it = freed.rbegin(); it != freed.rend(); ++it) {
    THP_CHECK(s->allocated[*it], "freeing a free object");
    s->allocated.Reset(*it);
    s->freelist.push_back(*it);
  }
  s->ref = static_cast<uint16_t>(s->ref - freed.size());
  if (preserve) {
    THP_CHECK(s->next != nullptr, "can't preserve unlinked span");
    s->sweepgen = heap_.sweepgen();
    return false;
  }
  if (wasempty) {
    MSpanList::Remove(s);
    nonempty_.Insert(s);
  }
  s->sweepgen = heap_.sweepgen();
  if (s->ref != 0) return false;
  // Completely free: back to the heap.
  MSpanList::Remove(s);
  s->needzero = 1;
  s->freelist.clear();
  heap_.Free(s, /*acct=*/false);
  return true;
}

MSpan* MCentral::Grow() {
  const SizeClasses& t = GetSizeClasses();
  const PageCount npages(t.ClassToAllocNPages(sizeclass_));
  const uintptr_t size = t.ClassToSize(sizeclass_);
  const uintptr_t n = npages.bytes() / size;
  MSpan* s = heap_.Alloc(npages, sizeclass_, /*large=*/false, /*needzero=*/true);
  if (s == nullptr) return nullptr;
  s->limit = s->base() + size * n;
  THP_CHECK(s->freelist.empty(), "freelist not empty");
  s->allocated.AssignClear(n);
  for (uintptr_t i = n; i > 0; --i) s->freelist.push_back(static_cast<uint16_t>(i - 1));
  return s;
}

}  // namespace thp
