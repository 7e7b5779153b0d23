// The seeds of the Go 1.5 heap's seeded draws, as flags shared by the
// drivers that run the modelled suite (vma_repro, calibrate):
//  --mark_share_seed: the program's share of each background mark
//    (mheap/go15/mark_share.h kMarkShareSeed, its default);
//  --sweep_wait_seed: whether a sysmon scavenge pass due inside a sweep
//    reads its clock late or waits for the heap lock (Go15HeapRuntime,
//    mheap/go15/runtime.h kSweepWaitSeed, its default).
// Any seed draws from the same measured rates and distributions; another
// seed shows how much one sequence of draws moves a figure. Each 0 to
// 2^64-1; anything else is a one-line usage error (cli.h).
#ifndef THP_BENCH_HARNESS_MODEL_SEEDS_H_
#define THP_BENCH_HARNESS_MODEL_SEEDS_H_

#include "mheap/go15/runtime.h"

namespace thp {

// Sets o.mark_share_seed and o.sweep_wait_seed from the flags.
void SetModelSeedsFromFlags(RuntimeOptions& o);

}  // namespace thp

#endif  // THP_BENCH_HARNESS_MODEL_SEEDS_H_
