// The seam between the central lists and the sweeper (go1.21.0 =
// 21ff9be0eb): what mcentral.go asks of mgcsweep.go. The sweeper
// (mgcsweep.h) implements it and owns the central lists, which cannot
// include it back.
#ifndef THP_MHEAP_GO121_SWEEPER_H_
#define THP_MHEAP_GO121_SWEEPER_H_

#include <cstdint>

#include "mheap/go121/mheap.h"

namespace thp {
namespace go121 {

class SpanSweeper {
 public:
  virtual ~SpanSweeper() = default;
  // mheap_.sweepgen.
  virtual uint32_t sweepgen() const = 0;
  // deductSweepCredit: sweep enough before allocating spanBytes.
  virtual void DeductSweepCredit(uintptr_t span_bytes, uintptr_t caller_sweep_pages) = 0;
  // sweep.active.begin: false once the sweep is drained (sweepLocker.valid).
  virtual bool BeginSweep() const = 0;
  // sweepLocker.tryAcquire: takes ownership of an unswept span
  // (sweepgen-2 -> sweepgen-1); false if it is swept or being swept.
  virtual bool TryAcquire(MSpan* s) = 0;
  // sweepLocked.sweep: true if the span went back to the heap.
  virtual bool Sweep(MSpan* s, bool preserve) = 0;
};

}  // namespace go121
}  // namespace thp

#endif  // THP_MHEAP_GO121_SWEEPER_H_
