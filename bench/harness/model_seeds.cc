#include "bench/harness/model_seeds.h"

#include "absl/flags/flag.h"
#include "mheap/go15/mark_share.h"

ABSL_FLAG(uint64_t, mark_share_seed, thp::kMarkShareSeed,
          "the seed of the Go 1.5 heap's draws of the program's share of each background mark, "
          "from the distribution measured in Go's recording (mheap/go15/mark_share.h); another "
          "seed shows what one sequence of draws moves");
ABSL_FLAG(uint64_t, sweep_wait_seed, thp::kSweepWaitSeed,
          "the seed of the Go 1.5 heap's draws of whether a sysmon scavenge pass due inside a "
          "sweep reads its clock late or waits for the sweep's end, at the rates measured in Go's "
          "recording (mheap/heap_runtime/go15_heap_runtime.h); another seed shows what one "
          "sequence of draws moves");

namespace thp {

void SetModelSeedsFromFlags(RuntimeOptions& o) {
  o.mark_share_seed = absl::GetFlag(FLAGS_mark_share_seed);
  o.sweep_wait_seed = absl::GetFlag(FLAGS_sweep_wait_seed);
}

}  // namespace thp
