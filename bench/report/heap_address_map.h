// The address map of whichever ported heap a HeapRuntime runs: Go 1.5's
// spans (address_map.h) or the Go 1.21 page allocator's page states
// (address_map_go121.h), under the same kernel VMAs. What the drivers'
// --svg_out and --map_svg_out capture, for every variant on either heap.
#ifndef THP_BENCH_REPORT_HEAP_ADDRESS_MAP_H_
#define THP_BENCH_REPORT_HEAP_ADDRESS_MAP_H_

#include <string>

#include "bench/report/address_map.h"
#include "mheap/heap_runtime/heap_runtime.h"
#include "runtime_port/kernel/kernel.h"

namespace thp {

// `rt` must be a Go15HeapRuntime or a Go121HeapRuntime (as its kind() says).
AddressMap CaptureHeapAddressMap(Kernel& kernel, HeapRuntime& rt, std::string title,
                                 std::string caption);

}  // namespace thp

#endif  // THP_BENCH_REPORT_HEAP_ADDRESS_MAP_H_
