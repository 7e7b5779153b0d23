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
#include <vector>

#include "absl/strings/string_view.h"
#include "bench/report/thp_cost_result.h"
#include "bench/thp_cost/sim_cost_kernel.h"
#include "bench/workloads/chunk_churn.h"
#include "bench/workloads/issue61718.h"
#include "bench/workloads/issue63334.h"
#include "bench/workloads/trace_replayer.h"
#include "mheap/go15/runtime.h"
#include "mheap/heap_runtime/heap_runtime.h"
#include "runtime_port/kernel/kernel.h"

namespace thp {

// The heap program thp_cost runs (--workload).
enum class ThpWorkload { kChunkChurn, kIssue63334, kIssue61718 };
// "chunk_churn", "issue63334", "issue61718".
const char* ThpWorkloadName(ThpWorkload w);
// One of the names; false for anything else.
bool ParseThpWorkload(absl::string_view name, ThpWorkload* out);

struct ThpCostOptions {
  RuntimeOptions runtime;      // the variant, GOGC, GOMAXPROCS; memory is touched
  bool scavenge_debug = true;  // GODEBUG=scavenge=1 (Go 1.5 heap only)
  HeapKind heap = HeapKind::kGo15;  // the ported heap the variant runs on
  ThpWorkload which = ThpWorkload::kChunkChurn;
  ChunkChurnOptions workload;
  BurstRefillOptions burst;      // issue63334 (its ps: GOMAXPROCS); sets GOMEMLIMIT
  GrowingHeapOptions growing;    // issue61718
  // The simulated kernel's cost model the runtime's kernel is (not owned;
  // null on the real kernel, and for chunk_churn): the issue workloads time
  // with its charge instead of the wall clock.
  const SimCostKernel* sim_cost = nullptr;
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

// The workload's phases.
std::vector<WorkloadPhase> ThpCostPhases(const ThpCostOptions& options);

// Runs options.runtime.variant on `kernel`. The issue workloads time every
// allocation and, on the Go 1.21 heap, every hold of its lock
// (workload_timer.h) into the result's workload_figures. A failure to start the runtime
// or the probe is reported in the result's `error`; a fatal runtime error
// exits the process (check.h).
ThpCostResult RunThpCost(Kernel& kernel, const ThpCostOptions& options);

}  // namespace thp

#endif  // THP_BENCH_THP_COST_THP_COST_RUN_H_
