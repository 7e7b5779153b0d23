// The seam between the allocator and the GC model's sweeper: who sweeps a
// span, and who pays sweep credit before allocating.
#ifndef THP_MHEAP_GO15_SWEEPER_H_
#define THP_MHEAP_GO15_SWEEPER_H_

#include <cstdint>

#include "mheap/go15/mspan.h"

namespace thp {

class SpanSweeper {
 public:
  virtual ~SpanSweeper() = default;
  // Mirrors deductSweepCredit: sweep enough before allocating `bytes`.
  virtual void DeductSweepCredit(uintptr_t bytes, uintptr_t npages) = 0;
  // Mirrors mSpan_Sweep(s, preserve); true if the span went back to the heap.
  virtual bool Sweep(MSpan* s, bool preserve) = 0;
};

}  // namespace thp

#endif  // THP_MHEAP_GO15_SWEEPER_H_
