// One run of Go issue 8832's program (bench/workloads/issue8832.h) through the
// ported runtime with one memory-layer variant, optionally with khugepaged
// emulated in "always" mode (runtime_port/kernel/khugepaged_emulator.h), and what it
// measured. bench/thp_bloat runs it twice per variant, without and with the
// emulation, in child processes of their own, and compares the RSS.
//
// The emulation is an observer of the run, never part of the heap: the trace
// replayer calls back after each scavenge pass sysmon makes, and the
// callback scans the heap arena [arena_start, arena_used) through the kernel
// the runtime runs on (not through the replayer's VMA census, which counts
// the runtime's own calls).
#ifndef THP_BENCH_BLOAT_RUN_H_
#define THP_BENCH_BLOAT_RUN_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bench/result_fields.h"
#include "bench/workloads/issue8832.h"
#include "bench/workloads/trace_replayer.h"
#include "mheap/go15/runtime.h"
#include "runtime_port/kernel/khugepaged_emulator.h"

namespace thp {

struct BloatResult;

struct BloatRunOptions {
  RuntimeOptions runtime;       // variant, GOGC, GOMAXPROCS; memory is touched
  bool scavenge_debug = true;   // GODEBUG=scavenge=1
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

struct BloatResult {
  std::string variant;
  std::string kernel;
  bool khugepaged = false;
  int64_t max_ptes_none = 0;
  // The heap arena at the end, and its resident bytes (mincore) and
  // AnonHugePages (smaps of the VMAs over it).
  uint64_t arena_bytes = 0;
  uint64_t rss_bytes = 0;
  uint64_t anon_huge_bytes = 0;
  // The arena's RSS after every scavenge pass, before the emulation ran:
  // highest, and lowest once a pass had released memory (8832's 48776 KB).
  uint64_t rss_peak_bytes = 0;
  uint64_t rss_low_after_release_bytes = 0;
  // memstats at the end; the live G objects.
  uint64_t heap_sys_bytes = 0;
  uint64_t heap_inuse_bytes = 0;
  uint64_t heap_released_bytes = 0;
  int64_t live_objects = 0;
  int64_t scavenge_passes = 0;
  int64_t gc_cycles = 0;
  // The runtime's own VMAs (census_kernel.h): most at any time, and at the end.
  int64_t max_vmas = 0;
  int64_t final_vmas = 0;
  int64_t madvise_dontneed = 0;
  int64_t madvise_hugepage = 0;
  int64_t madvise_nohugepage = 0;
  // The emulation (zero without it): regions collapsed over the whole run,
  // resident bytes it added, collapse failures, and the last pass's verdicts.
  int64_t regions_collapsed = 0;
  uint64_t collapse_added_bytes = 0;
  int64_t collapse_failures = 0;
  std::string collapse_errors;        // "EAGAIN=2 ENOMEM=1", "" if none
  NamedCounts last_scan;              // verdict name -> regions
  std::vector<int64_t> collapse_ns;   // wall time of each collapse (real kernel)
  int64_t virtual_ns = 0;
  int64_t wall_ns = 0;
};

// The child -> parent format and each run's JSON object (bloat_report.h),
// in this order; which run it was, and the collapse times, are in the child
// format only.
template <>
struct FieldTable<BloatResult> {
  template <typename R, typename V>
  static void Visit(R& r, V& v) {
    v("variant", r.variant, kChildOnly);
    v("kernel", r.kernel, kChildOnly);
    v("khugepaged", r.khugepaged, kChildOnly);
    v("max_ptes_none", r.max_ptes_none, kChildOnly);
    v("arena_bytes", r.arena_bytes);
    v("rss_bytes", r.rss_bytes);
    v("anon_huge_bytes", r.anon_huge_bytes);
    v("rss_peak_bytes", r.rss_peak_bytes);
    v("rss_low_after_release_bytes", r.rss_low_after_release_bytes);
    v("heap_sys_bytes", r.heap_sys_bytes);
    v("heap_inuse_bytes", r.heap_inuse_bytes);
    v("heap_released_bytes", r.heap_released_bytes);
    v("live_objects", r.live_objects);
    v("scavenge_passes", r.scavenge_passes);
    v("gc_cycles", r.gc_cycles);
    v("max_vmas_runtime", r.max_vmas);
    v("final_vmas_runtime", r.final_vmas);
    v("madvise_dontneed", r.madvise_dontneed);
    v("madvise_hugepage", r.madvise_hugepage);
    v("madvise_nohugepage", r.madvise_nohugepage);
    v("regions_collapsed", r.regions_collapsed);
    v("collapse_added_bytes", r.collapse_added_bytes);
    v("collapse_failures", r.collapse_failures);
    v("collapse_errors", r.collapse_errors);
    v("last_scan", r.last_scan, kEverywhere | kNested);
    v("virtual_ns", r.virtual_ns);
    v("wall_ns", r.wall_ns);
    v("collapse_ns", r.collapse_ns, kChildOnly);
  }
};

// Runs the program on `kernel`. A bad option (a variant the kernel cannot
// run) is an error; a fatal runtime error exits as Go's throw does.
absl::StatusOr<BloatResult> RunBloat(Kernel& kernel, const BloatRunOptions& options);

// Nearest-rank percentile (0 < p <= 100) of unsorted values; 0 if empty.
int64_t Percentile(std::vector<int64_t> values, double p);

}  // namespace thp

#endif  // THP_BENCH_BLOAT_RUN_H_
