// Address-space constants of the Go 1.21 page allocator on linux/amd64, and
// the chunk index that divides the address space into 4 MiB palloc chunks.
//
// Mirrors the constants of malloc.go, mpagealloc.go and mpagealloc_64bit.go
// (go1.21.0 = master at 21ff9be0eb; unchanged through 1.21.6): 48-bit heap
// addresses, 64 MiB heap arenas, 512-page chunks, a five-level radix tree of
// summaries, and arenaBaseOffset = 0xffff800000000000, which makes chunk
// indices and the summary arrays work in an "offset" view of the address
// space where the sign-extended upper half comes first. Every index here is
// computed in that view, as Go computes it: the first chunk of the usual heap
// at 0xc000000000 has index 0x2030000, not 0x30000.
#ifndef THP_MHEAP_GO121_LAYOUT_H_
#define THP_MHEAP_GO121_LAYOUT_H_

#include <cstdint>

#include "runtime_port/base/units.h"

namespace thp {
namespace go121 {

// malloc.go (64-bit, not Windows/wasm/ios).
inline constexpr unsigned kHeapAddrBits = 48;
inline constexpr unsigned kLogHeapArenaBytes = 26;
inline constexpr uintptr_t kHeapArenaBytes = uintptr_t{1} << kLogHeapArenaBytes;  // 64 MiB
inline constexpr uintptr_t kPagesPerArena = kHeapArenaBytes / kPageSize;          // 8192
inline constexpr unsigned kArenaL1Bits = 0;
inline constexpr unsigned kArenaL2Bits = kHeapAddrBits - kLogHeapArenaBytes - kArenaL1Bits;  // 22
inline constexpr uintptr_t kArenaBaseOffset = uintptr_t{0xffff800000000000};
// The first heap arena hint, 0x00c0 << 32 (mallocinit).
inline constexpr uintptr_t kFirstArenaHint = uintptr_t{0x00c0} << 32;
// minHeapForMetadataHugePages: the heap goal above which the arena map and
// the page bitmap's L2 blocks get MADV_HUGEPAGE (1f9d80e33165).
inline constexpr uint64_t kMinHeapForMetadataHugePages = uint64_t{1} << 30;

// The OS page and huge page sizes the runtime reads at start-up
// (physPageSize, physHugePageSize) on x86-64 Linux.
inline constexpr uintptr_t kPhysPageSize = 4096;
inline constexpr uintptr_t kPhysHugePageSize = uintptr_t{2} << 20;
// maxPhysPageSize (mheap.go) and maxPagesPerPhysPage (mgcscavenge.go).
inline constexpr uintptr_t kMaxPhysPageSize = uintptr_t{512} << 10;
inline constexpr uintptr_t kMaxPagesPerPhysPage = kMaxPhysPageSize / kPageSize;  // 64

// mpagealloc.go.
inline constexpr unsigned kLogPallocChunkPages = 9;
inline constexpr unsigned kPallocChunkPagesU = 1u << kLogPallocChunkPages;  // 512
inline constexpr unsigned kLogPallocChunkBytes = kLogPallocChunkPages + kPageShift;  // 22
inline constexpr uintptr_t kChunkBytes = uintptr_t{1} << kLogPallocChunkBytes;       // 4 MiB
inline constexpr unsigned kSummaryLevels = 5;  // mpagealloc_64bit.go
inline constexpr unsigned kSummaryLevelBits = 3;
inline constexpr unsigned kSummaryL0Bits =
    kHeapAddrBits - kLogPallocChunkBytes - (kSummaryLevels - 1) * kSummaryLevelBits;  // 14
inline constexpr unsigned kPallocChunksL1Bits = 13;
inline constexpr unsigned kPallocChunksL2Bits =
    kHeapAddrBits - kLogPallocChunkBytes - kPallocChunksL1Bits;  // 13

// levelBits, levelShift and levelLogPages of mpagealloc_64bit.go.
inline constexpr unsigned kLevelBits[kSummaryLevels] = {kSummaryL0Bits, kSummaryLevelBits,
                                                        kSummaryLevelBits, kSummaryLevelBits,
                                                        kSummaryLevelBits};
inline constexpr unsigned kLevelShift[kSummaryLevels] = {
    kHeapAddrBits - kSummaryL0Bits,
    kHeapAddrBits - kSummaryL0Bits - 1 * kSummaryLevelBits,
    kHeapAddrBits - kSummaryL0Bits - 2 * kSummaryLevelBits,
    kHeapAddrBits - kSummaryL0Bits - 3 * kSummaryLevelBits,
    kHeapAddrBits - kSummaryL0Bits - 4 * kSummaryLevelBits};
inline constexpr unsigned kLevelLogPages[kSummaryLevels] = {
    kLogPallocChunkPages + 4 * kSummaryLevelBits, kLogPallocChunkPages + 3 * kSummaryLevelBits,
    kLogPallocChunkPages + 2 * kSummaryLevelBits, kLogPallocChunkPages + 1 * kSummaryLevelBits,
    kLogPallocChunkPages};

// Bytes per entry of the summary arrays (pallocSum) and of the scavenge
// index (atomicScavChunkData): both are one uint64.
inline constexpr uintptr_t kPallocSumBytes = 8;
inline constexpr uintptr_t kScavChunkDataBytes = 8;

constexpr uintptr_t AlignUp(uintptr_t x, uintptr_t a) { return (x + a - 1) & ~(a - 1); }
constexpr uintptr_t AlignDown(uintptr_t x, uintptr_t a) { return x & ~(a - 1); }

// Go's chunkIdx: the index of a palloc chunk in the offset address space.
class ChunkIdx {
 public:
  constexpr ChunkIdx() = default;
  constexpr explicit ChunkIdx(uintptr_t i) : i_(i) {}

  constexpr uintptr_t raw() const { return i_; }
  // Index into the first and second level of pageAlloc.chunks.
  constexpr uintptr_t l1() const { return i_ >> kPallocChunksL2Bits; }
  constexpr uintptr_t l2() const { return i_ & ((uintptr_t{1} << kPallocChunksL2Bits) - 1); }

  constexpr ChunkIdx operator+(uintptr_t n) const { return ChunkIdx(i_ + n); }
  constexpr ChunkIdx operator-(uintptr_t n) const { return ChunkIdx(i_ - n); }
  ChunkIdx& operator++() { ++i_; return *this; }
  ChunkIdx& operator--() { --i_; return *this; }
  constexpr bool operator==(ChunkIdx o) const { return i_ == o.i_; }
  constexpr bool operator!=(ChunkIdx o) const { return i_ != o.i_; }
  constexpr bool operator<(ChunkIdx o) const { return i_ < o.i_; }
  constexpr bool operator<=(ChunkIdx o) const { return i_ <= o.i_; }
  constexpr bool operator>(ChunkIdx o) const { return i_ > o.i_; }
  constexpr bool operator>=(ChunkIdx o) const { return i_ >= o.i_; }

 private:
  uintptr_t i_ = 0;
};

// chunkIndex: the chunk holding address p.
constexpr ChunkIdx ChunkIndex(uintptr_t p) { return ChunkIdx((p - kArenaBaseOffset) / kChunkBytes); }
// chunkBase: the first address of chunk ci.
constexpr uintptr_t ChunkBase(ChunkIdx ci) { return ci.raw() * kChunkBytes + kArenaBaseOffset; }
// chunkPageIndex: the page of p within its chunk.
constexpr unsigned ChunkPageIndex(uintptr_t p) {
  return static_cast<unsigned>(p % kChunkBytes / kPageSize);
}

// arenaIndex / arenaBase of mheap.go.
constexpr uintptr_t ArenaIndex(uintptr_t p) { return (p - kArenaBaseOffset) / kHeapArenaBytes; }
constexpr uintptr_t ArenaBase(uintptr_t i) { return i * kHeapArenaBytes + kArenaBaseOffset; }

}  // namespace go121
}  // namespace thp

#endif  // THP_MHEAP_GO121_LAYOUT_H_
