// The heap's free spans as the heap-event records (tools/go151/FORMAT.md)
// show them, for both sides of bench/calibrate: which page runs are free,
// and how many free spans of each size the heap holds at a given record.
// It tells where two heaps' layouts part: two runs whose releases differ in
// size because their free spans do (a span of 5 pages where Go's is 4) show
// it here at the start of the benchmark that releases them, and at the
// first benchmark whose start differs.
//
// A `free` record gives the span mHeap_FreeSpanLocked made, merged with its
// free neighbours: it starts merged_pages_before pages below `page` and is
// merged_npages long, so the neighbour below (when merged_pages_before > 0)
// and the one above (when the merged span reaches past page + npages) are
// gone (the heap's own frees, grow and trim, included). An `alloc_done`
// record with a page took the free span that starts there. Its trim, the
// tail mHeap_AllocSpanLocked splits off, is recorded before it, so for a
// moment the map holds the found span and its tail both. Nothing else
// changes which pages are free: a release (sysUnused) leaves its span free.
// Both sides' records start with the heap's start (a log that began later
// would miss the free spans no record touches). It mirrors no Go code.
#ifndef THP_BENCH_CALIBRATE_FREE_SPANS_H_
#define THP_BENCH_CALIBRATE_FREE_SPANS_H_

#include <cstddef>
#include <cstdint>

#include "absl/container/btree_map.h"
#include "bench/calibrate/tally.h"
#include "mheap/go15/events/heap_event.h"

namespace thp {
namespace calibrate {

class FreeSpans {
 public:
  // Feed every record, from the heap's start, in order.
  void Observe(const heaplog::EventBody& body);
  // The free spans now, by size in pages (tally.h's bins).
  SizeHistogram Histogram() const;
  size_t spans() const { return free_.size(); }
  // The free span starting at `page`, in pages (0: none starts there).
  uint64_t SpanAt(uint64_t page) const;

 private:
  absl::btree_map<uint64_t, uint64_t> free_;  // first page -> pages
};

}  // namespace calibrate
}  // namespace thp

#endif  // THP_BENCH_CALIBRATE_FREE_SPANS_H_
