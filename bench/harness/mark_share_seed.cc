#include "bench/harness/mark_share_seed.h"

#include "absl/flags/flag.h"
#include "mheap/go15/mark_share.h"

ABSL_FLAG(uint64_t, mark_share_seed, thp::kMarkShareSeed,
          "the seed of the Go 1.5 heap's draws of the program's share of each background mark, "
          "from the distribution measured in Go's recording (mheap/go15/mark_share.h); another "
          "seed shows what one sequence of draws moves");

namespace thp {

uint64_t MarkShareSeedFromFlags() { return absl::GetFlag(FLAGS_mark_share_seed); }

}  // namespace thp
