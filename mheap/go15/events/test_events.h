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

}  // namespace heaplog
}  // namespace thp

#endif  // THP_MHEAP_GO15_EVENTS_TEST_EVENTS_H_
