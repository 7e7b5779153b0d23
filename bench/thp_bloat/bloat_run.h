// One run of Go issue 8832's program (bench/workloads/issue8832.h) through the
// ported runtime with one memory-layer variant, optionally with khugepaged
// emulated in "always" mode (runtime_port/kernel/khugepaged_emulator.h),
// measuring a BloatResult (bench/report/bloat_result.h). bench/thp_bloat runs it twice per variant, without and with the
// emulation, in child processes of their own, and compares the RSS.
//
// The run is heap-neutral (HeapRuntime): `heap` picks the Go 1.5 port or the
// Go 1.21 one. The emulation is an observer of the run, never part of the
// heap: the trace replayer calls back after each scavenge pass sysmon makes
// (on the Go 1.21 heap: after each stretch of virtual time in which its
// background scavenger ran, or a FreeOSMemory), and the callback scans the
// heap's arena (HeapRuntime::ArenaRange) through the kernel the runtime runs
// on (not through the replayer's VMA census, which counts the runtime's own
// calls), so it applies to either heap.
#ifndef THP_BENCH_THP_BLOAT_BLOAT_RUN_H_
#define THP_BENCH_THP_BLOAT_BLOAT_RUN_H_

#include <cstdint>
#include <functional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bench/report/bloat_result.h"
#include "bench/workloads/issue8832.h"
#include "bench/workloads/trace_replayer.h"
#include "mheap/go15/runtime.h"
#include "mheap/heap_runtime/heap_runtime.h"
#include "runtime_port/kernel/khugepaged_emulator.h"

namespace thp {

struct BloatRunOptions {
  RuntimeOptions runtime;       // variant, GOGC, GOMAXPROCS; memory is touched
  bool scavenge_debug = true;   // GODEBUG=scavenge=1 (Go 1.5 heap only)
  HeapKind heap = HeapKind::kGo15;  // the ported heap the program runs on
  bool khugepaged = false;      // emulate khugepaged after every scavenge pass
  KhugepagedOptions emulator;   // max_ptes_none, collapser, wall clock
  Issue8832Options workload;
  // Observers (each may be empty; they may read the runtime and the kernel,
  // never change them). on_census_peak: each time the runtime's own VMA
  // count reaches a new maximum, in the middle of the kernel call that set
  // it. on_end: once the program has run and the emulation's last scan is
  // done, with the whole result (its wall time does not include this call).
  std::function<void(TraceReplayer& rep)> on_census_peak;
  std::function<void(TraceReplayer& rep, const BloatResult& r)> on_end;
  // A fatal runtime error while the program runs calls this instead of any
  // throw hook set before (check.h), then the process exits with status 2.
  std::function<void(TraceReplayer& rep, absl::string_view message)> on_fatal;
};

// Runs the program on `kernel`. A bad option (a variant the kernel cannot
// run) is an error; a fatal runtime error exits as Go's throw does.
absl::StatusOr<BloatResult> RunBloat(Kernel& kernel, const BloatRunOptions& options);

}  // namespace thp

#endif  // THP_BENCH_THP_BLOAT_BLOAT_RUN_H_
