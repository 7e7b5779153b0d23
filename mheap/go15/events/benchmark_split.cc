#include "mheap/go15/events/benchmark_split.h"

#include <variant>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace thp {
namespace heaplog {

size_t BenchmarkTracker::Observe(const HeapEvent& e) {
  if (const auto* start = std::get_if<BenchStart>(&e.body)) {
    BenchmarkSegment s;
    s.name = start->name;
    s.procs = start->procs;
    s.first_offset = e.offset;
    s.start_ns = e.time_ns;
    segments_.push_back(std::move(s));
  } else if (segments_.empty()) {
    BenchmarkSegment s;
    s.name = std::string(kStartupSegment);
    s.first_offset = e.offset;
    s.start_ns = e.time_ns;
    segments_.push_back(std::move(s));
  }
  BenchmarkSegment& s = segments_.back();
  s.end_ns = e.time_ns;
  ++s.counts[static_cast<size_t>(e.kind())];
  if (std::holds_alternative<BenchRun>(e.body)) ++s.runs;
  if (const auto* end = std::get_if<BenchEnd>(&e.body)) {
    s.ended = true;
    s.n = end->n;
    s.ns = end->ns;
    s.failed = end->failed;
  }
  return segments_.size() - 1;
}

absl::StatusOr<std::vector<BenchmarkSegment>> SplitByBenchmark(HeapEventReader& reader) {
  BenchmarkTracker tracker;
  HeapEvent e;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next(&e);
    if (!more.ok()) return more.status();
    if (!*more) break;
    tracker.Observe(e);
  }
  return tracker.segments();
}

bool SegmentMatches(const BenchmarkSegment& segment, absl::string_view name) {
  if (segment.name == name) return true;
  return segment.procs > 0 && segment.name == absl::StrCat(name, "-", segment.procs);
}

}  // namespace heaplog
}  // namespace thp
