// chunk_churn: a heap workload that makes Go 1.21's page-allocator chunks
// (4 MiB, 512 pages) dense, sparse and dense again, with idle time between so
// that sysmon's scavenger releases what the sparse chunks no longer use. It
// is the workload of bench/thp_cost, written as trace events (trace.h) so it
// can be saved and replayed like any other.
//
// Why a dedicated workload rather than the Go 1.5 benchmark suite: the suite
// keeps a live heap of a few MiB, so few chunks ever cross 496 pages in use
// after the scavenger cleared their mark, and the Go 1.21 dense-chunk advice
// (the heap-locked call of issues 61718 and 63334) would hardly run.
//
// Shape (every number fixed, so the simulated kernel's counts are exact):
//  grow      large objects of 5, 8, 9, 16 and 25 pages and a 3 KiB small
//            object after each, until the large ones fill `chunks` chunks,
//            plus a 768-page buffer in the middle (a multi-chunk allocation,
//            which Go 1.21.1 does not collapse); 100 us of work every 8
//            objects.
//  then `cycles` times:
//   sparsify keep one large object in four (a different one each cycle) and
//            every small one, drop the buffer, runtime.GC();
//   idle     60 ms with every P idle: under GODEBUG=scavenge=1 sysmon forces
//            a GC once none has ended for 10 ms, about every 20 ms (one
//            generation of the chunks' hysteresis each), and scavenges every
//            ~10 ms whatever was idle 20 ms;
//   refill   allocate what was dropped again, same sizes, same order.
//  end       60 ms idle, with the heap full.
#ifndef THP_BENCH_WORKLOADS_CHUNK_CHURN_H_
#define THP_BENCH_WORKLOADS_CHUNK_CHURN_H_

#include <string>
#include <vector>

#include "bench/workloads/trace_format.h"

namespace thp {

struct ChunkChurnOptions {
  int chunks = 12;  // 4 MiB chunks the large objects fill
  int cycles = 4;   // sparsify/idle/refill rounds
};

struct WorkloadPhase {
  std::string name;  // "grow", "sparsify1", "idle1", "refill1", ..., "end"
  std::vector<TraceEvent> events;
};

// The workload's phases in order (no loop events; every event can go to
// TraceReplayer::Apply).
std::vector<WorkloadPhase> ChunkChurnWorkload(const ChunkChurnOptions& options);

}  // namespace thp

#endif  // THP_BENCH_WORKLOADS_CHUNK_CHURN_H_
