// The outputs of bench/thp_cost, all from the same results: one table on
// stdout (a row per variant, notes under it), JSON and CSV.
//
// Table columns:
//   heap                 the ported heap the variant ran on, "go15*" or
//                        "go121*" when it is not its Go release's
//                        (heap_label.h; a footnote line says so);
//   heap-locked madvise  calls, p50, p99, max of every madvise call the
//                        variant makes with the heap lock held
//                        (thp_cost_result.h);
//   first touch          writing fresh memory after the variant's advice on
//                        new heap memory ("adv") and without advice
//                        ("plain"): ns per 4 KiB page (the median 2 MiB step
//                        / 512, steadier than the mean on a shared machine;
//                        JSON and CSV have the totals), median and maximum
//                        per 2 MiB, and the share that got huge pages; "-"
//                        in the adv columns when the variant sends no such
//                        advice;
//   coverage             AnonHugePages of the arena / heap_inuse at the end
//                        and when heap_inuse peaked (it can pass 100%: free
//                        but resident spans may sit in huge pages too).
// On the simulated kernel every time is "n/a (simulated)"; counts and
// coverage are the model's and deterministic.
//
// With an issue workload (--workload=issue63334 or issue61718) a second
// table follows the notes: per-allocation latency p50/p99/max, heap-lock
// holds per MADV_COLLAPSE with their p50/p99/max, and collapses in all, per
// GC cycle (p50/max) and per refill (min/max), from each result's
// workload_figures; its heading and a note say whether the times were
// measured or modelled (simulated kernel, with the model's parameters).
//
// JSON layout (schema "thp-lab/thp_cost/1"):
//   { "schema", "kernel", "thp_enabled", "thp_defrag", "mem_available",
//     "gomaxprocs", "scavenge_debug", "workload": {"name", "chunks", "cycles"}
//     (an issue workload adds "gomemlimit", "mib", "times_modelled" and on
//     the simulated kernel "sim_cost": {"stall_ns", "collapse_ns",
//     "free_huge_pages"}),
//     "probe": {"bytes", "rounds"}, "skipped": [..],
//     "variants": [ { <the keys of FieldTable<ThpCostResult>: "variant",
//                     "kernel", "error", the figures, "calls_by_site": {..},
//                     "madvise_errors": {..}, "vmstat_delta": {..}> } ] }
// CSV: one row per variant, the same keys, with calls_by_site,
// madvise_errors and vmstat_delta as "name=n;name=n" cells, and an issue
// workload's figures as one "workload.<name>" key and column each.
#ifndef THP_BENCH_REPORT_THP_COST_REPORT_H_
#define THP_BENCH_REPORT_THP_COST_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "bench/report/thp_cost_result.h"

namespace thp {

struct ThpCostRun {
  std::string kernel;       // "linux" or "sim"
  // /sys/kernel/mm/transparent_hugepage/enabled and .../defrag as read on the
  // real kernel; on the simulated one its --sim_thp mode in the same form
  // and "n/a (simulated)".
  std::string thp_enabled;
  std::string thp_defrag;
  int64_t sim_max_map_count = 0;  // the simulated kernel's vm.max_map_count
  int64_t mem_available = 0;  // /proc/meminfo MemAvailable in bytes (0 if unknown)
  int gomaxprocs = 2;
  bool scavenge_debug = true;
  // The heap program (--workload): "chunk_churn", "issue63334" (chunks,
  // cycles, GOMEMLIMIT) or "issue61718" (mib).
  std::string workload = "chunk_churn";
  int chunks = 0;
  int cycles = 0;
  int64_t gomemlimit = 0;
  int mib = 0;
  // The simulated kernel's cost model for the issue workloads
  // (bench/thp_cost/sim_cost_kernel.h); sim_cost false on the real kernel.
  bool sim_cost = false;
  int64_t sim_stall_ns = 0;
  int64_t sim_collapse_ns = 0;
  int64_t sim_free_huge_pages = 0;
  int64_t probe_bytes = 0;
  int probe_rounds = 0;
  std::vector<std::string> skipped;  // "try_collapse: <why>"
  std::vector<ThpCostResult> variants;
};

std::string FormatThpCostTable(const ThpCostRun& run);
// One line naming an issue workload and its parameters (the table's header
// line; the comment of a --trace_out file).
std::string WorkloadDescription(const ThpCostRun& run);
std::string FormatThpCostJson(const ThpCostRun& run);
std::string FormatThpCostCsv(const ThpCostRun& run);

// "850ns", "12.3us", "4.56ms", "1.23s".
std::string FormatNs(int64_t ns);

}  // namespace thp

#endif  // THP_BENCH_REPORT_THP_COST_REPORT_H_
