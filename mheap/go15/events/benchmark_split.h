// Splits a heap-event log by benchmark, from the boundaries the patched
// testing package records (bench_start, bench_run, bench_end; see
// tools/go151/FORMAT.md). Every event belongs to exactly one segment: the
// startup segment holds everything before the first bench_start (runtime
// start, package init, tests); each bench_start opens the segment of its
// benchmark, which lasts until the next bench_start (the benchmark's own
// runs, its bench_end, and the printing after it) or the end of the log.
// A split is a view of one log, not a standalone log: the heap at a
// segment's start is the one the earlier segments left.
#ifndef THP_MHEAP_GO15_EVENTS_BENCHMARK_SPLIT_H_
#define THP_MHEAP_GO15_EVENTS_BENCHMARK_SPLIT_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mheap/go15/events/heap_event.h"
#include "mheap/go15/events/heap_event_log.h"

namespace thp {
namespace heaplog {

constexpr absl::string_view kStartupSegment = "(startup)";

struct BenchmarkSegment {
  std::string name;  // as printed, "BenchmarkMalloc8-2", or kStartupSegment
  uint64_t procs = 0;
  uint64_t first_offset = 0;
  int64_t start_ns = 0, end_ns = 0;  // times of its first and last event
  uint64_t runs = 0;                 // bench_run records (b.N rounds)
  bool ended = false;                // its bench_end was seen
  uint64_t n = 0;                    // from bench_end: the final b.N
  int64_t ns = 0;                    // and its time
  bool failed = false;
  std::array<uint64_t, kNumKinds + 1> counts{};  // events by Kind value

  uint64_t count(Kind k) const { return counts[static_cast<size_t>(k)]; }
};

// Feed events in log order.
class BenchmarkTracker {
 public:
  // Returns the index of the segment `e` belongs to.
  size_t Observe(const HeapEvent& e);
  const std::vector<BenchmarkSegment>& segments() const { return segments_; }

 private:
  std::vector<BenchmarkSegment> segments_;
};

// Reads the whole log through `reader` and returns its segments.
absl::StatusOr<std::vector<BenchmarkSegment>> SplitByBenchmark(HeapEventReader& reader);

// True when `segment` is the benchmark `name`, given with or without its
// "-<procs>" suffix ("BenchmarkMalloc8" matches "BenchmarkMalloc8-2").
bool SegmentMatches(const BenchmarkSegment& segment, absl::string_view name);

}  // namespace heaplog
}  // namespace thp

#endif  // THP_MHEAP_GO15_EVENTS_BENCHMARK_SPLIT_H_
