// --mark_share_seed, shared by the drivers that run the modelled suite
// (vma_repro, calibrate): the seed of the Go 1.5 heap's draws of the
// program's share of each background mark (mheap/go15/mark_share.h
// kMarkShareSeed, its default). Any seed draws from the same measured
// distribution; another seed shows how much one sequence of draws moves a
// figure. 0 to 2^64-1; anything else is a one-line usage error (cli.h).
#ifndef THP_BENCH_HARNESS_MARK_SHARE_SEED_H_
#define THP_BENCH_HARNESS_MARK_SHARE_SEED_H_

#include <cstdint>

namespace thp {

// The flag's value (RuntimeOptions::mark_share_seed).
uint64_t MarkShareSeedFromFlags();

}  // namespace thp

#endif  // THP_BENCH_HARNESS_MARK_SHARE_SEED_H_
