// What one run of Go issue 8832's program measured (bench/thp_bloat/
// bloat_run.h runs it, without or with emulated khugepaged), and its field
// table (result_fields.h): the form a thp_bloat child hands it to the parent
// in, and each run's JSON object in bloat_report.h.
#ifndef THP_BENCH_REPORT_BLOAT_RESULT_H_
#define THP_BENCH_REPORT_BLOAT_RESULT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "bench/report/result_fields.h"

namespace thp {

struct BloatResult {
  std::string variant;
  std::string kernel;
  std::string heap;  // "go15" or "go121": the ported heap it ran on (HeapKindName)
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
  // The heap's figures at the end (HeapFigures: memstats on Go 1.5, the
  // page heap's stats on Go 1.21); the live G objects.
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
    v("heap", r.heap);
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

}  // namespace thp

#endif  // THP_BENCH_REPORT_BLOAT_RESULT_H_
