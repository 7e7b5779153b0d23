// mheap.init, alloc, allocManual, allocSpan, initSpan, allocNeedsZero,
// freeSpan, freeManual, freeSpanLocked, scavengeAll, and the heap's part of
// gcMarkTermination and gcControllerCommit, go1.21.0 (21ff9be0eb).
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "mheap/go121/mheap.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace go121 {
namespace {

// The mspan cache of a P: pp.mspancache.buf has 128 slots; a refill takes 64.
constexpr size_t kMSpanCacheSlots = 128;

}  // namespace

MHeap::MHeap(MemLinux& mem, const Clock& clock, int nprocs)
    : mem_(mem),
      clock_(clock),
      pages_(mem, lock_, &stats_.gc_misc_sys, this),
      ps_(static_cast<size_t>(nprocs)) {
  THP_CHECK(nprocs >= 1, "GOMAXPROCS must be at least 1");
  mem_.set_heap_lock(&lock_);
  // mallocinit's hints for 64-bit Linux: i<<40 | 0x00c0<<32 for i = 0x7f
  // down to 0, each pushed at the head; 0x40..0x7f go to the user-arena
  // list, so the heap's list reads 0x00c0..., 0x01c0..., ..., 0x3fc0....
  for (uintptr_t i = 0; i <= 0x3f; ++i) hints_.push_back({(i << 40) | kFirstArenaHint, false});
}

MHeap::~MHeap() {
  Kernel& k = mem_.kernel();
  for (const AddressRange& r : arena_reservations_) k.Munmap(r.lo, r.hi - r.lo);
  if (arena_l2_ != 0) k.Munmap(arena_l2_, kArenaL2Bytes);
  for (const auto& [idx, ha] : arenas_) {
    k.Munmap(ha->meta_addr, AlignUp(kHeapArenaStructBytes, kPhysPageSize));
  }
}

void MHeap::set_current_p(int p) {
  THP_CHECK(p >= -1 && p < static_cast<int>(ps_.size()), "no such P");
  current_p_ = p;
}

const HeapArena* MHeap::arena(uintptr_t idx) const {
  auto it = arenas_.find(idx);
  return it == arenas_.end() ? nullptr : it->second.get();
}

bool MHeap::ArenaRegistered(uintptr_t addr) const {
  return arenas_.count(ArenaIndex(addr)) != 0;
}

void MHeap::Scavenged(uintptr_t nbytes) {
  stats_.heap_released += nbytes;
  stats_.heap_free -= nbytes;
  stats_.committed -= static_cast<int64_t>(nbytes);
  stats_.released += static_cast<int64_t>(nbytes);
}

uint64_t MHeap::metadata_ready() const { return stats_.gc_misc_sys; }

MSpan* MHeap::SpanOf(uintptr_t addr) const {
  const HeapArena* a = arena(ArenaIndex(addr));
  if (a == nullptr) return nullptr;
  MSpan* s = a->spans[(addr / kPageSize) % kPagesPerArena];
  if (s == nullptr || s->state == SpanState::kDead || addr < s->base() || addr >= s->limit()) {
    return nullptr;
  }
  return s;
}

// mheap.alloc: to keep the heap from growing while the sweep has not yet
// freed what it will, take back as many pages as are needed first.
MSpan* MHeap::Alloc(uintptr_t npages, uint8_t spanclass) {
  if (reclaim_sweeper_ != nullptr && !reclaim_sweeper_->IsSweepDone()) Reclaim(npages);
  return AllocSpan(npages, SpanAllocType::kHeap, spanclass);
}

MSpan* MHeap::AllocManual(uintptr_t npages, SpanAllocType typ) {
  if (typ == SpanAllocType::kHeap) {
    Throw("manual span allocation called with non-manually-managed type");
  }
  return AllocSpan(npages, typ, 0);
}

MSpan* MHeap::TryAllocMSpan() {
  if (current_p_ < 0) return nullptr;
  std::vector<MSpan*>& c = ps_[current_p_].mspancache;
  if (c.empty()) return nullptr;
  MSpan* s = c.back();
  c.pop_back();
  return s;
}

MSpan* MHeap::AllocMSpanLocked() {
  lock_.AssertHeld("allocMSpanLocked");
  auto fixalloc = [&]() -> MSpan* {
    if (!free_spans_.empty()) {
      MSpan* s = free_spans_.back();
      free_spans_.pop_back();
      return s;
    }
    span_structs_.emplace_back();
    return &span_structs_.back();
  };
  if (current_p_ < 0) return fixalloc();
  std::vector<MSpan*>& c = ps_[current_p_].mspancache;
  if (c.empty()) {
    for (size_t i = 0; i < kMSpanCacheSlots / 2; ++i) c.push_back(fixalloc());
  }
  MSpan* s = c.back();
  c.pop_back();
  return s;
}

void MHeap::FreeMSpanLocked(MSpan* s) {
  lock_.AssertHeld("freeMSpanLocked");
  if (current_p_ >= 0 && ps_[current_p_].mspancache.size() < kMSpanCacheSlots) {
    ps_[current_p_].mspancache.push_back(s);
    return;
  }
  free_spans_.push_back(s);
}

MSpan* MHeap::AllocSpan(uintptr_t npages, SpanAllocType typ, uint8_t spanclass) {
  THP_CHECK(!lock_.held(), "allocSpan called with the heap lock held");
  uintptr_t base = 0, scav = 0, growth = 0;
  MSpan* s = nullptr;
  PState* pp = current_p_ >= 0 ? &ps_[current_p_] : nullptr;
  bool have_span = false;

  // Small requests try the P's page cache first, refilling it if empty.
  if (pp != nullptr && npages < kPageCachePages / 4) {
    PageCache& c = pp->pcache;
    if (c.Empty()) {
      lock_.Lock();
      c = pages_.AllocToCache();
      lock_.Unlock();
    }
    const AllocResult r = c.Alloc(npages);
    base = r.base;
    scav = r.scav;
    if (base != 0) {
      s = TryAllocMSpan();
      have_span = s != nullptr;
      // With pages but no span struct, the lock is taken for the struct.
    }
  }
  if (!have_span) {
    lock_.Lock();
    if (base == 0) {
      const AllocResult r = pages_.Alloc(npages);
      base = r.base;
      scav = r.scav;
      if (base == 0) {
        if (!Grow(npages, &growth)) {
          lock_.Unlock();
          return nullptr;
        }
        const AllocResult r2 = pages_.Alloc(npages);
        if (r2.base == 0) Throw("grew heap, but no adequate free space found");
        base = r2.base;
        scav = r2.scav;
      }
    }
    if (s == nullptr) s = AllocMSpanLocked();
    lock_.Unlock();
  }

  // HaveSpan: how much to scavenge for what was just allocated. The largest
  // of the needs below satisfies all of them.
  uintptr_t bytes_to_scavenge = 0;
  bool force = false;
  {
    // The memory limit (gcCPULimiter.limiting() is false here).
    const int64_t limit = pacer_.memory_limit;
    const uint64_t inuse = mem_.mapped_ready();
    if (uint64_t{scav} + inuse > static_cast<uint64_t>(limit)) {
      bytes_to_scavenge = static_cast<uintptr_t>(uint64_t{scav} + inuse - static_cast<uint64_t>(limit));
      force = true;
    }
  }
  if (const uint64_t goal = goals_.gc_percent_goal; goal != kNoGoal && growth > 0) {
    // A growth: scavenge the fragments that could not take this request.
    const uint64_t retained = stats_.HeapRetained();
    if (retained + growth > goal) {
      uintptr_t todo = growth;
      const uintptr_t overage = static_cast<uintptr_t>(retained + growth - goal);
      if (todo > overage) todo = overage;
      if (todo > bytes_to_scavenge) bytes_to_scavenge = todo;
    }
  }
  if (pp != nullptr && bytes_to_scavenge > 0) {
    const uintptr_t released = pages_.Scavenge(bytes_to_scavenge, nullptr, force);
    released_eager_total_ += released;
    if (released > 0) ++eager_scavenges_;
  }

  InitSpan(s, typ, spanclass, base, npages);

  // Commit and account for whatever part of the span was released.
  const uintptr_t nbytes = npages * kPageSize;
  if (scav != 0) {
    mem_.SysUsed(base, nbytes, scav);
    stats_.heap_released -= scav;
  }
  stats_.heap_free -= nbytes - scav;
  if (typ == SpanAllocType::kHeap) stats_.heap_in_use += nbytes;
  stats_.committed += static_cast<int64_t>(scav);
  stats_.released -= static_cast<int64_t>(scav);
  switch (typ) {
    case SpanAllocType::kHeap: stats_.in_heap += static_cast<int64_t>(nbytes); break;
    case SpanAllocType::kStack: stats_.in_stacks += static_cast<int64_t>(nbytes); break;
    case SpanAllocType::kPtrScalarBits:
      stats_.in_ptr_scalar_bits += static_cast<int64_t>(nbytes);
      break;
    case SpanAllocType::kWorkBuf: stats_.in_work_bufs += static_cast<int64_t>(nbytes); break;
  }
  if (on_handout_) on_handout_(*s);
  return s;
}

void MHeap::InitSpan(MSpan* s, SpanAllocType typ, uint8_t spanclass, uintptr_t base,
                     uintptr_t npages) {
  s->start = base;
  s->npages = npages;
  s->needzero = AllocNeedsZero(base, npages);
  if (typ != SpanAllocType::kHeap) {
    s->spanclass = 0;
    s->state = SpanState::kManual;
  } else {
    s->spanclass = spanclass;
    s->state = SpanState::kInUse;
  }
  SetSpans(base, npages, s);
  if (typ == SpanAllocType::kHeap) {
    // Only now, with the span whole, may the reclaimer find it.
    const PageBit b = PageIndexOf(base);
    arenas_.at(ArenaIndex(base))->page_in_use[b.byte] |= b.mask;
    pages_in_use_ += npages;
  }
}

void MHeap::SetSpans(uintptr_t base, uintptr_t npages, MSpan* s) {
  for (uintptr_t n = 0; n < npages; ++n) {
    const uintptr_t addr = base + n * kPageSize;
    arenas_.at(ArenaIndex(addr))->spans[(addr / kPageSize) % kPagesPerArena] = s;
  }
}

bool MHeap::AllocNeedsZero(uintptr_t base, uintptr_t npages) {
  // The allocator is address-ordered first fit, so each arena's used part
  // only grows: memory above zeroedBase is still the OS's zeros.
  bool need_zero = false;
  while (npages > 0) {
    HeapArena& ha = *arenas_.at(ArenaIndex(base));
    const uintptr_t arena_base = base % kHeapArenaBytes;
    if (arena_base < ha.zeroed_base) need_zero = true;
    uintptr_t arena_limit = arena_base + npages * kPageSize;
    if (arena_limit > kHeapArenaBytes) arena_limit = kHeapArenaBytes;
    if (arena_limit > ha.zeroed_base) ha.zeroed_base = arena_limit;
    base += arena_limit - arena_base;
    npages -= (arena_limit - arena_base) / kPageSize;
  }
  return need_zero;
}

void MHeap::FreeSpan(MSpan* s) {
  lock_.Lock();
  FreeSpanLocked(s, SpanAllocType::kHeap);
  lock_.Unlock();
}

void MHeap::FreeManual(MSpan* s, SpanAllocType typ) {
  s->needzero = true;
  lock_.Lock();
  FreeSpanLocked(s, typ);
  lock_.Unlock();
}

void MHeap::FreeSpanLocked(MSpan* s, SpanAllocType typ) {
  lock_.AssertHeld("freeSpanLocked");
  switch (s->state) {
    case SpanState::kManual: break;
    case SpanState::kInUse: {
      pages_in_use_ -= s->npages;
      const PageBit b = PageIndexOf(s->base());
      arenas_.at(ArenaIndex(s->base()))->page_in_use[b.byte] &= static_cast<uint8_t>(~b.mask);
      break;
    }
    default: Throw("mheap.freeSpanLocked - invalid span state");
  }
  const uintptr_t nbytes = s->npages * kPageSize;
  stats_.heap_free += nbytes;
  if (typ == SpanAllocType::kHeap) stats_.heap_in_use -= nbytes;
  switch (typ) {
    case SpanAllocType::kHeap: stats_.in_heap -= static_cast<int64_t>(nbytes); break;
    case SpanAllocType::kStack: stats_.in_stacks -= static_cast<int64_t>(nbytes); break;
    case SpanAllocType::kPtrScalarBits:
      stats_.in_ptr_scalar_bits -= static_cast<int64_t>(nbytes);
      break;
    case SpanAllocType::kWorkBuf: stats_.in_work_bufs -= static_cast<int64_t>(nbytes); break;
  }
  pages_.Free(s->base(), s->npages);
  s->state = SpanState::kDead;
  FreeMSpanLocked(s);
}

uintptr_t MHeap::ScavengeAll() {
  return pages_.Scavenge(~uintptr_t{0}, nullptr, /*force=*/true);
}

void MHeap::FlushPageCache(int p) {
  lock_.Lock();
  ps_[p].pcache.Flush(pages_);
  lock_.Unlock();
}

void MHeap::PaceScavenger() {
  PacingInputs in;
  in.memory_limit = pacer_.memory_limit;
  in.heap_goal = pacer_.heap_goal;
  in.last_heap_goal = pacer_.last_heap_goal;
  in.mapped_ready = mem_.mapped_ready();
  in.last_heap_in_use = stats_.last_heap_in_use;
  in.heap_retained = stats_.HeapRetained();
  goals_ = GcPaceScavenger(in);
}

void MHeap::GcMarkTermination(uint64_t next_heap_goal) {
  pacer_.last_heap_goal = pacer_.heap_goal;  // endCycle
  stats_.last_heap_in_use = stats_.heap_in_use;
  pacer_.heap_goal = next_heap_goal;  // gcControllerCommit
  PaceScavenger();
  pages_.scav_index().NextGen();
  for (int p = 0; p < static_cast<int>(ps_.size()); ++p) {
    if (p != current_p_) FlushPageCache(p);  // idle Ps
  }
  if (pacer_.heap_goal > kMinHeapForMetadataHugePages) EnableMetadataHugePages();
}

void MHeap::SetMemoryLimit(int64_t limit) {
  lock_.Lock();
  pacer_.memory_limit = limit;
  PaceScavenger();
  lock_.Unlock();
}

void MHeap::EnableMetadataHugePages() {
  pages_.EnableChunkHugePages();
  lock_.Lock();
  if (arenas_huge_pages_) {
    lock_.Unlock();
    return;
  }
  arenas_huge_pages_ = true;
  lock_.Unlock();
  if (arena_l2_ != 0) mem_.SysHugePage(arena_l2_, kArenaL2Bytes, AdviceSite::kMetadata);
}

ScavengerHooks MHeap::BackgroundScavengerHooks() {
  ScavengerHooks h;
  h.scavenge = [this](uintptr_t n) {
    const int64_t start = clock_.NanoTime();
    const uintptr_t r = pages_.Scavenge(n, nullptr, /*force=*/false);
    const int64_t end = clock_.NanoTime();
    return ScavengeWork{r, start >= end ? 0 : end - start};
  };
  h.should_stop = [this] {
    return stats_.HeapRetained() <= goals_.gc_percent_goal &&
           mem_.mapped_ready() <= goals_.memory_limit_goal;
  };
  h.gomaxprocs = [this] { return static_cast<int32_t>(ps_.size()); };
  return h;
}

}  // namespace go121
}  // namespace thp
