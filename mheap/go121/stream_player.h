// Applies a recorded memory-layer stream of the Go 1.21 heap
// (runtime_port/memstream/mem_stream.h, "go121heap") to one variant's
// Go 1.21 MemLinux: each call as the heap made it, so the variant's policy
// sends its advice and the kernel sees what it would have seen under a heap
// run of its own (the heap's decisions do not depend on the memory layer).
#ifndef THP_MHEAP_GO121_STREAM_PLAYER_H_
#define THP_MHEAP_GO121_STREAM_PLAYER_H_

#include "absl/status/statusor.h"
#include "mheap/go121/mem_linux.h"
#include "runtime_port/memstream/mem_stream.h"

namespace thp {
namespace go121 {

// Applies `r` to `mem` if it is a memory-layer call and returns true;
// false for "at", "go121heap" and the driver's markers, which the caller
// handles. An error when the kernel gave sysAllocOS or sysReserve another
// address than the recorded heap run got, or for a record of the Go 1.5
// heap's memory layer. A fatal runtime error throws as in the heap run.
absl::StatusOr<bool> ApplyMemRecord(const MemRecord& r, MemLinux& mem);

}  // namespace go121
}  // namespace thp

#endif  // THP_MHEAP_GO121_STREAM_PLAYER_H_
