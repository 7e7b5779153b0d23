// Test support: runs of bits and bitmaps built from them, the way Go's
// runtime tests describe chunk states (export_test.go's BitRange,
// makePallocBits, makePallocData).
#ifndef THP_MHEAP_GO121_BIT_RANGE_H_
#define THP_MHEAP_GO121_BIT_RANGE_H_

#include <ostream>
#include <string>
#include <vector>

#include "mheap/go121/pallocbits.h"

namespace thp {
namespace go121 {

struct BitRange {
  unsigned i = 0;
  unsigned n = 0;
  friend bool operator==(BitRange a, BitRange b) { return a.i == b.i && a.n == b.n; }
};
inline std::ostream& operator<<(std::ostream& os, BitRange r) {
  return os << "{" << r.i << ", " << r.n << "}";
}

// Bits set exactly on `ranges` (empty ranges skipped).
inline PallocBits MakePallocBits(const std::vector<BitRange>& ranges) {
  PallocBits b;
  for (BitRange r : ranges) {
    if (r.n != 0) b.AllocRange(r.i, r.n);
  }
  return b;
}

// Allocation bits on `alloc`, then scavenged bits on `scav`.
inline PallocData MakePallocData(const std::vector<BitRange>& alloc,
                                 const std::vector<BitRange>& scav) {
  PallocData d;
  for (BitRange r : alloc) {
    if (r.n != 0) d.AllocRange(r.i, r.n);
  }
  for (BitRange r : scav) {
    if (r.n != 0) d.scavenged.SetRange(r.i, r.n);
  }
  return d;
}

inline void Invert(PageBits& b) {
  for (size_t k = 0; k < kPageBitsWords; ++k) b.word(k) = ~b.word(k);
}

// The runs where a and b differ, as "@i got=0101 want=1100" lines; empty if
// they are equal.
inline std::string DiffBits(const PageBits& got, const PageBits& want) {
  std::string out;
  unsigned i = 0;
  while (i < kPallocChunkPagesU) {
    if (got.Get(i) == want.Get(i)) {
      ++i;
      continue;
    }
    unsigned j = i;
    while (j < kPallocChunkPagesU && got.Get(j) != want.Get(j)) ++j;
    std::string g, w;
    for (unsigned k = i; k < j; ++k) {
      g += got.Get(k) ? '1' : '0';
      w += want.Get(k) ? '1' : '0';
    }
    out += "@" + std::to_string(i) + " got=" + g + " want=" + w + "\n";
    i = j;
  }
  return out;
}

}  // namespace go121
}  // namespace thp

#endif  // THP_MHEAP_GO121_BIT_RANGE_H_
