#include "mheap/go121/mcentral.h"

#include "mheap/go121/mbitmap.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace go121 {

// mcentral.cacheSpan, go1.21.0.
MSpan* MCentral::CacheSpan() {
  const int sizeclass = SizeClassOf(spanclass_);
  sweeper_.DeductSweepCredit(SizeClasses::ClassToAllocNPages(sizeclass) * kPageSize, 0);
  // Go bounds the unswept spans one call may look at.
  int span_budget = 100;
  const uint32_t sg = sweeper_.sweepgen();
  MSpan* s = PartialSwept(sg).Pop();
  if (s == nullptr && sweeper_.BeginSweep()) {
    for (; span_budget >= 0; --span_budget) {
      s = PartialUnswept(sg).Pop();
      if (s == nullptr) break;
      if (sweeper_.TryAcquire(s)) {
        sweeper_.Sweep(s, /*preserve=*/true);
        break;
      }
      // Swept by someone else, who put it on the right list.
      s = nullptr;
    }
    if (s == nullptr) {
      for (; span_budget >= 0; --span_budget) {
        MSpan* f = FullUnswept(sg).Pop();
        if (f == nullptr) break;
        if (!sweeper_.TryAcquire(f)) continue;
        sweeper_.Sweep(f, /*preserve=*/true);
        const uint16_t free_index = NextFreeIndex(f);
        if (free_index != f->nelems) {
          f->freeindex = free_index;
          s = f;
          break;
        }
        FullSwept(sg).Push(f);  // sweeping freed nothing
      }
    }
  }
  if (s == nullptr) {
    s = Grow();
    if (s == nullptr) return nullptr;
  }
  THP_CHECK(s->nelems > s->alloc_count && s->freeindex < s->nelems,
            "span has no free objects");
  return s;
}

// mcentral.uncacheSpan, go1.21.0.
void MCentral::UncacheSpan(MSpan* s) {
  THP_CHECK(s->alloc_count != 0, "uncaching span but s.allocCount == 0");
  const uint32_t sg = sweeper_.sweepgen();
  const bool stale = s->sweepgen == sg + 1;
  if (stale) {
    // Cached before this cycle's sweep began: ours to sweep, and sweeping
    // puts it on the right list (or frees it).
    s->sweepgen = sg - 1;
    sweeper_.Sweep(s, /*preserve=*/false);
    return;
  }
  s->sweepgen = sg;
  if (s->nelems > s->alloc_count) {
    PartialSwept(sg).Push(s);
  } else {
    FullSwept(sg).Push(s);
  }
}

// mcentral.grow, go1.21.0.
MSpan* MCentral::Grow() {
  const int sizeclass = SizeClassOf(spanclass_);
  MSpan* s = heap_.Alloc(SizeClasses::ClassToAllocNPages(sizeclass), spanclass_);
  if (s == nullptr) return nullptr;
  InitHeapSpanObjects(s, sweeper_.sweepgen());
  return s;
}

}  // namespace go121
}  // namespace thp
