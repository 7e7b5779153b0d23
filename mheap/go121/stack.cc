#include "mheap/go121/stack.h"

#include "runtime_port/base/check.h"

namespace thp {
namespace go121 {
namespace {

int StackOrder(uintptr_t n) {
  int order = 0;
  for (uintptr_t n2 = n; n2 > kFixedStack; n2 >>= 1) ++order;
  return order;
}

// stacklog2.
int StackLog2(uintptr_t n) {
  int log2 = 0;
  while (n > 1) {
    n >>= 1;
    ++log2;
  }
  return log2;
}

}  // namespace

StackAllocator::StackAllocator(MHeap& heap, int nprocs)
    : heap_(heap), caches_(static_cast<size_t>(nprocs)) {}

void StackAllocator::ListInsert(PoolSpan& ps) {
  THP_CHECK(!ps.listed, "stack span already on its pool list");
  pool_[ps.order].push_front(ps.span);
  ps.pos = pool_[ps.order].begin();
  ps.listed = true;
}

void StackAllocator::ListRemove(PoolSpan& ps) {
  THP_CHECK(ps.listed, "stack span not on its pool list");
  pool_[ps.order].erase(ps.pos);
  ps.listed = false;
}

StackAllocator::PoolSpan& StackAllocator::PoolSpanOf(uintptr_t x) {
  auto it = pool_spans_.upper_bound(x);
  THP_CHECK(it != pool_spans_.begin(), "stackpoolfree: not a pool stack");
  --it;
  THP_CHECK(x < it->second.span->limit() && it->second.span->state == SpanState::kManual,
            "stackpoolfree: bad span state");
  return it->second;
}

// stackpoolalloc, go1.21.0.
uintptr_t StackAllocator::PoolAlloc(int order) {
  std::list<MSpan*>& list = pool_[order];
  PoolSpan* ps = nullptr;
  if (list.empty()) {
    MSpan* s = heap_.AllocManual(kStackCacheSize / kPageSize, SpanAllocType::kStack);
    if (s == nullptr) Throw("out of memory");
    PoolSpan& n = pool_spans_[s->base()];
    n = PoolSpan{};
    n.span = s;
    n.order = order;
    const uintptr_t elemsize = kFixedStack << order;
    // Carved in address order, each pushed on the list's head: the highest
    // stack comes out first.
    for (uintptr_t i = 0; i < kStackCacheSize; i += elemsize) n.free.push_back(s->base() + i);
    ListInsert(n);
    ps = &n;
  } else {
    ps = &pool_spans_.at(list.front()->base());
  }
  THP_CHECK(!ps->free.empty(), "span has no free stacks");
  const uintptr_t x = ps->free.back();
  ps->free.pop_back();
  ++ps->alloc_count;
  if (ps->free.empty()) ListRemove(*ps);  // all its stacks are allocated
  return x;
}

// stackpoolfree, go1.21.0.
void StackAllocator::PoolFree(uintptr_t x, int order) {
  PoolSpan& ps = PoolSpanOf(x);
  THP_CHECK(ps.order == order, "stackpoolfree: wrong order");
  if (ps.free.empty()) ListInsert(ps);  // it has a free stack again
  ps.free.push_back(x);
  --ps.alloc_count;
  if (!gc_running_ && ps.alloc_count == 0) {
    // Completely free while sweeping: straight back to the heap.
    ListRemove(ps);
    MSpan* s = ps.span;
    pool_spans_.erase(s->base());
    heap_.FreeManual(s, SpanAllocType::kStack);
  }
}

// stackcacherefill: half a cache's worth from the pool.
void StackAllocator::CacheRefill(int p, int order) {
  CacheEntry& c = caches_[p][order];
  std::vector<uintptr_t> grabbed;
  uintptr_t size = 0;
  while (size < kStackCacheSize / 2) {
    grabbed.push_back(PoolAlloc(order));
    size += kFixedStack << order;
  }
  // Each stack was pushed on the head, so the last grabbed comes out first.
  c.list = std::move(grabbed);
  c.size = size;
}

// stackcacherelease: back to half a cache.
void StackAllocator::CacheRelease(int p, int order) {
  CacheEntry& c = caches_[p][order];
  while (c.size > kStackCacheSize / 2) {
    const uintptr_t x = c.list.back();
    c.list.pop_back();
    PoolFree(x, order);
    c.size -= kFixedStack << order;
  }
}

// stackcache_clear.
void StackAllocator::ClearCache(int p) {
  for (int order = 0; order < kNumStackOrders; ++order) {
    CacheEntry& c = caches_[p][order];
    while (!c.list.empty()) {
      const uintptr_t x = c.list.back();
      c.list.pop_back();
      PoolFree(x, order);
    }
    c.size = 0;
  }
}

// stackalloc, go1.21.0.
uintptr_t StackAllocator::Alloc(uintptr_t n, int p) {
  THP_CHECK((n & (n - 1)) == 0, "stack size not a power of 2");
  if (n < (kFixedStack << kNumStackOrders) && n < kStackCacheSize) {
    const int order = StackOrder(n);
    if (p < 0) return PoolAlloc(order);
    CacheEntry& c = caches_[p][order];
    if (c.list.empty()) CacheRefill(p, order);
    const uintptr_t x = c.list.back();
    c.list.pop_back();
    c.size -= n;
    return x;
  }
  const uintptr_t npage = n >> kPageShift;
  std::list<MSpan*>& free = large_[StackLog2(npage)];
  MSpan* s = nullptr;
  if (!free.empty()) {
    s = free.front();
    free.pop_front();
  } else {
    s = heap_.AllocManual(npage, SpanAllocType::kStack);
    if (s == nullptr) Throw("out of memory");
  }
  return s->base();
}

// stackfree, go1.21.0.
void StackAllocator::Free(uintptr_t lo, uintptr_t n, int p) {
  THP_CHECK((n & (n - 1)) == 0, "stack size not a power of 2");
  if (n < (kFixedStack << kNumStackOrders) && n < kStackCacheSize) {
    const int order = StackOrder(n);
    if (p < 0) {
      PoolFree(lo, order);
      return;
    }
    CacheEntry& c = caches_[p][order];
    if (c.size >= kStackCacheSize) CacheRelease(p, order);
    c.list.push_back(lo);
    c.size += n;
    return;
  }
  MSpan* s = heap_.SpanOf(lo);
  THP_CHECK(s != nullptr && s->state == SpanState::kManual && s->base() == lo,
            "bad span state");
  if (!gc_running_) {
    heap_.FreeManual(s, SpanAllocType::kStack);
  } else {
    // A span freed during the GC could be reused as a heap span while the
    // GC looks at it: keep it for freeStackSpans.
    large_[StackLog2(s->npages)].push_front(s);
  }
}

// freeStackSpans, go1.21.0.
void StackAllocator::FreeStackSpans() {
  for (int order = 0; order < kNumStackOrders; ++order) {
    std::list<MSpan*>& list = pool_[order];
    for (auto it = list.begin(); it != list.end();) {
      MSpan* s = *it++;
      PoolSpan& ps = pool_spans_.at(s->base());
      if (ps.alloc_count == 0) {
        ListRemove(ps);
        pool_spans_.erase(s->base());
        heap_.FreeManual(s, SpanAllocType::kStack);
      }
    }
  }
  for (std::list<MSpan*>& free : large_) {
    while (!free.empty()) {
      MSpan* s = free.front();
      free.pop_front();
      heap_.FreeManual(s, SpanAllocType::kStack);
    }
  }
}

size_t StackAllocator::LargeFreeSpans() const {
  size_t n = 0;
  for (const auto& l : large_) n += l.size();
  return n;
}

}  // namespace go121
}  // namespace thp
