// One variant's run for bench/thp_cost: the chunk_churn workload through the
// ported runtime (memory touched, as a Go program would), sampled for
// huge-page coverage, then the first-touch probe (thp_cost_probe.h).
//
// The runtime (either heap, through HeapRuntime) talks to the kernel
// directly, without the VMA census, so each madvise timing its memory layer
// takes is the kernel's alone. Coverage is sampled after every workload
// phase and every scavenger pass (on the Go 1.21 heap: after each stretch
// of virtual time in which its background scavenger ran): AnonHugePages of
// the arena (HeapRuntime::ArenaRange) against the heap's heap_inuse.
#ifndef THP_BENCH_THP_COST_THP_COST_RUN_H_
#define THP_BENCH_THP_COST_THP_COST_RUN_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/strings/string_view.h"
#include "bench/report/thp_cost_result.h"
#include "bench/workloads/chunk_churn.h"
#include "bench/workloads/trace_replayer.h"
#include "mheap/go15/runtime.h"
#include "mheap/heap_runtime/heap_runtime.h"
#include "runtime_port/kernel/kernel.h"

namespace thp {

struct ThpCostOptions {
  RuntimeOptions runtime;      // the variant, GOGC, GOMAXPROCS; memory is touched
  bool scavenge_debug = true;  // GODEBUG=scavenge=1 (Go 1.5 heap only)
  HeapKind heap = HeapKind::kGo15;  // the ported heap the variant runs on
  ChunkChurnOptions workload;
  uintptr_t probe_bytes = uintptr_t{64} << 20;  // a multiple of 4 MiB
  int probe_rounds = 8;
  // Called as each workload phase starts (may be empty).
  std::function<void(const std::string& phase)> progress;
  // Called once the workload's last phase has run and been sampled, before
  // the probe, with the result so far (may be empty; may read the runtime
  // and the kernel, never change them). With no census there is no VMA peak
  // to observe: this is the one moment a picture of the arena is taken.
  std::function<void(TraceReplayer& rep, const ThpCostResult& so_far)> on_workload_end;
  // A fatal runtime error while the runtime lives calls this instead of any
  // throw hook set before (check.h), then the process exits with status 2.
  std::function<void(TraceReplayer& rep, absl::string_view message)> on_fatal;
};

// Runs options.runtime.variant on `kernel`. A failure to start the runtime
// or the probe is reported in the result's `error`; a fatal runtime error
// exits the process (check.h).
ThpCostResult RunThpCost(Kernel& kernel, const ThpCostOptions& options);

}  // namespace thp

#endif  // THP_BENCH_THP_COST_THP_COST_RUN_H_
