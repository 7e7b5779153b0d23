// A long-running service whose heap fragments: the workload behind the
// vm.max_map_count crash of Go issue 12233, reduced to what matters for the
// page heap. It is not one of Go's benchmarks; it is built to have what the
// benchmark suite lacks (README, "why 692 is not reproduced"): many
// long-lived objects scattered between short-lived ones, so freed spans
// cannot coalesce and the scavenger releases thousands of small, unaligned
// ranges that later allocations reuse.
//
// The load comes in waves: grow_rounds rounds of requests, then one quiet
// round in which shrink_percent of the survivors die and nothing is
// allocated (a cache expiring, a load drop), then requests again.
//
// A request round:
//  0. a buffer that grows from round to round (buffer_bytes + r *
//     buffer_step_bytes, like a slice appended to across requests) is
//     allocated for the round and dropped at its end; since each is larger
//     than the last, the arena keeps growing at its top;
//  1. each survivor of earlier rounds dies with probability die_percent/100;
//  2. objects are allocated until burst_bytes have been asked for, sizes
//     drawn from small and large classes (7 in 8 of them 8 KiB: one object per one-page
//     span; 40 KiB and 72 KiB: large objects, 5- and 9-page spans); every
//     keep_every-th object survives the round, the others are dropped at once;
//  3. (every round) round_ns of busy time passes, long enough under GODEBUG=scavenge=1
//     (a forced GC once none has ended for 10 ms, about every 20 ms;
//     release after 20 ms idle) for the round's
//     garbage to be swept, and its spans released, before the next round
//     reuses them.
// The live heap grows by about burst_bytes/keep_every per request round and
// is cut by a wave's quiet round, so the survivors end up scattered over an
// arena as large as the peak. Random
// choices come from a seeded std::mt19937_64, so a seed names one trace.
#ifndef THP_BENCH_WORKLOADS_FRAGMENTER_H_
#define THP_BENCH_WORKLOADS_FRAGMENTER_H_

#include <cstdint>
#include <vector>

#include "bench/workloads/trace_format.h"

namespace thp {

struct FragmenterOptions {
  int rounds = 64;  // request and quiet rounds together
  uint64_t burst_bytes = uint64_t{16} << 20;
  int keep_every = 2;
  int die_percent = 0;
  int grow_rounds = 50;     // request rounds per wave; 0 = no quiet rounds
  int shrink_percent = 50;  // survivors dying in a quiet round
  int64_t round_ns = 50'000'000;
  uint64_t seed = 1;
  uint64_t buffer_bytes = uint64_t{1} << 20;  // 0 = no growing buffer
  uint64_t buffer_step_bytes = uint64_t{64} << 10;
  int gomaxprocs = 2;  // allocations alternate between the Ps
};

// The whole trace; every round begins with a `bench fragmenter/round-<r> 1`
// label so drivers can report progress per round.
std::vector<TraceEvent> FragmenterTrace(const FragmenterOptions& o);

}  // namespace thp

#endif  // THP_BENCH_WORKLOADS_FRAGMENTER_H_
