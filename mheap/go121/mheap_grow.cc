// Heap growth of go1.21.0 (21ff9be0eb): mheap.grow, mheap.sysAlloc (arena
// hints, the arena map and heapArena metadata) and sysReserveAligned.
#include <cstdio>

#include "absl/strings/str_format.h"
#include "mheap/go121/mheap.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace go121 {

bool MHeap::Grow(uintptr_t npage, uintptr_t* growth) {
  lock_.AssertHeld("mheap.grow");
  // Whole chunks; sysMap per growth is then rare.
  const uintptr_t ask = AlignUp(npage, kPallocChunkPagesU) * kPageSize;
  uintptr_t total = 0;
  // ask may be huge: watch for overflow.
  const uintptr_t end = cur_arena_base_ + ask;
  uintptr_t n_base = AlignUp(end, kPhysPageSize);
  if (n_base > cur_arena_end_ || end < cur_arena_base_) {
    // Not enough room in the current arena: reserve more. It need not be
    // contiguous with the current one.
    uintptr_t asize = 0;
    const uintptr_t av = SysAlloc(ask, &asize);
    if (av == 0) {
      std::fprintf(stderr, "runtime: out of memory: cannot allocate %lu-byte block (%lu in use)\n",
                   static_cast<unsigned long>(ask),
                   static_cast<unsigned long>(stats_.heap_free + stats_.heap_released +
                                              stats_.heap_in_use));
      return false;
    }
    if (av == cur_arena_end_) {
      cur_arena_end_ = av + asize;  // contiguous: extend
    } else {
      // Discontiguous: the rest of the current arena becomes heap memory
      // now (Prepared, counted released), and growth moves to the new one.
      if (const uintptr_t size = cur_arena_end_ - cur_arena_base_; size != 0) {
        mem_.SysMap(cur_arena_base_, size, &stats_.heap_released);
        stats_.released += static_cast<int64_t>(size);
        pages_.Grow(cur_arena_base_, size);
        total += size;
      }
      cur_arena_base_ = av;
      cur_arena_end_ = av + asize;
    }
    n_base = AlignUp(cur_arena_base_ + ask, kPhysPageSize);
  }
  // Grow into the current arena: Reserved -> Prepared, counted released.
  const uintptr_t v = cur_arena_base_;
  cur_arena_base_ = n_base;
  mem_.SysMap(v, n_base - v, &stats_.heap_released);
  stats_.released += static_cast<int64_t>(n_base - v);
  pages_.Grow(v, n_base - v);
  total += n_base - v;
  *growth = total;
  return true;
}

uintptr_t MHeap::SysReserveAligned(uintptr_t v, uintptr_t size, uintptr_t align,
                                   uintptr_t* got) {
  // Over-reserve by one alignment and trim the ends.
  const uintptr_t p = mem_.SysReserve(v, size + align);
  if (p == 0) {
    *got = 0;
    return 0;
  }
  if (p % align == 0) {
    *got = size + align;
    return p;
  }
  const uintptr_t aligned = AlignUp(p, align);
  mem_.SysFreeOS(p, aligned - p);
  const uintptr_t end = aligned + size;
  const uintptr_t end_len = p + size + align - end;
  if (end_len > 0) mem_.SysFreeOS(end, end_len);
  *got = size;
  return aligned;
}

uintptr_t MHeap::SysAlloc(uintptr_t n, uintptr_t* size_out) {
  lock_.AssertHeld("mheap.sysAlloc");
  n = AlignUp(n, kHeapArenaBytes);
  uintptr_t v = 0, size = 0;
  // Try the hints in order, dropping each one that fails.
  while (!hints_.empty()) {
    ArenaHint& hint = hints_.front();
    uintptr_t p = hint.addr;
    if (hint.down) p -= n;
    if (p + n < p) {
      v = 0;  // wraps: do not ask
    } else if (ArenaIndex(p + n - 1) >= (uintptr_t{1} << (kArenaL1Bits + kArenaL2Bits))) {
      v = 0;  // outside the addressable heap
    } else {
      v = mem_.SysReserve(p, n);
    }
    if (p == v) {
      if (!hint.down) p += n;
      hint.addr = p;
      size = n;
      break;
    }
    if (v != 0) mem_.SysFreeOS(v, n);
    hints_.erase(hints_.begin());
  }
  if (size == 0) {
    // Every hint failed: take any suitably aligned address, and hint
    // growth both ways from it.
    v = SysReserveAligned(0, n, kHeapArenaBytes, &size);
    if (v == 0) return 0;
    hints_.insert(hints_.begin(), ArenaHint{v, true});
    hints_.insert(hints_.begin(), ArenaHint{v + size, false});
  }
  if (v + size < v || ArenaIndex(v) >= (uintptr_t{1} << kArenaL2Bits) ||
      ArenaIndex(v + size - 1) >= (uintptr_t{1} << kArenaL2Bits)) {
    std::fprintf(stderr, "runtime: memory allocated by OS [%#lx, %#lx) not in usable address space\n",
                 static_cast<unsigned long>(v), static_cast<unsigned long>(v + size));
    Throw("memory reservation exceeds address space limit");
  }
  if (v % kHeapArenaBytes != 0) Throw("misrounded allocation in sysAlloc");

  // The arena metadata.
  for (uintptr_t ri = ArenaIndex(v); ri <= ArenaIndex(v + size - 1); ++ri) {
    if (arena_l2_ == 0) {
      // No statistic takes this 32 MiB map; demand paging keeps it cheap.
      arena_l2_ = mem_.SysAllocOS(kArenaL2Bytes);
      if (arena_l2_ == 0) Throw("out of memory allocating heap arena map");
      if (arenas_huge_pages_) {
        mem_.SysHugePage(arena_l2_, kArenaL2Bytes, AdviceSite::kMetadata);
      } else {
        mem_.SysNoHugePage(arena_l2_, kArenaL2Bytes, AdviceSite::kMetadata);
      }
    }
    if (arenas_.count(ri) != 0) Throw("arena already initialized");
    // persistentalloc of a heapArena: at least 64 KiB, so straight sysAlloc.
    auto ha = std::make_unique<HeapArena>();
    ha->meta_addr = mem_.SysAlloc(kHeapArenaStructBytes, &stats_.gc_misc_sys);
    if (ha->meta_addr == 0) Throw("out of memory allocating heap arena metadata");
    arena_meta_bytes_ += kHeapArenaStructBytes;
    all_arenas_.push_back(ri);
    arenas_[ri] = std::move(ha);
  }
  arena_reservations_.push_back({v, v + size});
  *size_out = size;
  return v;
}

}  // namespace go121
}  // namespace thp
