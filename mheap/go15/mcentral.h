// The central free list of one size class (Go 1.5 mcentral.go): spans with
// free objects (nonempty) and spans that are full or cached in an mcache
// (empty). Sweeping is the GC model's; it is reached through SpanSweeper so
// that the order of "sweep this span now" decisions stays Go's.
#ifndef THP_MHEAP_GO15_MCENTRAL_H_
#define THP_MHEAP_GO15_MCENTRAL_H_

#include <cstdint>
#include <vector>

#include "mheap/go15/mheap.h"
#include "mheap/go15/mspan.h"
#include "mheap/go15/sweeper.h"

namespace thp {

class MCentral {
 public:
  MCentral(int sizeclass, MHeap& heap, SpanSweeper& sweeper);
  MCentral(const MCentral&) = delete;
  MCentral& operator=(const MCentral&) = delete;

  // Mirrors mCentral_CacheSpan, Go 1.5: a span with a free object for an
  // mcache, or nullptr if the heap cannot grow.
  MSpan* CacheSpan();
  // Mirrors mCentral_UncacheSpan.
  void UncacheSpan(MSpan* s);
  // Mirrors mCentral_FreeSpan: the swept objects `freed` (slot numbers in
  // ascending address order) go back on s's free list; an emptied span goes
  // back to the heap (returns true). With `preserve`, s stays where it is.
  bool FreeSpan(MSpan* s, const std::vector<uint16_t>& freed, bool preserve);

  int sizeclass() const { return sizeclass_; }
  size_t NonEmptyCount() const { return nonempty_.CountSlow(); }
  size_t EmptyCount() const { return empty_.CountSlow(); }

 private:
  // Mirrors mCentral_Grow: a fresh span carved into objects in address order.
  MSpan* Grow();

  const int sizeclass_;
  MHeap& heap_;
  SpanSweeper& sweeper_;
  MSpanList nonempty_;
  MSpanList empty_;
};

}  // namespace thp

#endif  // THP_MHEAP_GO15_MCENTRAL_H_
