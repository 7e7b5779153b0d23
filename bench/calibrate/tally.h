// What bench/calibrate counts, for the modelled run and for Go 1.5.1's
// recording alike: span allocations by caller with a size summary, frees,
// GC cycles, scavenge passes, releases (sysUnused) with a size histogram in
// heap pages, and MADV_HUGEPAGE / MADV_NOHUGEPAGE calls.
//
// Both sides feed the same Tally::Add with heap-event log records
// (tools/go151/FORMAT.md): the real side the records it reads, the modelled
// side the records its observer makes of the port's decisions
// (model_observer.h). One struct and one binning function, so the two sides
// cannot count differently. It mirrors no Go code; what each record means
// is in heap_event.h.
#ifndef THP_BENCH_CALIBRATE_TALLY_H_
#define THP_BENCH_CALIBRATE_TALLY_H_

#include <array>
#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "bench/calibrate/mark_phases.h"
#include "mheap/go15/events/heap_event.h"
#include "runtime_port/base/units.h"

namespace thp {
namespace calibrate {

// Size bins in heap pages: 1, 2, 3-4, 5-8, 9-32, 33-256, >256 (issue 13).
inline constexpr int kSizeBins = 7;
using SizeHistogram = std::array<uint64_t, kSizeBins>;
// "1", "2", "3-4", "5-8", "9-32", "33-256", ">256".
absl::string_view SizeBinName(int bin);
// The bin of a span of `pages` pages (0 pages counts as 1).
int SizeBin(uint64_t pages);
// Bytes as heap pages (Go 1.5's 8 KiB, units.h), rounded up.
inline uint64_t BytesToPages(uint64_t bytes) { return PageCount::ForBytes(bytes).raw(); }

struct Tally {
  // `alloc` records (mHeap_AllocSpanLocked requests), indexed by AllocCaller
  // (0 small, 1 large, 2 stack): how many and how many pages asked for.
  std::array<uint64_t, 3> allocs{};
  std::array<uint64_t, 3> alloc_pages{};
  SizeHistogram alloc_hist{};  // every caller's requests, by npage
  // `free` records of mHeap_Free and mHeap_FreeStack (why 1-3; the frees
  // inside an allocation, grow and trim, are the heap's own bookkeeping).
  uint64_t frees = 0;
  uint64_t free_pages = 0;
  uint64_t gc_cycles = 0;        // `gc_done` records
  uint64_t heap_marked = 0;      // the sum of their heap_marked (bytes)
  uint64_t scavenge_passes = 0;  // `scavenge` records (sysmon's and FreeOSMemory's)
  uint64_t releases = 0;         // `sys_unused` records
  uint64_t released_pages = 0;
  SizeHistogram release_hist{};  // by sys_unused size in pages
  // Of the releases, those of spans freed after their pass read its clock
  // (stale_release.h). Add does not count them (it sees one record at a
  // time): AddStale does, for the real side's StaleReleaseFinder and the
  // model's observer (MHeapObserver::OnStaleRelease).
  uint64_t stale_now_releases = 0;
  SizeHistogram stale_release_hist{};  // their sizes, as release_hist
  // Counts a stale-now release of `pages` pages (already counted by Add as
  // a release).
  void AddStale(uint64_t pages) {
    ++stale_now_releases;
    ++stale_release_hist[SizeBin(pages)];
  }
  uint64_t hugepage_calls = 0;    // `madvise` records with MADV_HUGEPAGE
  uint64_t nohugepage_calls = 0;  // and with MADV_NOHUGEPAGE
  // The spans this benchmark took that were still in use when the
  // benchmark after it ended (outliving_spans.h). Add does not count them
  // (they need the next benchmarks' records): the sides set them at the end.
  uint64_t outliving_spans = 0;
  // The heap's free spans by size when the benchmark began (free_spans.h):
  // the layout its frees and releases start from. Add does not count them
  // (they need every record before the benchmark): the sides set them as
  // the benchmark starts, and a sum of tallies sums them.
  SizeHistogram free_spans_at_start{};
  // Background cycles' concurrent phases (mark_phases.h), in the order
  // they came. Add does not count them (they need two records' times):
  // AddMark does. Kept one by one because their lengths have a long tail
  // (a mark waiting for a loop without a safe point): the report gives
  // medians and the 90th percentile, not means.
  std::vector<MarkPhase> marks;
  void AddMark(const MarkPhase& p) { marks.push_back(p); }
  // The q-quantile (0 <= q <= 1, nearest rank) of their lengths in
  // microseconds, and of their heap growth in KiB; 0 without marks.
  int64_t mark_us_quantile(double q) const;
  int64_t mark_grow_kib_quantile(double q) const;
  // How many of them grew the heap past the pacer's floor (PastPacerFloor).
  uint64_t marks_past_pacer_floor() const;

  // Counts one record; kinds not listed above are ignored.
  void Add(const heaplog::EventBody& body);
  Tally& operator+=(const Tally& o);
  uint64_t total_allocs() const { return allocs[0] + allocs[1] + allocs[2]; }
  // The mean heap a cycle marked live, in KiB (0 without cycles).
  uint64_t mean_marked_kib() const { return gc_cycles == 0 ? 0 : heap_marked / gc_cycles / 1024; }
  bool operator==(const Tally& o) const;
};

}  // namespace calibrate
}  // namespace thp

#endif  // THP_BENCH_CALIBRATE_TALLY_H_
