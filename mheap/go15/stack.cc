#include "mheap/go15/stack.h"

#include "runtime_port/base/check.h"

namespace thp {

StackAllocator::StackAllocator(MHeap& heap, int nprocs)
    : heap_(heap), cache_(static_cast<size_t>(nprocs)) {}

int StackAllocator::OrderOf(uintptr_t n) {
  int order = 0;
  for (uintptr_t n2 = n; n2 > kFixedStack; n2 >>= 1) ++order;
  return order;
}

uintptr_t StackAllocator::PoolAlloc(int order) {
  // Mirrors stackpoolalloc, Go 1.5.
  MSpanList& list = pool_[static_cast<size_t>(order)];
  MSpan* s = list.First();
  if (s == list.End()) {
    s = heap_.AllocStack(PageCount(kStackCacheSize >> kPageShift));
    if (s == nullptr) Throw("out of memory");
    THP_CHECK(s->ref == 0, "bad ref");
    THP_CHECK(s->freelist.empty(), "bad freelist");
    const uintptr_t step = kFixedStack << order;
    s->elemsize = step;
    s->allocated.AssignClear(kStackCacheSize / step);
    for (uintptr_t i = 0; i < kStackCacheSize / step; ++i) {
      s->freelist.push_back(static_cast<uint16_t>(i));  // pushed in front: the last is the head
    }
    list.Insert(s);
  }
  THP_CHECK(!s->freelist.empty(), "span has no free stacks");
  const uint16_t slot = s->freelist.back();
  s->freelist.pop_back();
  s->allocated.Set(slot);
  ++s->ref;
  if (s->freelist.empty()) MSpanList::Remove(s);  // all its stacks are in use
  return s->base() + slot * s->elemsize;
}

void StackAllocator::PoolFree(uintptr_t x, int order) {
  // Mirrors stackpoolfree, Go 1.5.
  MSpan* s = heap_.Lookup(x);
  THP_CHECK(s != nullptr && s->state == SpanState::kStack, "freeing stack not in a stack span");
  if (s->freelist.empty()) pool_[static_cast<size_t>(order)].Insert(s);
  const uint16_t slot = static_cast<uint16_t>((x - s->base()) / s->elemsize);
  THP_CHECK(s->allocated[slot], "freeing a free stack");
  s->allocated.Reset(slot);
  s->freelist.push_back(slot);
  --s->ref;
  if (!gc_running_ && s->ref == 0) {
    // Completely free: back to the heap now, unless a GC cycle is running.
    MSpanList::Remove(s);
    s->freelist.clear();
    s->allocated.clear();
    heap_.FreeStack(s);
  }
}

void StackAllocator::CacheRefill(int p, int order) {
  // Mirrors stackcacherefill: half of the cache's capacity from the pool.
  CacheList& c = cache_[static_cast<size_t>(p)][static_cast<size_t>(order)];
  std::vector<uintptr_t> list;
  uintptr_t size = 0;
  while (size < kStackCacheSize / 2) {
    list.push_back(PoolAlloc(order));  // each pushed in front
    size += kFixedStack << order;
  }
  c.list = std::move(list);
  c.size = size;
}

void StackAllocator::CacheRelease(int p, int order) {
  // Mirrors stackcacherelease: back to half capacity, from the head.
  CacheList& c = cache_[static_cast<size_t>(p)][static_cast<size_t>(order)];
  while (c.size > kStackCacheSize / 2) {
    const uintptr_t x = c.list.back();
    c.list.pop_back();
    PoolFree(x, order);
    c.size -= kFixedStack << order;
  }
}

void StackAllocator::ClearCache(int p) {
  for (int order = 0; order < kNumStackOrders; ++order) {
    CacheList& c = cache_[static_cast<size_t>(p)][static_cast<size_t>(order)];
    while (!c.list.empty()) {
      const uintptr_t x = c.list.back();
      c.list.pop_back();
      PoolFree(x, order);
    }
    c.size = 0;
  }
}

uintptr_t StackAllocator::Alloc(uintptr_t n, int p) {
  THP_CHECK((n & (n - 1)) == 0 && n >= kFixedStack, "stack size not a power of 2");
  if (n < (kFixedStack << kNumStackOrders) && n < kStackCacheSize) {
    const int order = OrderOf(n);
    if (p < 0) return PoolAlloc(order);
    CacheList& c = cache_[static_cast<size_t>(p)][static_cast<size_t>(order)];
    if (c.list.empty()) CacheRefill(p, order);
    const uintptr_t x = c.list.back();
    c.list.pop_back();
    c.size -= n;
    return x;
  }
  MSpan* s = heap_.AllocStack(PageCount::ForBytes(n));
  if (s == nullptr) Throw("out of memory");
  return s->base();
}

void StackAllocator::Free(uintptr_t lo, uintptr_t n, int p) {
  THP_CHECK((n & (n - 1)) == 0, "stack not a power of 2");
  if (n < (kFixedStack << kNumStackOrders) && n < kStackCacheSize) {
    const int order = OrderOf(n);
    if (p < 0) {
      PoolFree(lo, order);
      return;
    }
    CacheList& c = cache_[static_cast<size_t>(p)][static_cast<size_t>(order)];
    if (c.size >= kStackCacheSize) CacheRelease(p, order);
    c.list.push_back(lo);
    c.size += n;
    return;
  }
  MSpan* s = heap_.Lookup(lo);
  THP_CHECK(s != nullptr && s->state == SpanState::kStack, "bad span state");
  if (!gc_running_) {
    heap_.FreeStack(s);
  } else {
    free_queue_.Insert(s);  // freed at the end of the GC cycle
  }
}

void StackAllocator::FreeStackSpans() {
  for (MSpanList& list : pool_) {
    for (MSpan* s = list.First(); s != list.End();) {
      MSpan* next = s->next;
      if (s->ref == 0) {
        MSpanList::Remove(s);
        s->freelist.clear();
        s->allocated.clear();
        heap_.FreeStack(s);
      }
      s = next;
    }
  }
  while (!free_queue_.IsEmpty()) {
    MSpan* s = free_queue_.First();
    MSpanList::Remove(s);
    heap_.FreeStack(s);
  }
}

uintptr_t StackAllocator::CachedBytes(int p, int order) const {
  return cache_[static_cast<size_t>(p)][static_cast<size_t>(order)].size;
}

}  // namespace thp
