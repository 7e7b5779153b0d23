// What one variant's run of the Go 1.5 benchmark suite measured, and its
// field table (result_fields.h): the form a vma_repro child process hands
// it to its parent in, and the JSON keys and CSV columns of repro_report.h.
//
// Every figure is a plain field so the JSON, CSV and table writers
// (repro_report.h) all read the same numbers.
#ifndef THP_BENCH_REPORT_REPRO_RESULT_H_
#define THP_BENCH_REPORT_REPRO_RESULT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "bench/report/result_fields.h"
#include "runtime_port/kernel/census_kernel.h"

namespace thp {

struct VariantResult {
  std::string variant;
  std::string kernel;   // "linux" or "sim"
  std::string profile;  // "linux6" or "linux2015"
  std::string heap;     // the heap it ran on: "go15" or "go121"
  // VMA counts (census_kernel.h): whole process, the runtime's own
  // mappings, and the Go-equivalent (own + kGoStaticBinaryVmas).
  int64_t max_process_vmas = 0;
  int64_t max_own_vmas = 0;
  int64_t max_go_vmas = 0;
  int64_t max_split_vmas = 0;  // CensusKernel::max_splits
  int64_t final_process_vmas = 0;
  int64_t final_own_vmas = 0;
  std::string max_at_benchmark;  // where the Go-equivalent maximum was first reached
  // Each benchmark's own Go-equivalent maximum, in run order: the count it
  // started with and every count until the next benchmark started.
  NamedCounts benchmark_max_vmas;
  // The heap arena's resident and AnonHugePages bytes, sampled at the end of
  // every b.N run's loop and after every scavenge pass that released memory.
  uint64_t peak_rss = 0;
  uint64_t final_rss = 0;
  uint64_t peak_anon_huge = 0;
  uint64_t final_anon_huge = 0;
  // memstats at the end.
  uint64_t heap_sys = 0;
  uint64_t heap_released = 0;
  uint64_t heap_inuse = 0;
  // madvise calls by advice (DONTNEED, HUGEPAGE, NOHUGEPAGE, COLLAPSE,
  // TRY_COLLAPSE) and failures as "ADVICE/ERRNO" -> count.
  NamedCounts madvise_calls;
  NamedCounts madvise_errors;
  int64_t mmap_calls = 0;
  int64_t munmap_calls = 0;
  int64_t scavenge_passes = 0;
  int64_t gc_cycles = 0;
  int64_t benchmarks = 0;  // benchmarks run
  int64_t runs = 0;        // b.N runs
  int64_t ops = 0;         // loop iterations in all runs
  int64_t events = 0;      // heap events applied
  int64_t census_reads = 0;
  int64_t virtual_ns = 0;
  int64_t wall_ns = 0;
  // "" when the run finished; else the runtime's fatal error (the kernel
  // refused memory) and everything above is what was measured before it.
  std::string error;
  // VMA counts over virtual time, at most kSeriesPoints points: each point
  // carries the highest counts of its stretch of time.
  std::vector<CensusPoint> series;
};

inline constexpr int kSeriesPoints = 1500;

// The JSON keys, CSV columns and child format, in this order. The madvise
// counts are flat ("madvise_calls.DONTNEED": n); the series is JSON only.
template <>
struct FieldTable<VariantResult> {
  template <typename R, typename V>
  static void Visit(R& r, V& v) {
    v("variant", r.variant);
    v("kernel", r.kernel);
    v("profile", r.profile);
    v("heap", r.heap);
    v("max_at_benchmark", r.max_at_benchmark);
    v("benchmark_max_vmas_go_equivalent", r.benchmark_max_vmas, kInJson | kNested);
    v("error", r.error, kEverywhere | kFailure);
    v("max_vmas_go_equivalent", r.max_go_vmas);
    v("max_vmas_runtime", r.max_own_vmas);
    v("max_vmas_process", r.max_process_vmas);
    v("max_split_vmas", r.max_split_vmas);
    v("final_vmas_runtime", r.final_own_vmas);
    v("final_vmas_process", r.final_process_vmas);
    v("mmap_calls", r.mmap_calls);
    v("munmap_calls", r.munmap_calls);
    v("scavenge_passes", r.scavenge_passes);
    v("gc_cycles", r.gc_cycles);
    v("benchmarks", r.benchmarks);
    v("runs", r.runs);
    v("ops", r.ops);
    v("events", r.events);
    v("census_reads", r.census_reads);
    v("virtual_ns", r.virtual_ns);
    v("wall_ns", r.wall_ns);
    v("peak_rss_bytes", r.peak_rss);
    v("final_rss_bytes", r.final_rss);
    v("peak_anon_huge_bytes", r.peak_anon_huge);
    v("final_anon_huge_bytes", r.final_anon_huge);
    v("heap_sys_bytes", r.heap_sys);
    v("heap_released_bytes", r.heap_released);
    v("heap_inuse_bytes", r.heap_inuse);
    v("madvise_calls", r.madvise_calls);
    v("madvise_errors", r.madvise_errors);
    v("series", r.series, kInJson);
  }
};

// Keeps the shape of a census series in at most `points` points: the time
// axis is cut into equal buckets and each bucket keeps its highest counts.
std::vector<CensusPoint> DownsampleSeries(const std::vector<CensusPoint>& series, int64_t end_ns,
                                          int points);

}  // namespace thp

#endif  // THP_BENCH_REPORT_REPRO_RESULT_H_
