// The address map (address_map.h) of the Go 1.21 heap (mheap/go121): the
// same two strips, the kernel's VMAs over the heap's pages, with the pages'
// states read from the page allocator's bitmaps instead of Go 1.5's span
// free lists:
//   in use    the allocation bit is set and an in-use span (objects or a
//             stack) covers the page (MHeap::SpanOf);
//   free      the allocation bit is clear and the scavenged bit too; or the
//             page is a free page of a P's page cache (pageCache.cache) that
//             the cache does not mark scavenged;
//   released  the allocation bit is clear and the scavenged bit set (fresh
//             memory counts as scavenged, as pageAlloc.grow marks it); or a
//             free page of a P's page cache marked in pageCache.scav;
//   unknown   outside the page allocator's in-use ranges (a gap between
//             discontiguous arenas), or allocated with no span and in no
//             page cache: a run scavengeOne hides while it releases it with
//             the heap lock dropped (the capture is an observer's read
//             between two kernel calls).
// The range drawn is the memory pageAlloc.grow has added: from the lowest
// in-use range's base to the highest one's limit.
#ifndef THP_BENCH_REPORT_ADDRESS_MAP_GO121_H_
#define THP_BENCH_REPORT_ADDRESS_MAP_GO121_H_

#include <string>

#include "bench/report/address_map.h"
#include "mheap/go121/mheap.h"
#include "runtime_port/kernel/kernel.h"

namespace thp {

AddressMap CaptureAddressMap(Kernel& kernel, const go121::MHeap& heap, std::string title,
                             std::string caption);

}  // namespace thp

#endif  // THP_BENCH_REPORT_ADDRESS_MAP_GO121_H_
