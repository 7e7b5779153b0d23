// The central lists of one span class (mcentral.go, go1.21.0 = master
// 21ff9be0eb): two pairs of span sets, partial (free slots) and full, one of
// each pair swept in this cycle and one not, swapping roles each time
// sweepgen moves by 2. cacheSpan takes a swept partial span, else sweeps an
// unswept partial one, else sweeps unswept full ones until one frees a
// slot, else grows; uncacheSpan returns an mcache's span.
//
// Compromise: Go's spanSet is a lock-free queue of blocks; here it is a
// std::deque (push at the back, pop from the front, as spanSet does; Go's
// concurrent pops may reorder, a single thread here never does).
#ifndef THP_MHEAP_GO121_MCENTRAL_H_
#define THP_MHEAP_GO121_MCENTRAL_H_

#include <array>
#include <cstdint>
#include <deque>

#include "mheap/go121/mheap.h"
#include "mheap/go121/sizeclasses.h"
#include "mheap/go121/sweeper.h"

namespace thp {
namespace go121 {

// spanSet.
class SpanSet {
 public:
  void Push(MSpan* s) { q_.push_back(s); }
  MSpan* Pop() {
    if (q_.empty()) return nullptr;
    MSpan* s = q_.front();
    q_.pop_front();
    return s;
  }
  void Reset() { q_.clear(); }
  size_t size() const { return q_.size(); }
  const std::deque<MSpan*>& spans() const { return q_; }

 private:
  std::deque<MSpan*> q_;
};

class MCentral {
 public:
  MCentral(SpanClass spc, MHeap& heap, SpanSweeper& sweeper)
      : spanclass_(spc), heap_(heap), sweeper_(sweeper) {}
  MCentral(const MCentral&) = delete;
  MCentral& operator=(const MCentral&) = delete;

  // cacheSpan: a span with a free slot for an mcache, freeindex at that
  // slot; nullptr if the heap cannot grow.
  MSpan* CacheSpan();
  // uncacheSpan: an mcache gives s back (sweeping it if it was cached
  // before this cycle's sweep began).
  void UncacheSpan(MSpan* s);

  // partialSwept, partialUnswept, fullSwept, fullUnswept.
  SpanSet& PartialSwept(uint32_t sg) { return partial_[sg / 2 % 2]; }
  SpanSet& PartialUnswept(uint32_t sg) { return partial_[1 - sg / 2 % 2]; }
  SpanSet& FullSwept(uint32_t sg) { return full_[sg / 2 % 2]; }
  SpanSet& FullUnswept(uint32_t sg) { return full_[1 - sg / 2 % 2]; }

  SpanClass spanclass() const { return spanclass_; }

 private:
  // grow: a fresh span from the heap, carved into the class's objects.
  MSpan* Grow();

  const SpanClass spanclass_;
  MHeap& heap_;
  SpanSweeper& sweeper_;
  std::array<SpanSet, 2> partial_;
  std::array<SpanSet, 2> full_;
};

}  // namespace go121
}  // namespace thp

#endif  // THP_MHEAP_GO121_MCENTRAL_H_
