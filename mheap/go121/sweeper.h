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

// BeginSweep, TryAcquire and Sweep come from what the page reclaimer asks
// (mheap.h's ReclaimSweeper).
class SpanSweeper : public ReclaimSweeper {
 public:
  // mheap_.sweepgen.
  virtual uint32_t sweepgen() const = 0;
  // deductSweepCredit: sweep enough before allocating spanBytes.
  virtual void DeductSweepCredit(uintptr_t span_bytes, uintptr_t caller_sweep_pages) = 0;
};

}  // namespace go121
}  // namespace thp

#endif  // THP_MHEAP_GO121_SWEEPER_H_
