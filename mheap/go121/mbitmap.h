// Object slots of a heap span (go1.21.0 = master 21ff9be0eb): mheap.go's
// initSpan for heap spans, and mbitmap.go's nextFreeIndex, isFree,
// countAlloc and the mark bit of an object.
//
// Compromise: Go keeps allocBits and gcmarkBits as byte bitmaps with a
// 64-bit allocCache of inverted alloc bits; here they are std::vector<bool>
// on the span and the free-slot search walks them from freeindex. The slot
// chosen is the same (the lowest free slot at or above freeindex).
#ifndef THP_MHEAP_GO121_MBITMAP_H_
#define THP_MHEAP_GO121_MBITMAP_H_

#include <cstdint>

#include "mheap/go121/mheap.h"

namespace thp {
namespace go121 {

// initSpan's heap-span branch: element size and count from the span class
// (one element of the whole span for class 0), freeindex 0, allocCount 0,
// cleared alloc and mark bits, and the heap's sweepgen.
void InitHeapSpanObjects(MSpan* s, uint32_t sweepgen);

// nextFreeIndex: the lowest slot at or above freeindex whose alloc bit is
// clear, or nelems; freeindex moves past the slot returned (to nelems when
// there is none). A null span stands for emptymspan (nelems 0).
uint16_t NextFreeIndex(MSpan* s);

// isFree: slots below freeindex are allocated; above, the alloc bit says.
inline bool IsFree(const MSpan& s, uintptr_t index) {
  if (index < s.freeindex) return false;
  return !s.alloc_bits[index];
}

// countAlloc: the marked slots.
uint16_t CountAlloc(const MSpan& s);

// The slot holding address p (objIndex).
inline uintptr_t ObjIndex(const MSpan& s, uintptr_t p) { return (p - s.base()) / s.elemsize; }

}  // namespace go121
}  // namespace thp

#endif  // THP_MHEAP_GO121_MBITMAP_H_
