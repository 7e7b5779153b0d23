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

}  // namespace heaplog
}  // namespace thp

#endif  // THP_MHEAP_GO15_EVENTS_TEST_EVENTS_H_
