#include "mheap/go15/mcache.h"

#include <algorithm>

#include "runtime_port/base/check.h"

namespace thp {

Malloc::Malloc(MHeap& heap, SpanSweeper& sweeper, GcTrigger& trigger, int nprocs)
    : heap_(heap), sweeper_(sweeper), trigger_(trigger), caches_(static_cast<size_t>(nprocs)) {
  for (int c = 0; c < kNumSizeClasses; ++c) {
    central_.push_back(std::make_unique<MCentral>(c, heap, sweeper));
  }
  // procresize, Go 1.5: P0 takes m0's mcache (allocated by mallocinit); the
  // other Ps get new ones.
  for (int p = 1; p < nprocs; ++p) heap.AllocMCacheRecord();
}

MSpan* Malloc::Refill(int p, int sizeclass) {
  MCache& c = cache(p);
  MSpan* s = c.alloc[static_cast<size_t>(sizeclass)];
  if (s != nullptr) {
    THP_CHECK(s->freelist.empty(), "refill on a nonempty span");
    s->incache = false;
  }
  heap_.set_current_p(p);
  s = central(sizeclass).CacheSpan();
  if (s == nullptr) Throw("out of memory");
  THP_CHECK(!s->freelist.empty(), "empty span");
  c.alloc[static_cast<size_t>(sizeclass)] = s;
  return s;
}

void Malloc::ReleaseAll(int p) {
  MCache& c = cache(p);
  for (int i = 0; i < kNumSizeClasses; ++i) {
    MSpan*& s = c.alloc[static_cast<size_t>(i)];
    if (s != nullptr) {
      central(i).UncacheSpan(s);
      s = nullptr;
    }
  }
}

void Malloc::ReleaseAllCaches() {
  for (int p = 0; p < nprocs(); ++p) ReleaseAll(p);
}

uintptr_t Malloc::TakeObject(MSpan* s) {
  const uint16_t slot = s->freelist.back();
  s->freelist.pop_back();
  s->allocated.Set(slot);
  ++s->ref;
  return s->base() + slot * s->elemsize;
}

MSpan* Malloc::LargeAlloc(uintptr_t size, bool needzero) {
  if (size + kPageSize < size) Throw("out of memory");
  const PageCount npages = PageCount::ForBytes(size);
  sweeper_.DeductSweepCredit(npages.bytes(), npages.raw());
  MSpan* s = heap_.Alloc(npages, 0, /*large=*/true, needzero);
  if (s == nullptr) Throw("out of memory");
  s->limit = s->base() + size;
  return s;
}

uintptr_t Malloc::TinyOffset(uintptr_t off, uintptr_t size) {
  if ((size & 7) == 0) return RoundUpTo(off, 8);
  if ((size & 3) == 0) return RoundUpTo(off, 4);
  if ((size & 1) == 0) return RoundUpTo(off, 2);
  return off;
}

bool Malloc::FitsTinyBlock(const MCache& c, uintptr_t size, uintptr_t* off) {
  *off = TinyOffset(c.tinyoffset, size);
  return *off + size <= kTinySize && c.tiny != 0;
}

bool Malloc::NeedsRefill(uintptr_t size, bool noscan, int p) const {
  if (size == 0) return false;  // &zerobase
  if (size > kMaxSmallSize) return true;
  const MCache& c = caches_[static_cast<size_t>(p)];
  int sizeclass = kTinySizeClass;
  if (noscan && size < kTinySize) {
    uintptr_t off;
    if (FitsTinyBlock(c, size, &off)) return false;
  } else {
    sizeclass = GetSizeClasses().SizeToClass(size);
  }
  const MSpan* s = c.alloc[static_cast<size_t>(sizeclass)];
  return s == nullptr || s->freelist.empty();
}

uintptr_t Malloc::MallocGC(uintptr_t size, bool noscan, int p) {
  if (size == 0) return kZeroBase;
  MCache& c = cache(p);
  heap_.set_current_p(p);
  bool shouldhelpgc = false;
  uintptr_t x = 0;
  if (size <= kMaxSmallSize) {
    if (noscan && size < kTinySize) {
      // The tiny allocator: several tiny noscan objects share a 16-byte block.
      uintptr_t off;
      if (FitsTinyBlock(c, size, &off)) {
        x = c.tiny + off;
        c.tinyoffset = off + size;
        ++c.local_tinyallocs;
        trigger_.NewObject(x);
        return x;
      }
      MSpan* s = c.alloc[kTinySizeClass];
      if (s == nullptr || s->freelist.empty()) {
        s = Refill(p, kTinySizeClass);
        shouldhelpgc = true;
      }
      x = TakeObject(s);
      // Go 1.5 adopts the new block only if it leaves more room than the old
      // one; with no block yet (tinyoffset 0) it never does. Go 1.6+ also
      // adopts it when there is no block ("|| c.tiny == nil"); this port
      // keeps 1.5's condition.
      if (size < c.tinyoffset) {
        c.tiny = x;
        c.tinyoffset = size;
      }
      size = kTinySize;
    } else {
      const int sizeclass = GetSizeClasses().SizeToClass(size);
      size = GetSizeClasses().ClassToSize(sizeclass);
      MSpan* s = c.alloc[static_cast<size_t>(sizeclass)];
      if (s == nullptr || s->freelist.empty()) {
        s = Refill(p, sizeclass);
        shouldhelpgc = true;
      }
      x = TakeObject(s);
    }
    c.local_cachealloc += size;
  } else {
    shouldhelpgc = true;
    MSpan* s = LargeAlloc(size, /*needzero=*/true);
    x = s->base();
    size = s->elemsize;
  }
  if (!noscan) c.local_scan += size;  // the model has no ptrdata: all of it is scannable
  trigger_.NewObject(x);
  trigger_.AfterMalloc(shouldhelpgc, x);
  return x;
}

int64_t Malloc::MallocGCTransientRun(uintptr_t size, bool noscan, int p, int64_t count,
                                     bool stop_before_refill) {
  if (size == 0 || count <= 0) return std::max<int64_t>(count, 0);
  const int64_t asked = count;
  if (size > kMaxSmallSize || (noscan && size < kTinySize) || trigger_.SeesEachObject()) {
    // Large objects refill every time; tiny ones share blocks; the GC
    // must see each one (the write barrier shades it, or it has a
    // finalizer): one by one.
    for (int64_t i = 0; i < count; ++i) {
      if (stop_before_refill && NeedsRefill(size, noscan, p)) return i;
      MallocGC(size, noscan, p);
      if (trigger_.ProgramWaits()) return i + 1;
    }
    return count;
  }
  const int sizeclass = GetSizeClasses().SizeToClass(size);
  const uintptr_t elemsize = GetSizeClasses().ClassToSize(sizeclass);
  MCache& c = cache(p);
  while (count > 0) {
    MSpan* s = c.alloc[static_cast<size_t>(sizeclass)];
    if (s == nullptr || s->freelist.empty() || trigger_.SeesEachObject()) {
      // The refill, and the GC check that follows it, as mallocgc makes
      // them; or, once a refill started a cycle whose barrier shades the
      // objects, the rest one by one. An allocation after which the
      // goroutine must wait ends the run.
      if (stop_before_refill && (s == nullptr || s->freelist.empty())) return asked - count;
      MallocGC(size, noscan, p);
      --count;
      if (trigger_.ProgramWaits()) return asked - count;
      continue;
    }
    heap_.set_current_p(p);
    const size_t take = static_cast<size_t>(std::min<int64_t>(count, static_cast<int64_t>(s->freelist.size())));
    for (size_t i = 0; i < take; ++i) {
      s->allocated.Set(s->freelist.back());
      s->freelist.pop_back();
    }
    s->ref = static_cast<uint16_t>(s->ref + take);
    c.local_cachealloc += take * elemsize;
    if (!noscan) c.local_scan += take * elemsize;
    count -= static_cast<int64_t>(take);
  }
  return asked;
}

}  // namespace thp
