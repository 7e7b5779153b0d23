// What bench/thp_cost measures for one variant, and its field table
// (result_fields.h): the form a child process hands it to the parent in and
// the JSON keys and CSV columns of thp_cost_report.h.
//
// Three figures (issues 61718 and 63334):
//  1. the madvise calls the variant makes with the heap lock held, as a
//     latency distribution: on the Go 1.5 heap where the Go version the
//     variant mirrors holds it (HugePagePolicy::HeapLockHeld), on the Go
//     1.21 heap where that heap's own lock (go121::HeapLock) is held at the
//     call;
//  2. the cost of first-touching fresh heap memory after the variant's
//     advice on new memory, against the same memory without advice;
//  3. huge-page coverage, AnonHugePages of the arena over heap_inuse, at the
//     end of the workload and when heap_inuse peaked. AnonHugePages is
//     counted per VMA, so free but resident spans in huge pages count too
//     and the ratio can pass 100%.
// Times are wall-clock nanoseconds of this process; on the simulated kernel
// they time the model, so the report prints them as n/a. The exception is
// workload_figures: on the simulated kernel its times are the cost model's
// charge (bench/thp_cost/sim_cost_kernel.h), printed and labelled modelled.
#ifndef THP_BENCH_REPORT_THP_COST_RESULT_H_
#define THP_BENCH_REPORT_THP_COST_RESULT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "bench/report/result_fields.h"
#include "runtime_port/base/latency_histogram.h"

namespace thp {

// First touch of fresh memory, one 2 MiB step at a time.
struct TouchCost {
  int64_t bytes = 0;            // touched in all rounds together
  int64_t total_ns = 0;
  int64_t p50_huge_page_ns = 0;  // per 2 MiB step
  int64_t max_huge_page_ns = 0;
  int64_t anon_huge_bytes = 0;  // huge pages the touched memory got, all rounds

  // ns per 4 KiB page and per 2 MiB, averaged; 0 when nothing was touched.
  double NsPerSmallPage() const;
  double NsPerHugePage() const;
  // From the times of every 2 MiB step of every round.
  static TouchCost Of(const LatencyHistogram& steps, int64_t anon_huge_bytes);
};

struct ThpCostResult {
  std::string variant;
  std::string kernel;  // "linux" or "sim"
  std::string heap;    // "go15" or "go121": the ported heap it ran on (HeapKindName)
  std::string error;   // why the child failed; empty when it did not

  // 1. madvise calls made with the heap lock held (every advice together).
  int64_t locked_calls = 0;
  int64_t locked_p50_ns = 0;
  int64_t locked_p99_ns = 0;
  int64_t locked_max_ns = 0;
  int64_t locked_total_ns = 0;
  int64_t unlocked_calls = 0;  // the variant's other madvise calls
  // "<site>/<ADVICE>" -> calls, e.g. "dense/HUGEPAGE", for every call; a
  // leading '*' marks the calls made with the heap lock held
  // ("*dense/HUGEPAGE"). A site whose calls were made both ways (only on
  // the Go 1.21 heap, whose lock is read at each call) has both entries.
  NamedCounts calls_by_site;
  // Failed calls as "<ADVICE>/<errno>" (Go ignores them; e.g. COLLAPSE/EINVAL
  // for a range with nothing resident to collapse).
  NamedCounts madvise_errors;

  // 2. first touch of fresh memory.
  int64_t advises_new_memory = 0;  // 0: `advised` ran without advice too
  TouchCost advised;
  TouchCost plain;

  // 3. coverage.
  int64_t end_heap_inuse = 0;
  int64_t end_anon_huge = 0;
  int64_t end_rss = 0;
  // The sample where heap_inuse peaked (of several with that heap_inuse,
  // the one with the most AnonHugePages).
  int64_t peak_heap_inuse = 0;
  int64_t peak_anon_huge = 0;
  int64_t max_anon_huge = 0;  // the most seen at any sample

  // Context.
  int64_t gc_cycles = 0;
  int64_t scavenge_passes = 0;
  int64_t heap_released = 0;
  int64_t samples = 0;
  int64_t wall_ns = 0;
  // /proc/vmstat counters over the child's run (system-wide; real kernel).
  NamedCounts vmstat_delta;
  // The issue workloads' per-operation figures (bench/thp_cost/workload_timer.h:
  // allocation latency percentiles, heap-lock hold time per MADV_COLLAPSE,
  // collapses per GC cycle and per refill; modelled_ns = 1 when the times
  // are the simulated kernel's model charge, sim_cost_kernel.h, with its
  // sim_stalls, sim_huge_faults and sim_collapsed). Empty for chunk_churn,
  // so its outputs have no such columns. One JSON key and CSV column each,
  // "workload.<name>".
  NamedCounts workload_figures;
};

// Every figure in a fixed order: the child format, the JSON keys and the
// CSV columns. The named counts are one JSON object and one CSV cell each.
template <>
struct FieldTable<ThpCostResult> {
  template <typename R, typename V>
  static void Visit(R& r, V& v) {
    v("variant", r.variant);
    v("kernel", r.kernel);
    v("error", r.error, kEverywhere | kFailure);
    // After the error: a child that died before its runtime existed has none.
    v("heap", r.heap);
    v("locked_calls", r.locked_calls);
    v("locked_p50_ns", r.locked_p50_ns);
    v("locked_p99_ns", r.locked_p99_ns);
    v("locked_max_ns", r.locked_max_ns);
    v("locked_total_ns", r.locked_total_ns);
    v("unlocked_calls", r.unlocked_calls);
    v("advises_new_memory", r.advises_new_memory);
    for (auto* t : {&r.advised, &r.plain}) {
      const std::string k = t == &r.advised ? "touch_advised_" : "touch_plain_";
      v(k + "bytes", t->bytes);
      v(k + "total_ns", t->total_ns);
      v(k + "p50_huge_page_ns", t->p50_huge_page_ns);
      v(k + "max_huge_page_ns", t->max_huge_page_ns);
      v(k + "anon_huge_bytes", t->anon_huge_bytes);
    }
    v("end_heap_inuse", r.end_heap_inuse);
    v("end_anon_huge", r.end_anon_huge);
    v("end_rss", r.end_rss);
    v("peak_heap_inuse", r.peak_heap_inuse);
    v("peak_anon_huge", r.peak_anon_huge);
    v("max_anon_huge", r.max_anon_huge);
    v("gc_cycles", r.gc_cycles);
    v("scavenge_passes", r.scavenge_passes);
    v("heap_released", r.heap_released);
    v("samples", r.samples);
    v("wall_ns", r.wall_ns);
    v("calls_by_site", r.calls_by_site, kEverywhere | kNested);
    v("madvise_errors", r.madvise_errors, kEverywhere | kNested);
    v("vmstat_delta", r.vmstat_delta, kEverywhere | kNested);
    v("workload", r.workload_figures);
  }
};

}  // namespace thp

#endif  // THP_BENCH_REPORT_THP_COST_RESULT_H_
