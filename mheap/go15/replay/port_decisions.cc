#include "mheap/go15/replay/port_decisions.h"

namespace thp {
namespace heaplog {

AllocDone PortDecisions::AllocDoneOf(const MSpan* s, PageCount found_npages,
                                     PageCount found_npreleased) const {
  AllocDone d;
  if (s != nullptr) d.page = (s->start - arena_start_page_).raw();
  d.found_npages = found_npages.raw();
  d.found_npreleased = found_npreleased.raw();
  return d;
}

void PortDecisions::OnGrow(PageCount npage, uintptr_t ask, uintptr_t v) {
  Push(Grow{npage.raw(), ask, v});
}

void PortDecisions::OnFreeSpan(PageId start, PageCount npages, bool acctinuse, bool acctidle,
                               bool stamped, const MSpan& merged) {
  Free f;
  f.page = (start - arena_start_page_).raw();
  f.npages = npages.raw();
  if (acctinuse) {
    f.why = free_why_;
  } else {
    f.why = acctidle ? FreeWhy::kGrow : FreeWhy::kTrim;
  }
  f.acctinuse = acctinuse;
  f.acctidle = acctidle;
  f.stamped = stamped;
  f.merged_pages_before = (start - merged.start).raw();
  f.merged_npages = merged.npages.raw();
  f.merged_npreleased = merged.npreleased.raw();
  Push(f, merged.unusedsince);
}

void PortDecisions::OnAllocSpan(const MSpan* s, PageCount found_npages,
                                PageCount found_npreleased) {
  Push(AllocDoneOf(s, found_npages, found_npreleased));
}

void PortDecisions::OnSysAlloc(uintptr_t p, uintptr_t n, int err) {
  if (err == 0) sys_alloc_.Add(n);
  (void)p;
}

void PortDecisions::OnSysReserve(uintptr_t v, uintptr_t n, uintptr_t p, bool reserved) {
  SysReserve r;
  r.v = v;
  r.n = n;
  r.p = p;
  r.reserved = reserved;
  Push(r);
}

void PortDecisions::OnSysMap(uintptr_t v, uintptr_t n, bool reserved) {
  SysMap m;
  m.v = v;
  m.n = n;
  m.reserved = reserved;
  Push(m);
}

void PortDecisions::OnSysUnused(uintptr_t v, uintptr_t n) {
  SysUnused u;
  u.v = v;
  u.n = n;
  Push(u);
}

void PortDecisions::OnSysUsed(uintptr_t v, uintptr_t n) {
  SysUsed u;
  u.v = v;
  u.n = n;
  Push(u);
}

void PortDecisions::OnSysFree(uintptr_t v, uintptr_t n) {
  sys_free_.Add(n);
  (void)v;
}

void PortDecisions::OnMadvise(uintptr_t v, uintptr_t n, Advice advice, int err) {
  Madvise m;
  m.v = v;
  m.n = n;
  m.advice = static_cast<uint64_t>(LinuxAdvice(advice));
  m.result = -static_cast<int64_t>(err);
  Push(m);
}

}  // namespace heaplog
}  // namespace thp
