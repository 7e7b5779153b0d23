#include "mheap/go15/mheap.h"

#include <cstdio>

#include "mheap/go15/sweeper.h"

#include "absl/strings/str_format.h"
#include "mheap/go15/msize.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace {

constexpr uintptr_t kPtrSize = 8;
constexpr uintptr_t kSpansBytes = RoundUpTo(kArenaBytes / kPageSize * kPtrSize, kPageSize);
constexpr uintptr_t kBitmapBytes = kArenaBytes / (kPtrSize * 8 / 4);  // 2 bits per word

}  // namespace

MHeap::MHeap(MemLinux& mem, const Clock& clock, int nprocs)
    : mem_(mem),
      clock_(clock),
      palloc_(mem, stats_, nprocs),
      spanalloc_(kMSpanStructBytes, [this] { RecordSpan(); }, &stats_.mspan_sys,
                 &stats_.mspan_inuse, palloc_),
      cachealloc_(kMCacheStructBytes, nullptr, &stats_.mcache_sys, &stats_.mcache_inuse, palloc_) {
  // mallocinit, 64-bit: reserve spans + bitmap + arena at the first free
  // hint; on Linux this only probes 64 KiB there.
  const uintptr_t psize = kBitmapBytes + kSpansBytes + kArenaBytes + kPageSize;
  bool reserved = false;
  uintptr_t p = 0;
  for (uintptr_t i = 0; i <= 0x7f && p == 0; ++i) {
    p = mem_.SysReserve((i << 40) | uintptr_t{0xc000000000}, psize, &reserved);
  }
  if (p == 0) Throw("runtime: cannot reserve arena virtual address space");
  const uintptr_t p1 = RoundUpTo(p, kPageSize);
  layout_.reservation = p;
  layout_.spans = p1;
  layout_.bitmap = p1 + kSpansBytes;
  layout_.arena_start = p1 + kSpansBytes + kBitmapBytes;
  layout_.arena_used = layout_.arena_start;
  layout_.arena_end = p + psize;
  layout_.arena_reserved = reserved;
  arena_start_page_ = PageId::ForAddr(layout_.arena_start);
  if (mem_.policy().TracksChunkDensity()) {
    chunks_ = std::make_unique<ChunkTracker>(layout_.arena_start, mem_);
  }
  AllocMCacheRecord();  // m0's mcache: the first persistentalloc chunk
}

MSpan* MHeap::NewSpanStruct() {
  if (spanalloc_.Alloc(current_p_)) {
    MSpan* s = free_structs_.back();
    free_structs_.pop_back();
    return s;
  }
  span_structs_.emplace_back();
  MSpan* s = &span_structs_.back();
  s->serial = next_serial_++;
  return s;
}

void MHeap::FreeSpanStruct(MSpan* s) {
  s->state = SpanState::kDead;
  spanalloc_.Free();
  free_structs_.push_back(s);
}

void MHeap::RecordSpan() {
  // Mirrors recordspan, Go 1.5: allspans grows by half (at least 64 KiB of
  // pointers) in fresh sysAlloc memory; the old array is freed unless the
  // sweeper holds it.
  if (allspans_len_ >= allspans_cap_) {
    uintptr_t n = (64 << 10) / kPtrSize;
    if (n < allspans_cap_ * 3 / 2) n = allspans_cap_ * 3 / 2;
    const uintptr_t addr = mem_.SysAlloc(n * kPtrSize, &stats_.other_sys);
    if (addr == 0) Throw("runtime: cannot allocate memory");
    if (allspans_len_ > 0 && allspans_addr_ != gcspans_addr_) {
      mem_.SysFree(allspans_addr_, allspans_cap_ * kPtrSize, &stats_.other_sys);
    }
    allspans_addr_ = addr;
    allspans_cap_ = n;
  }
  ++allspans_len_;
}

void MHeap::MapBits(uintptr_t arena_used) {
  // Mirrors mHeap_MapBits, Go 1.5: the bitmap grows down from arena_start in
  // 8 KiB steps, one byte per 32 arena bytes.
  uintptr_t n = (arena_used - layout_.arena_start) / kHeapBitmapScale;
  n = RoundUpTo(n, kBitmapChunk);
  n = RoundUpTo(n, kOsPageSize);
  if (layout_.bitmap_mapped >= n) return;
  mem_.SysMap(layout_.arena_start - n, n - layout_.bitmap_mapped, layout_.arena_reserved,
              &stats_.gc_sys);
  layout_.bitmap_mapped = n;
}

void MHeap::MapSpans(uintptr_t arena_used) {
  // Mirrors mHeap_MapSpans, Go 1.5: one pointer per arena page, mapped an OS
  // page at a time.
  uintptr_t n = (arena_used - layout_.arena_start) / kPageSize * kPtrSize;
  n = RoundUpTo(n, kOsPageSize);
  if (layout_.spans_mapped >= n) return;
  mem_.SysMap(layout_.spans + layout_.spans_mapped, n - layout_.spans_mapped,
              layout_.arena_reserved, &stats_.other_sys);
  layout_.spans_mapped = n;
  spans_.resize(n / kPtrSize, nullptr);
}

uintptr_t MHeap::SysAllocArena(uintptr_t n) {
  // Mirrors mHeap_SysAlloc, Go 1.5, 64-bit path: take from the reservation
  // or fail; there is no second reservation on 64-bit.
  if (n > layout_.arena_end - layout_.arena_used) return 0;
  const uintptr_t p = layout_.arena_used;
  mem_.SysMap(p, n, layout_.arena_reserved, &stats_.heap_sys);
  MapBits(p + n);
  MapSpans(p + n);
  layout_.arena_used = p + n;
  THP_CHECK(p % kPageSize == 0, "misrounded allocation in MHeap_SysAlloc");
  mem_.HeapGrown(p, n);
  return p;
}

bool MHeap::Grow(PageCount npage) {
  // Mirrors mHeap_Grow, Go 1.5: a multiple of 64 KiB, at least 1 MiB, or
  // exactly what was asked if that much is not available.
  npage = PageCount(RoundUpTo(npage.raw(), (64 << 10) / kPageSize));
  uintptr_t ask = npage.bytes();
  if (ask < kHeapAllocChunk) ask = kHeapAllocChunk;
  uintptr_t v = SysAllocArena(ask);
  if (v == 0) {
    if (ask > npage.bytes()) {
      ask = npage.bytes();
      v = SysAllocArena(ask);
    }
    if (v == 0) {
      std::fprintf(stderr, "runtime: out of memory: cannot allocate %lu-byte block (%lu in use)\n",
                   static_cast<unsigned long>(ask), static_cast<unsigned long>(stats_.heap_sys));
      if (observer_ != nullptr) observer_->OnGrow(npage, ask, 0);
      return false;
    }
  }
  if (observer_ != nullptr) observer_->OnGrow(npage, ask, v);
  // A fake in-use span, freed so that it coalesces with its neighbours.
  MSpan* s = NewSpanStruct();
  s->Init(PageId::ForAddr(v), PageCount(ask >> kPageShift));
  for (PageId p = s->start; p < s->start + s->npages; p = p + PageCount(1)) SpanAt(p) = s;
  s->sweepgen = sweepgen_;
  s->state = SpanState::kInUse;
  FreeSpanLocked(s, /*acctinuse=*/false, /*acctidle=*/true, /*unusedsince=*/0);
  return true;
}

MSpan* MHeap::AllocLarge(PageCount npage) {
  // Mirrors mHeap_AllocLarge / bestFit, Go 1.5: the smallest span of at
  // least npage pages, the lowest address among equals.
  MSpan* best = nullptr;
  for (MSpan* s = freelarge_.First(); s != freelarge_.End(); s = s->next) {
    if (s->npages < npage) continue;
    if (best == nullptr || s->npages < best->npages ||
        (s->npages == best->npages && s->start < best->start)) {
      best = s;
    }
  }
  return best;
}

MSpan* MHeap::AllocSpanLocked(PageCount npage) {
  // Mirrors mHeap_AllocSpanLocked, Go 1.5.
  MSpan* s = nullptr;
  for (uintptr_t i = npage.raw(); i < kMaxMHeapList; ++i) {
    if (!free_[i].IsEmpty()) {
      s = free_[i].First();  // the most recently freed: LIFO
      break;
    }
  }
  if (s == nullptr) {
    s = AllocLarge(npage);
    if (s == nullptr) {
      if (!Grow(npage) || (s = AllocLarge(npage)) == nullptr) {
        if (observer_ != nullptr) observer_->OnAllocSpan(nullptr, PageCount(0), PageCount(0));
        return nullptr;
      }
    }
  }
  THP_CHECK(s->state == SpanState::kFree, "MHeap_AllocLocked - MSpan not free");
  THP_CHECK(s->npages >= npage, "MHeap_AllocLocked - bad npages");
  MSpanList::Remove(s);
  const PageCount found_npages = s->npages, found_npreleased = s->npreleased;
  if (s->npreleased > PageCount(0)) {
    // The whole span, before it is trimmed: Go 1.5.1's mHeap_AllocSpanLocked
    // (runtime/mheap.go) calls sysUsed on s before it splits off the rest.
    mem_.SysUsed(s->base(), s->npages.bytes());
    stats_.heap_released -= s->npreleased.bytes();
    s->npreleased = PageCount(0);
  }
  if (s->npages > npage) {
    // Trim the rest and free it: it keeps the old idle time and claims no
    // released pages, though sysUsed just covered it too.
    MSpan* t = NewSpanStruct();  // the allocation that failed in issue 12233
    t->Init(s->start + npage, s->npages - npage);
    s->npages = npage;
    if (t->start > arena_start_page_) SpanAt(t->start - PageCount(1)) = s;
    SpanAt(t->start) = t;
    SpanAt(t->start + t->npages - PageCount(1)) = t;
    t->needzero = s->needzero;
    s->state = SpanState::kStack;  // keeps t from coalescing back into s
    t->state = SpanState::kStack;
    FreeSpanLocked(t, /*acctinuse=*/false, /*acctidle=*/false, s->unusedsince);
    s->state = SpanState::kFree;
  }
  s->unusedsince = 0;
  for (PageId p = s->start; p < s->start + npage; p = p + PageCount(1)) SpanAt(p) = s;
  stats_.heap_inuse += npage.bytes();
  stats_.heap_idle -= npage.bytes();
  if (chunks_ != nullptr) chunks_->OnAlloc(s->base(), npage);
  if (observer_ != nullptr) observer_->OnAllocSpan(s, found_npages, found_npreleased);
  return s;
}

void MHeap::FreeSpanLocked(MSpan* s, bool acctinuse, bool acctidle, int64_t unusedsince) {
  // Mirrors mHeap_FreeSpanLocked, Go 1.5.
  switch (s->state) {
    case SpanState::kStack:
      THP_CHECK(s->ref == 0, "MHeap_FreeSpanLocked - invalid stack free");
      break;
    case SpanState::kInUse:
      THP_CHECK(s->ref == 0 && s->sweepgen == sweepgen_,
                absl::StrFormat("MHeap_FreeSpanLocked - invalid free: span %#x ref %d "
                                "sweepgen %d/%d", s->base(), s->ref, s->sweepgen, sweepgen_));
      break;
    default:
      THP_CHECK(false, "MHeap_FreeSpanLocked - invalid span state");
  }
  const PageId freed_start = s->start;
  const PageCount freed_npages = s->npages;
  if (acctinuse) stats_.heap_inuse -= s->npages.bytes();
  if (acctinuse && chunks_ != nullptr) chunks_->OnFree(s->base(), s->npages);
  if (acctidle) stats_.heap_idle += s->npages.bytes();
  s->state = SpanState::kFree;
  MSpanList::Remove(s);
  s->unusedsince = unusedsince != 0 ? unusedsince : clock_.NanoTime();
  s->npreleased = PageCount(0);

  // Coalesce with the span before, then the one after; the merged span keeps
  // the new idle time and the neighbours' released pages.
  if (s->start > arena_start_page_) {
    MSpan* t = SpanAt(s->start - PageCount(1));
    if (t != nullptr && t->state != SpanState::kInUse && t->state != SpanState::kStack) {
      s->start = t->start;
      s->npages += t->npages;
      s->npreleased = t->npreleased;  // s's own count is 0 here
      s->needzero |= t->needzero;
      SpanAt(s->start) = s;
      MSpanList::Remove(t);
      FreeSpanStruct(t);
    }
  }
  const PageId after = s->start + s->npages;
  if ((after - arena_start_page_).raw() * kPtrSize < layout_.spans_mapped) {
    MSpan* t = SpanAt(after);
    if (t != nullptr && t->state != SpanState::kInUse && t->state != SpanState::kStack) {
      s->npages += t->npages;
      s->npreleased += t->npreleased;
      s->needzero |= t->needzero;
      SpanAt(s->start + s->npages - PageCount(1)) = s;
      MSpanList::Remove(t);
      FreeSpanStruct(t);
    }
  }
  if (s->npages.raw() < kMaxMHeapList) {
    free_[s->npages.raw()].Insert(s);
  } else {
    freelarge_.Insert(s);
  }
  if (observer_ != nullptr) {
    observer_->OnFreeSpan(freed_start, freed_npages, acctinuse, acctidle, unusedsince == 0, *s);
  }
}

MSpan* MHeap::Alloc(PageCount npage, int sizeclass, bool large, bool needzero) {
  // Mirrors mHeap_Alloc_m + mHeap_Alloc, Go 1.5: reclaim and stat flushing
  // happen in the hooks, before the span is chosen.
  if (hooks_ != nullptr) hooks_->BeforeAlloc(npage);
  if (observer_ != nullptr) observer_->OnAllocRequest(npage, sizeclass, /*stack=*/false);
  MSpan* s = AllocSpanLocked(npage);
  if (s != nullptr) {
    s->sweepgen = sweepgen_;
    s->state = SpanState::kInUse;
    s->ref = 0;
    s->sizeclass = static_cast<uint8_t>(sizeclass);
    s->elemsize = sizeclass == 0 ? s->npages.bytes() : GetSizeClasses().ClassToSize(sizeclass);
    if (large) {
      ++stats_.heap_objects;
      stats_.heap_live += npage.bytes();
      if (s->npages.raw() < kMaxMHeapList) {
        busy_[s->npages.raw()].InsertBack(s);
      } else {
        busylarge_.InsertBack(s);
      }
    }
    if (needzero && s->needzero != 0) {
      // memclr: the port holds no data; only the flag matters.
    }
    s->needzero = 0;
    if (on_span_handout_) on_span_handout_(*s);
  }
  return s;
}

MSpan* MHeap::AllocStack(PageCount npage) {
  // Mirrors mHeap_AllocStack, Go 1.5.
  if (observer_ != nullptr) observer_->OnAllocRequest(npage, /*sizeclass=*/0, /*stack=*/true);
  MSpan* s = AllocSpanLocked(npage);
  if (s != nullptr) {
    s->state = SpanState::kStack;
    s->ref = 0;
    stats_.stacks_inuse += s->npages.bytes();
    if (on_span_handout_) on_span_handout_(*s);
  }
  return s;
}

void MHeap::Free(MSpan* s, bool acct) {
  // Mirrors mHeap_Free, Go 1.5.
  if (hooks_ != nullptr) hooks_->BeforeFree();
  if (acct) --stats_.heap_objects;
  if (observer_ != nullptr) {
    using Caller = MHeapObserver::FreeCaller;
    observer_->OnFreeCaller(acct ? Caller::kLarge : Caller::kCentral);
  }
  FreeSpanLocked(s, /*acctinuse=*/true, /*acctidle=*/true, /*unusedsince=*/0);
}

void MHeap::FreeStack(MSpan* s) {
  // Mirrors mHeap_FreeStack, Go 1.5.
  s->needzero = 1;
  stats_.stacks_inuse -= s->npages.bytes();
  if (observer_ != nullptr) observer_->OnFreeCaller(MHeapObserver::FreeCaller::kStack);
  FreeSpanLocked(s, /*acctinuse=*/true, /*acctidle=*/true, /*unusedsince=*/0);
}

uintptr_t MHeap::ScavengeList(MSpanList& list, uint64_t now, uint64_t limit, bool force) {
  // Mirrors scavengelist, Go 1.5 (runtime/mheap.go, unchanged in 1.5.1): the
  // whole span is released whenever any of it is not, since sysUnused gets
  // s.npages and not the unreleased part. The time test is unsigned. For the
  // chunk-tracking variants, spans in chunks that are not eligible stay.
  uintptr_t sum = 0;
  for (MSpan* s = list.First(); s != list.End(); s = s->next) {
    if (now - static_cast<uint64_t>(s->unusedsince) > limit && s->npreleased != s->npages) {
      if (chunks_ != nullptr) {
        if (!chunks_->Eligible(s->base(), s->npages, force)) continue;
        chunks_->BeforeRelease(s->base(), s->npages);
      }
      if (static_cast<uint64_t>(s->unusedsince) > now && observer_ != nullptr) {
        observer_->OnStaleRelease(s->npages);
      }
      const uintptr_t released = (s->npages - s->npreleased).bytes();
      stats_.heap_released += released;
      sum += released;
      s->npreleased = s->npages;
      mem_.SysUnused(s->base(), s->npages.bytes());
    }
  }
  return sum;
}

uintptr_t MHeap::Scavenge(int32_t k, uint64_t now, uint64_t limit) {
  // Mirrors mHeap_Scavenge's scan, Go 1.5: free[0..127], then freelarge.
  // FreeOSMemory's call (now = max, limit = 0) forces the chunk-tracking
  // variants past their density rule, as Go 1.21's forced scavenge does.
  // Go holds the heap lock from the first list to the last; the pass hooks
  // mark that section for the memory layer (a batching variant flushes its
  // releases at the end).
  const bool force = limit == 0 && now == ~uint64_t{0};
  uintptr_t sum = 0;
  if (observer_ != nullptr) observer_->OnScavenge(k, now, limit);
  mem_.BeginScavengePass();
  for (MSpanList& l : free_) sum += ScavengeList(l, now, limit, force);
  sum += ScavengeList(freelarge_, now, limit, force);
  mem_.EndScavengePass();
  if (observer_ != nullptr) observer_->OnScavengeDone(sum);
  return sum;
}

uintptr_t MHeap::ReclaimList(MSpanList& list, PageCount npages, SpanSweeper& sweeper) {
  // Mirrors mHeap_ReclaimList, Go 1.5: swept spans are moved to the end, so
  // the first already-swept span ends the walk.
  uintptr_t n = 0;
  const uint32_t sg = sweepgen_;
retry:
  for (MSpan* s = list.First(); s != list.End(); s = s->next) {
    if (s->sweepgen == sg - 2) {
      s->sweepgen = sg - 1;
      MSpanList::Remove(s);
      list.InsertBack(s);
      const uintptr_t snpages = s->npages.raw();
      if (sweeper.Sweep(s, /*preserve=*/false)) n += snpages;
      if (n >= npages.raw()) return n;
      goto retry;  // the span may have moved
    }
    if (s->sweepgen == sg - 1) continue;
    break;
  }
  return n;
}

void MHeap::Reclaim(PageCount npage, SpanSweeper& sweeper,
                    const std::function<uintptr_t()>& sweepone) {
  // Large objects of at least npage pages first, then larger ones, then
  // several smaller ones, then anything at all.
  for (uintptr_t i = npage.raw(); i < kMaxMHeapList; ++i) {
    if (ReclaimList(busy_[i], npage, sweeper) != 0) return;
  }
  if (ReclaimList(busylarge_, npage, sweeper) != 0) return;
  uintptr_t reclaimed = 0;
  for (uintptr_t i = 0; i < npage.raw() && i < kMaxMHeapList; ++i) {
    reclaimed += ReclaimList(busy_[i], PageCount(npage.raw() - reclaimed), sweeper);
    if (reclaimed >= npage.raw()) return;
  }
  for (;;) {
    const uintptr_t n = sweepone();
    if (n == ~uintptr_t{0}) break;
    reclaimed += n;
    if (reclaimed >= npage.raw()) break;
  }
}

size_t MHeap::CopySpansForGC() {
  if (work_spans_addr_ != 0 && work_spans_addr_ != allspans_addr_) {
    // Go frees len*8 bytes of the old array, which may be less than it mapped.
    mem_.SysFree(work_spans_addr_, work_spans_len_ * kPtrSize, &stats_.other_sys);
  }
  gcspans_addr_ = allspans_addr_;
  work_spans_addr_ = allspans_addr_;
  work_spans_len_ = allspans_len_;
  return allspans_len_;
}

MSpan* MHeap::LookupMaybe(uintptr_t addr) const {
  if (addr < layout_.arena_start || addr >= layout_.arena_used) return nullptr;
  const PageId p = PageId::ForAddr(addr);
  MSpan* s = SpanAt(p);
  if (s == nullptr || p < s->start || addr >= s->end() || s->state != SpanState::kInUse) {
    return nullptr;
  }
  return s;
}

std::vector<const MSpan*> MHeap::FreeListSpans(int npages) const {
  const MSpanList& l = npages == 0 ? freelarge_ : free_[static_cast<size_t>(npages)];
  std::vector<const MSpan*> out;
  for (const MSpan* s = l.First(); s != l.End(); s = s->next) out.push_back(s);
  return out;
}

size_t MHeap::FreeListLength(int npages) const {
  return npages == 0 ? freelarge_.CountSlow() : free_[static_cast<size_t>(npages)].CountSlow();
}

std::vector<const MSpan*> MHeap::SpansInAddressOrder() const {
  std::vector<const MSpan*> out;
  PageId p = arena_start_page_;
  const PageId end = PageId::ForAddr(layout_.arena_used);
  while (p < end) {
    const MSpan* s = SpanAt(p);
    THP_CHECK(s != nullptr && s->start == p && s->state != SpanState::kDead,
              absl::StrFormat("no span starts at page %#x", p.addr()));
    out.push_back(s);
    p = s->start + s->npages;
  }
  THP_CHECK(p == end, "the last span runs past arena_used");
  return out;
}

}  // namespace thp
