// The suite's kNoSafePoint marks (go15_suite.cc) against what Go 1.5.1 did
// in its own run (testdata/go151_heaplog/prefix.hlog.xz): a benchmark is
// marked exactly when one of its background GCs started and then could not
// stop the world until a b.N round ended, for long (more than half a
// second; those waits last 1.0 to 3.6 s, while no unmarked benchmark's
// cycle ever reaches a round's end after more than 0.15 s).
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "bench/workloads/go15_suite.h"
#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event_log.h"

namespace thp {
namespace {

constexpr int64_t kLongWaitNs = 500000000;   // 0.5 s from gc_start to gc_mark_term
constexpr int64_t kNearRoundEndNs = 10000000;  // mark termination within 10 ms of it

// Per benchmark of the log, whether a background GC waited for a round end.
std::set<std::string> BenchmarksWhoseGcWaitedForTheLoop(const std::string& path) {
  absl::StatusOr<std::unique_ptr<heaplog::HeapEventReader>> reader =
      heaplog::HeapEventReader::Open(path);
  EXPECT_TRUE(reader.ok()) << reader.status();
  std::set<std::string> out;
  if (!reader.ok()) return out;
  std::string current;
  int64_t bg_start = -1;     // the open background cycle's gc_start time
  int64_t long_mark = -1;    // a long cycle's mark termination, awaiting a round end
  heaplog::HeapEvent e;
  for (;;) {
    absl::StatusOr<bool> more = (*reader)->Next(&e);
    EXPECT_TRUE(more.ok()) << more.status();
    if (!more.ok() || !*more) break;
    if (const auto* s = std::get_if<heaplog::BenchStart>(&e.body)) {
      current = s->name.substr(0, s->name.rfind('-'));
      bg_start = long_mark = -1;
    } else if (const auto* g = std::get_if<heaplog::GcStart>(&e.body)) {
      bg_start = g->mode == heaplog::GcMode::kBackground ? e.time_ns : -1;
    } else if (std::holds_alternative<heaplog::GcMarkTerm>(e.body)) {
      if (bg_start >= 0 && e.time_ns - bg_start > kLongWaitNs) long_mark = e.time_ns;
      bg_start = -1;
    } else if (std::holds_alternative<heaplog::BenchRun>(e.body) ||
               std::holds_alternative<heaplog::BenchEnd>(e.body)) {
      if (long_mark >= 0 && e.time_ns - long_mark < kNearRoundEndNs) out.insert(current);
      long_mark = -1;
    }
  }
  return out;
}

TEST(Go15SafePoints, MarkedExactlyWhereGo151sGcWaitedForTheLoopToEnd) {
  const std::set<std::string> waited =
      BenchmarksWhoseGcWaitedForTheLoop("testdata/go151_heaplog/prefix.hlog.xz");
  std::set<std::string> marked;
  for (const Go15Benchmark& b : Go15RuntimeBenchmarks()) {
    if (!b.loop_reaches_safe_point) marked.insert(b.name);
  }
  EXPECT_EQ(marked.size(), 130u);
  for (const std::string& name : marked) {
    EXPECT_TRUE(waited.count(name) == 1) << name << " is marked, but no GC of Go's waited for its loop";
  }
  for (const std::string& name : waited) {
    EXPECT_TRUE(marked.count(name) == 1) << name << ": a GC of Go's waited for its loop, unmarked";
  }
}

}  // namespace
}  // namespace thp
