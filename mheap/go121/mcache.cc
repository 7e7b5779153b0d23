#include "mheap/go121/mcache.h"

#include <algorithm>

#include "mheap/go121/mbitmap.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace go121 {

Malloc::Malloc(MHeap& heap, Sweeper& sweeper, GcController& pacer, GcTrigger& trigger,
               int nprocs)
    : heap_(heap), sweeper_(sweeper), pacer_(pacer), trigger_(trigger),
      caches_(static_cast<size_t>(nprocs)) {
  for (MCache& c : caches_) c.flush_gen = sweeper_.sweepgen();
}

// mcache.refill, go1.21.0.
void Malloc::Refill(int p, SpanClass spc) {
  MCache& c = cache(p);
  MSpan* s = c.alloc[spc];
  if (s != nullptr) {
    THP_CHECK(s->alloc_count == s->nelems, "refill of span with free space remaining");
    THP_CHECK(s->sweepgen == sweeper_.sweepgen() + 3, "bad sweepgen in refill");
    sweeper_.central(spc).UncacheSpan(s);
    const int64_t slots_used = int64_t{s->alloc_count} - s->alloc_count_before_cache;
    pacer_.AddTotalAlloc(slots_used * static_cast<int64_t>(s->elemsize));
    if (spc == kTinySpanClass) c.tiny_allocs = 0;
    s->alloc_count_before_cache = 0;
  }
  heap_.set_current_p(p);
  s = sweeper_.central(spc).CacheSpan();
  if (s == nullptr) Throw("out of memory");
  THP_CHECK(s->alloc_count != s->nelems, "span has no free space");
  // Indicate that this span is cached and prevent asynchronous sweeping in
  // the next sweep phase.
  s->sweepgen = sweeper_.sweepgen() + 3;
  s->alloc_count_before_cache = s->alloc_count;
  // The whole span counts as live until it is uncached: its free slots are
  // about to be allocated without telling the pacer.
  const uintptr_t used_bytes = uintptr_t{s->alloc_count} * s->elemsize;
  pacer_.Update(static_cast<int64_t>(s->npages * kPageSize) - static_cast<int64_t>(used_bytes),
                static_cast<int64_t>(c.scan_alloc));
  c.scan_alloc = 0;
  c.alloc[spc] = s;
}

// mcache.releaseAll, go1.21.0.
void Malloc::ReleaseAll(int p) {
  MCache& c = cache(p);
  const int64_t scan_alloc = static_cast<int64_t>(c.scan_alloc);
  c.scan_alloc = 0;
  const uint32_t sg = sweeper_.sweepgen();
  int64_t d_heap_live = 0;
  for (int i = 0; i < kNumSpanClasses; ++i) {
    MSpan*& s = c.alloc[static_cast<size_t>(i)];
    if (s == nullptr) continue;
    const int64_t slots_used = int64_t{s->alloc_count} - s->alloc_count_before_cache;
    s->alloc_count_before_cache = 0;
    pacer_.AddTotalAlloc(slots_used * static_cast<int64_t>(s->elemsize));
    if (s->sweepgen != sg + 1) {
      // refill counted the unallocated slots in heapLive; undo that. (A
      // stale span's were reset to the marked bytes already.)
      d_heap_live -= (int64_t{s->nelems} - s->alloc_count) * static_cast<int64_t>(s->elemsize);
    }
    sweeper_.central(static_cast<SpanClass>(i)).UncacheSpan(s);
    s = nullptr;
  }
  c.tiny = 0;
  c.tinyoffset = 0;
  c.tiny_allocs = 0;
  pacer_.Update(d_heap_live, scan_alloc);
}

// mcache.prepareForSweep (its stackcache_clear is the stack allocator's).
void Malloc::PrepareForSweep(int p) {
  MCache& c = cache(p);
  const uint32_t sg = sweeper_.sweepgen();
  if (c.flush_gen == sg) return;
  THP_CHECK(c.flush_gen == sg - 2, "bad flushGen");
  ReleaseAll(p);
  c.flush_gen = sg;
}

// mcache.nextFree, go1.21.0 (nextFreeFast folded in: both take the lowest
// free slot at or above freeindex).
uintptr_t Malloc::NextFree(int p, SpanClass spc, bool* shouldhelpgc) {
  MCache& c = cache(p);
  MSpan* s = c.alloc[spc];
  uint16_t free_index = NextFreeIndex(s);
  const uint16_t nelems = s == nullptr ? 0 : s->nelems;
  if (free_index == nelems) {
    THP_CHECK(s == nullptr || s->alloc_count == s->nelems, "s.allocCount != s.nelems && freeIndex == s.nelems");
    Refill(p, spc);
    *shouldhelpgc = true;
    s = c.alloc[spc];
    free_index = NextFreeIndex(s);
  }
  THP_CHECK(free_index < s->nelems, "freeIndex is not valid");
  ++s->alloc_count;
  THP_CHECK(s->alloc_count <= s->nelems, "s.allocCount > s.nelems");
  return s->base() + uintptr_t{free_index} * s->elemsize;
}

// mcache.allocLarge, go1.21.0.
MSpan* Malloc::AllocLarge(uintptr_t size, bool noscan) {
  if (size + kPageSize < size) Throw("out of memory");
  const uintptr_t npages = (size + kPageSize - 1) >> kPageShift;
  sweeper_.DeductSweepCredit(npages * kPageSize, npages);
  const SpanClass spc = MakeSpanClass(0, noscan);
  MSpan* s = heap_.Alloc(npages, spc);
  if (s == nullptr) Throw("out of memory");
  InitHeapSpanObjects(s, sweeper_.sweepgen());
  pacer_.AddTotalAlloc(static_cast<int64_t>(npages * kPageSize));
  pacer_.Update(static_cast<int64_t>(s->npages * kPageSize), 0);
  // On the full swept set, where the next cycle's sweeper finds it.
  sweeper_.central(spc).FullSwept(sweeper_.sweepgen()).Push(s);
  s->obj_limit = s->base() + size;
  return s;
}

// mallocgc, go1.21.0.
uintptr_t Malloc::MallocGC(uintptr_t size, bool noscan, int p) {
  if (size == 0) return kZeroBase;
  MCache& c = cache(p);
  heap_.set_current_p(p);
  bool shouldhelpgc = false;
  uintptr_t x = 0;
  if (size <= kMaxSmallSize) {
    if (noscan && size < kMaxTinySize) {
      // Tiny noscan objects share 16-byte blocks, aligned to their size.
      uintptr_t off = c.tinyoffset;
      if ((size & 7) == 0) {
        off = (off + 7) & ~uintptr_t{7};
      } else if ((size & 3) == 0) {
        off = (off + 3) & ~uintptr_t{3};
      } else if ((size & 1) == 0) {
        off = (off + 1) & ~uintptr_t{1};
      }
      if (off + size <= kMaxTinySize && c.tiny != 0) {
        x = c.tiny + off;
        c.tinyoffset = off + size;
        ++c.tiny_allocs;
        return x;
      }
      x = NextFree(p, kTinySpanClass, &shouldhelpgc);
      // Keep whichever block has more room left (or the new one if there
      // was none).
      if (size < c.tinyoffset || c.tiny == 0) {
        c.tiny = x;
        c.tinyoffset = size;
      }
      size = kMaxTinySize;
    } else {
      const int sizeclass = SizeClasses::SizeToClass(size);
      size = SizeClasses::ClassToSize(sizeclass);
      x = NextFree(p, MakeSpanClass(sizeclass, noscan), &shouldhelpgc);
      if (!noscan) c.scan_alloc += size;
    }
  } else {
    shouldhelpgc = true;
    MSpan* s = AllocLarge(size, noscan);
    s->freeindex = 1;
    s->alloc_count = 1;
    size = s->elemsize;
    x = s->base();
    if (!noscan) c.scan_alloc += size;
  }
  trigger_.AfterMalloc(shouldhelpgc, x);
  return x;
}

void Malloc::MallocGCTransientRun(uintptr_t size, bool noscan, int p, int64_t count) {
  if (size == 0 || count <= 0) return;
  if (size > kMaxSmallSize || (noscan && size < kMaxTinySize)) {
    for (int64_t i = 0; i < count; ++i) MallocGC(size, noscan, p);
    return;
  }
  const int sizeclass = SizeClasses::SizeToClass(size);
  const uintptr_t elemsize = SizeClasses::ClassToSize(sizeclass);
  const SpanClass spc = MakeSpanClass(sizeclass, noscan);
  MCache& c = cache(p);
  while (count > 0) {
    MSpan* s = c.alloc[spc];
    if (s == nullptr || s->alloc_count == s->nelems) {
      MallocGC(size, noscan, p);  // the refill and its GC check
      --count;
      continue;
    }
    heap_.set_current_p(p);
    // The free slots are exactly nelems - allocCount; take the lowest
    // `take` of them, as that many nextFreeIndex calls would.
    const int64_t take = std::min<int64_t>(count, int64_t{s->nelems} - s->alloc_count);
    for (int64_t i = 0; i < take; ++i) {
      const uint16_t idx = NextFreeIndex(s);
      THP_CHECK(idx < s->nelems, "transient run: no free slot in a span with free count");
    }
    s->alloc_count = static_cast<uint16_t>(s->alloc_count + take);
    if (!noscan) c.scan_alloc += static_cast<uint64_t>(take) * elemsize;
    count -= take;
  }
}

}  // namespace go121
}  // namespace thp
