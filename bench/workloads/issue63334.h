// issue63334: a bursty heap program after Go issue 63334 ("runtime:
// MADV_COLLAPSE causes production performance issues on Linux",
// https://github.com/golang/go/issues/63334). Go 1.21.1-1.21.3 called
// MADV_COLLAPSE on a 4 MiB chunk each time an allocation of fewer than 512 of
// its pages made it dense (more than 496 pages in use: scavengeIndex.alloc,
// from pageAlloc.allocRange with mheap_.lock held), so one goroutine in the
// madvise held up every other P that needed the heap lock. The issue reports
// a production service's regression and that MADV_COLLAPSE "tends to be
// fairly heavyweight" and can enter direct reclaim; the fix (CL 531816,
// 595deec3dd in 1.21.4) removed the call.
//
// The shape makes that happen on every burst, as a service with load spikes
// would: a chunk re-collapses only after the scavenger cleared its dense
// mark, which takes a release from it (scavengeOne), and the background
// scavenger leaves a chunk alone until it has been sparse for a whole GC
// cycle. The issue's setting adds a GOMEMLIMIT near the heap size (set by
// the driver from BurstMemoryLimitBytes): mheap.allocSpan's allocation-time
// scavenging then forces releases whatever a chunk's density.
//
// Every number fixed (the simulated kernel's counts are exact):
//  grow     `chunks` chunks' worth of 64 KiB objects (8 pages: large
//           objects, each from the page heap under mheap_.lock), the k-th
//           on P k mod `ps` (the Ps allocate in rounds: one object each,
//           P 0 first), 100 us of work every `ps` * 8 objects;
//  then `cycles` times:
//   drain   the burst ends: three objects in four are dropped (a different
//           quarter stays each cycle), runtime.GC();
//   idle    the program waits: 50 ms idle, runtime.GC() (a second cycle, so
//           the chunks were sparse at the start of the scavenger's
//           generation), 2 s idle: the background scavenger, paced at 1% of
//           a CPU, needs about that long to release every sparse chunk;
//   refill  the next burst: the dropped objects again, same P rounds, past
//           496 pages in every chunk.
//  end      50 ms idle.
#ifndef THP_BENCH_WORKLOADS_ISSUE63334_H_
#define THP_BENCH_WORKLOADS_ISSUE63334_H_

#include <cstdint>
#include <vector>

#include "bench/workloads/chunk_churn.h"

namespace thp {

struct BurstRefillOptions {
  int chunks = 8;  // 4 MiB chunks the objects fill at a burst's peak
  int cycles = 4;  // drain/idle/refill rounds
  int ps = 4;      // Ps allocating in each round (GOMAXPROCS; at least 1)
};

// Bytes of one object (8 pages: 64 per chunk).
inline constexpr uint64_t kBurstObjectBytes = 8 * 8192;

// The workload's phases in order ("grow", "drain1", "idle1", "refill1", ...,
// "end"); no loop events.
std::vector<WorkloadPhase> BurstRefillWorkload(const BurstRefillOptions& options);

// The GOMEMLIMIT the driver sets: the burst's peak heap plus 1 MiB (the
// heap's metadata lives beside it). Measured on the simulated kernel (8
// chunks, 4 cycles): the limit keeps the GC goal at the peak (about 200 GC
// cycles instead of 20) and each refill's allocation-time scavenging
// releases from chunks whatever their density; with the 2 s idle the
// background scavenger has already released every sparse chunk, so every
// refill collapses each chunk again with or without the limit.
int64_t BurstMemoryLimitBytes(const BurstRefillOptions& options);

}  // namespace thp

#endif  // THP_BENCH_WORKLOADS_ISSUE63334_H_
