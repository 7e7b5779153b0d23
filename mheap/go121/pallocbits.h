// The per-chunk bitmaps of the Go 1.21 page allocator and their summaries.
//
// Mirrors mpallocbits.go (pageBits, pallocBits, pallocData, findBitRange64),
// the pallocSum packing and mergeSummaries of mpagealloc.go, and
// fillAligned/findScavengeCandidate of mgcscavenge.go, all at go1.21.0
// (master 21ff9be0eb; none of them changes through 1.21.6).
//
// A chunk is 512 pages in eight 64-bit words, page i at bit i%64 of word
// i/64. In the allocation bitmap 1 means in use; in the scavenged bitmap 1
// means the page was released to the OS (and is then free). A summary packs
// three 21-bit counts of a bitmap or of a run of chunks: free pages at the
// start, the longest free run, free pages at the end; the all-free summary of
// the root level (2^21 pages each) is the single top bit.
#ifndef THP_MHEAP_GO121_PALLOCBITS_H_
#define THP_MHEAP_GO121_PALLOCBITS_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "mheap/go121/layout.h"

namespace thp {
namespace go121 {

inline constexpr size_t kPageBitsWords = kPallocChunkPagesU / 64;  // 8
// Returned by the find functions when nothing fits (Go's ^uint(0)).
inline constexpr unsigned kNotFound = ~0u;

// pageBits: one bit per page of a chunk.
class PageBits {
 public:
  unsigned Get(unsigned i) const { return static_cast<unsigned>((w_[i / 64] >> (i % 64)) & 1); }
  uint64_t Block64(unsigned i) const { return w_[i / 64]; }
  void Set(unsigned i) { w_[i / 64] |= uint64_t{1} << (i % 64); }
  // Bits [i, i+n), n >= 1.
  void SetRange(unsigned i, unsigned n);
  void SetAll() { w_.fill(~uint64_t{0}); }
  // Sets the bits of v in the 64-bit word holding bit i.
  void SetBlock64(unsigned i, uint64_t v) { w_[i / 64] |= v; }
  void Clear(unsigned i) { w_[i / 64] &= ~(uint64_t{1} << (i % 64)); }
  void ClearRange(unsigned i, unsigned n);
  void ClearAll() { w_.fill(0); }
  void ClearBlock64(unsigned i, uint64_t v) { w_[i / 64] &= ~v; }
  // Set bits in [i, i+n), n >= 1.
  unsigned PopcntRange(unsigned i, unsigned n) const;

  uint64_t& word(size_t k) { return w_[k]; }
  uint64_t word(size_t k) const { return w_[k]; }
  friend bool operator==(const PageBits& a, const PageBits& b) { return a.w_ == b.w_; }
  friend bool operator!=(const PageBits& a, const PageBits& b) { return !(a == b); }

 private:
  std::array<uint64_t, kPageBitsWords> w_{};
};

// pallocSum: (start, max, end) packed into 64 bits.
class PallocSum {
 public:
  // logMaxPackedValue and maxPackedValue of mpagealloc.go.
  static constexpr unsigned kLogMaxPackedValue =
      kLogPallocChunkPages + (kSummaryLevels - 1) * kSummaryLevelBits;  // 21
  static constexpr unsigned kMaxPackedValue = 1u << kLogMaxPackedValue;

  constexpr PallocSum() = default;
  static constexpr PallocSum FromRaw(uint64_t v) { return PallocSum(v); }
  // packPallocSum.
  static PallocSum Pack(unsigned start, unsigned max, unsigned end);

  unsigned start() const;
  unsigned max() const;
  unsigned end() const;
  uint64_t raw() const { return v_; }
  // A zero summary: no free page at all.
  bool full() const { return v_ == 0; }

  friend bool operator==(PallocSum a, PallocSum b) { return a.v_ == b.v_; }
  friend bool operator!=(PallocSum a, PallocSum b) { return a.v_ != b.v_; }

 private:
  constexpr explicit PallocSum(uint64_t v) : v_(v) {}
  uint64_t v_ = 0;
};

// freeChunkSum: the summary of an entirely free chunk.
PallocSum FreeChunkSum();

// mergeSummaries: one summary for consecutive summaries that each describe
// 2^log_max_pages_per_sum pages.
PallocSum MergeSummaries(const PallocSum* sums, size_t n, unsigned log_max_pages_per_sum);

// findBitRange64: the index of the first run of n set bits in c, or a value
// >= 64 if there is none. n > 0.
unsigned FindBitRange64(uint64_t c, unsigned n);

// fillAligned (mgcscavenge.go): every m-aligned group of m bits of x that
// has any bit set becomes all ones; m is a power of two <= 64.
uint64_t FillAligned(uint64_t x, unsigned m);

struct FindResult {
  unsigned index = kNotFound;        // first page of the run, or kNotFound
  unsigned new_search = kNotFound;   // first free page seen (valid on success)
};

// pallocBits: the allocation bitmap of one chunk (1 = in use).
class PallocBits : public PageBits {
 public:
  // summarize.
  PallocSum Summarize() const;
  // find: the first run of npages free pages at or after search_idx's word,
  // and the first free page met (the next search can start there).
  FindResult Find(uintptr_t npages, unsigned search_idx) const;
  unsigned Find1(unsigned search_idx) const;
  FindResult FindSmallN(uintptr_t npages, unsigned search_idx) const;
  FindResult FindLargeN(uintptr_t npages, unsigned search_idx) const;

  void AllocRange(unsigned i, unsigned n) { SetRange(i, n); }
  void AllocAll() { SetAll(); }
  void Free1(unsigned i) { Clear(i); }
  void Free(unsigned i, unsigned n) { ClearRange(i, n); }
  void FreeAll() { ClearAll(); }
  uint64_t Pages64(unsigned i) const { return Block64(i); }
  void AllocPages64(unsigned i, uint64_t alloc) { SetBlock64(i, alloc); }
};

// A run of pages within a chunk, as findScavengeCandidate returns it.
struct PageRun {
  unsigned start = 0;
  unsigned npages = 0;
  friend bool operator==(PageRun a, PageRun b) {
    return a.start == b.start && a.npages == b.npages;
  }
};

// pallocData: the allocation bitmap plus the scavenged bitmap of a chunk.
class PallocData : public PallocBits {
 public:
  // Allocation clears the scavenged bits of the pages taken.
  void AllocRange(unsigned i, unsigned n) {
    PallocBits::AllocRange(i, n);
    scavenged.ClearRange(i, n);
  }
  void AllocAll() {
    PallocBits::AllocAll();
    scavenged.ClearAll();
  }
  // findScavengeCandidate (mgcscavenge.go): the highest run of free,
  // unscavenged pages at or below search_idx's word, at least `min` pages
  // and min-aligned, cut to about `max` pages, widened to whole huge pages
  // rather than break one that is entirely free. {0, 0} if none.
  PageRun FindScavengeCandidate(unsigned search_idx, uintptr_t min, uintptr_t max) const;

  PallocBits& bits() { return *this; }
  const PallocBits& bits() const { return *this; }

  PageBits scavenged;
};

}  // namespace go121
}  // namespace thp

#endif  // THP_MHEAP_GO121_PALLOCBITS_H_
