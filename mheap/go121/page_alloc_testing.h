// Test support: a standalone page allocator set up the way Go's runtime tests
// set one up (export_test.go's NewPageAlloc, BaseChunkIdx, PageBase,
// checkPageAlloc), on a simulated kernel with the chunks' memory mapped so
// that scavenging really releases pages.
#ifndef THP_MHEAP_GO121_PAGE_ALLOC_TESTING_H_
#define THP_MHEAP_GO121_PAGE_ALLOC_TESTING_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "mheap/go121/bit_range.h"
#include "mheap/go121/mem_linux.h"
#include "mheap/go121/mpagealloc.h"
#include "runtime_port/base/check.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace go121 {

// BaseChunkIdx on 64-bit: the chunk of 0xc000 * pallocChunkBytes.
inline const ChunkIdx kBaseChunkIdx = ChunkIndex(uintptr_t{0xc000} * kChunkBytes);

inline uintptr_t PageBase(ChunkIdx c, unsigned page) {
  return ChunkBase(c) + uintptr_t{page} * kPageSize;
}

struct ChunkIdxLess {
  bool operator()(ChunkIdx a, ChunkIdx b) const { return a < b; }
};
using ChunkMap = std::map<ChunkIdx, std::vector<BitRange>, ChunkIdxLess>;

// A page allocator over its own simulated kernel.
class TestPageAlloc {
 public:
  // NewPageAlloc(chunks, scav): each chunk grown on its own, its scavenged
  // bits set from `scav` (all clear if has_scav is false), then its
  // allocation bits from `chunks` (which clear scavenged bits they cover).
  TestPageAlloc(const ChunkMap& chunks, const ChunkMap& scav, bool has_scav = true,
                const std::string& variant = "none") {
    absl::StatusOr<std::unique_ptr<MemLinux>> m = NewMemLinux(sim_, variant);
    THP_CHECK(m.ok(), std::string(m.status().message()));
    mem_ = *std::move(m);
    mem_->set_heap_lock(&lock_);
    p_ = std::make_unique<PageAlloc>(*mem_, lock_, &sys_stat_, nullptr);
    for (const auto& [ci, allocs] : chunks) {
      const uintptr_t addr = ChunkBase(ci);
      THP_CHECK(MapFixed(sim_, addr, kChunkBytes) == 0, "map chunk");
      lock_.Lock();
      p_->Grow(addr, kChunkBytes);
      lock_.Unlock();
      PallocData& chunk = p_->ChunkOf(ci);
      chunk.scavenged.ClearRange(0, kPallocChunkPagesU);
      // All pages free as far as the scavenge index knows.
      p_->scav_index().Alloc(ci, kPallocChunkPagesU);
      p_->scav_index().Free(ci, 0, kPallocChunkPagesU);
      if (has_scav) {
        auto it = scav.find(ci);
        if (it != scav.end()) {
          for (BitRange r : it->second) {
            if (r.n != 0) chunk.scavenged.SetRange(r.i, r.n);
          }
        }
      }
      for (BitRange r : allocs) {
        if (r.n == 0) continue;
        chunk.AllocRange(r.i, r.n);
        p_->scav_index().Alloc(ci, r.n);
      }
      lock_.Lock();
      p_->Update(addr, kPallocChunkPagesU, /*contig=*/false, /*alloc=*/false);
      lock_.Unlock();
    }
  }

  // The entry points the way export_test.go wraps them: taking the lock.
  AllocResult Alloc(uintptr_t npages) {
    lock_.Lock();
    const AllocResult r = p_->Alloc(npages);
    lock_.Unlock();
    return r;
  }
  void Free(uintptr_t base, uintptr_t npages) {
    lock_.Lock();
    p_->Free(base, npages);
    lock_.Unlock();
  }
  PageCache AllocToCache() {
    lock_.Lock();
    const PageCache c = p_->AllocToCache();
    lock_.Unlock();
    return c;
  }
  void Flush(PageCache& c) {
    lock_.Lock();
    c.Flush(*p_);
    lock_.Unlock();
  }
  uintptr_t Scavenge(uintptr_t nbytes) { return p_->Scavenge(nbytes, nullptr, /*force=*/true); }

  PageAlloc& p() { return *p_; }
  SimulatedKernel& sim() { return sim_; }
  MemLinux& mem() { return *mem_; }

 private:
  SimulatedKernel sim_;
  std::unique_ptr<MemLinux> mem_;
  HeapLock lock_;
  uint64_t sys_stat_ = 0;
  std::unique_ptr<PageAlloc> p_;
};

// checkPageAlloc: the same bounds and, chunk by chunk, the same bitmaps.
// Empty when they agree.
inline std::string DiffPageAlloc(const PageAlloc& want, const PageAlloc& got) {
  if (want.start() != got.start() || want.end() != got.end()) {
    return absl::StrFormat("bounds: got [%#x, %#x), want [%#x, %#x)", got.start().raw(),
                           got.end().raw(), want.start().raw(), want.end().raw());
  }
  std::string out;
  for (ChunkIdx i = got.start(); i < got.end(); ++i) {
    const PallocData* g = got.TryChunkOf(i);
    const PallocData* w = want.TryChunkOf(i);
    if (g == nullptr && w == nullptr) continue;
    if ((g == nullptr) != (w == nullptr)) {
      out += absl::StrFormat("chunk %#x nilness mismatch\n", i.raw());
      continue;
    }
    const std::string bits = DiffBits(g->bits(), w->bits());
    if (!bits.empty()) out += absl::StrFormat("chunk %#x alloc bits:\n%s", i.raw(), bits);
    const std::string scav = DiffBits(g->scavenged, w->scavenged);
    if (!scav.empty()) out += absl::StrFormat("chunk %#x scavenged bits:\n%s", i.raw(), scav);
  }
  return out;
}

}  // namespace go121
}  // namespace thp

#endif  // THP_MHEAP_GO121_PAGE_ALLOC_TESTING_H_
