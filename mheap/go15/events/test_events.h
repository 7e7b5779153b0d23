// Test data for the heap-event log tests: a small valid log holding every
// record kind, in the structure the Go runtime produces.
#ifndef THP_MHEAP_GO15_EVENTS_TEST_EVENTS_H_
#define THP_MHEAP_GO15_EVENTS_TEST_EVENTS_H_

#include <vector>

#include "mheap/go15/events/heap_event.h"

namespace thp {
namespace heaplog {

// Every kind at least once; times increase by 100 ns from 1e9, with one
// step back (records of different threads may be out of time order).
std::vector<HeapEvent> SampleLog();

HeapEvent At(int64_t time_ns, EventBody body);

// A sysmon pass's `scavenge` record (k >= 0; FreeOSMemory's is k = -1,
// now = UINT64_MAX) at GODEBUG=scavenge=1's 20 ms limit.
Scavenge SysmonPass(uint64_t now, int64_t k = 1);

// A `free` record of `npages` at `page` for `why`, which
// mHeap_FreeSpanLocked merged into a span starting `merged_pages_before`
// pages below it and `merged_npages` long (0: the freed span alone), its
// unusedsince `unusedsince_age` ns before the record.
Free SpanFree(uint64_t page, uint64_t npages = 1, FreeWhy why = FreeWhy::kCentral,
              uint64_t merged_pages_before = 0, uint64_t merged_npages = 0,
              int64_t unusedsince_age = 0);

}  // namespace heaplog
}  // namespace thp

#endif  // THP_MHEAP_GO15_EVENTS_TEST_EVENTS_H_
