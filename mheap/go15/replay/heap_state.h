// A text picture of the ported heap around one address, for a replay that
// has just found the port deciding otherwise than Go: the spans on either
// side of the address, the free lists of the sizes involved (in list order:
// the first is the one mHeap_AllocSpanLocked takes next) and the heap's
// counters. Pages are counted from arena_start, as in the heap-event log.
#ifndef THP_MHEAP_GO15_REPLAY_HEAP_STATE_H_
#define THP_MHEAP_GO15_REPLAY_HEAP_STATE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "mheap/go15/mheap.h"

namespace thp {

// `addr` 0 leaves out the spans; `sizes` are span lengths in pages whose
// free lists (and the neighbouring lengths) are listed, with freelarge.
std::string DescribeHeapAround(const MHeap& heap, uintptr_t addr,
                               const std::vector<uint64_t>& sizes);

}  // namespace thp

#endif  // THP_MHEAP_GO15_REPLAY_HEAP_STATE_H_
