#include "bench/harness/loop_slice.h"

#include "absl/flags/flag.h"
#include "bench/harness/flag_range.h"
#include "bench/workloads/trace_replayer.h"

ABSL_FLAG(int64_t, loop_slice_us, thp::kLoopSliceNs / 1000,
          "the model's time resolution inside a benchmark's loop, in microseconds: each slice's "
          "allocations come at its start, before its time passes (sensitivity to the model; "
          "bench/workloads/trace_replayer.h kLoopSliceNs)");
THP_FLAG_RANGE_SAID(loop_slice_us, 1, 1000000, false, "1 to 1000000 (microseconds)");

namespace thp {

int64_t LoopSliceNsFromFlags() { return absl::GetFlag(FLAGS_loop_slice_us) * 1000; }

}  // namespace thp
