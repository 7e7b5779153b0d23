// issue61718: a growing heap program after Go issue 61718 ("runtime:
// MADV_HUGEPAGE causes stalls when allocating memory",
// https://github.com/golang/go/issues/61718). Go 1.21.0 marked all new heap
// memory MADV_HUGEPAGE (pageAlloc.grow -> sysHugePage), so under
// transparent_hugepage/defrag=madvise the first write to each 2 MiB of it
// may enter direct compaction and reclaim when no free order-9 block is at
// hand: a stall on an ordinary store, charged to whichever allocation first
// touches the memory. 9f9bb26880 (Go 1.21.1) stopped advising new memory.
//
// The program only grows, so every allocation's memory is fresh: `mib` MiB
// of objects that stay live, in a fixed cycle of sizes (a 3 KiB and a
// 24 KiB small object, 64 KiB and 256 KiB large ones, so spans come both
// from mcentral and straight from the page heap), on P k mod `ps`, 100 us of
// work every 64 objects. The driver times each allocation (the runtime
// writes every span it hands out, as the program would).
#ifndef THP_BENCH_WORKLOADS_ISSUE61718_H_
#define THP_BENCH_WORKLOADS_ISSUE61718_H_

#include <cstdint>
#include <vector>

#include "bench/workloads/chunk_churn.h"

namespace thp {

struct GrowingHeapOptions {
  int mib = 128;  // live heap at the end
  int ps = 1;     // Ps allocating in turn (at least 1)
};

// One phase, "grow", then "end" (50 ms idle); no loop events.
std::vector<WorkloadPhase> GrowingHeapWorkload(const GrowingHeapOptions& options);

}  // namespace thp

#endif  // THP_BENCH_WORKLOADS_ISSUE61718_H_
