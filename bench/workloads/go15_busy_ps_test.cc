// The suite's kEveryPBusy marks (go15_suite.cc) against what Go 1.5.1 did
// in its own run (testdata/go151_heaplog/prefix.hlog.xz). While every P
// runs a goroutine that never blocks or yields, the GC goroutine woken when
// the concurrent mark's work is done waits for sysmon to preempt a P, which
// retake does in its second round after the P last scheduled: a background
// cycle's gc_start to gc_mark_term then takes two sysmon periods (about
// 20.2 ms) instead of the 1 ms of a cycle with an idle P. A benchmark is
// marked exactly when the median of its background cycles' marks is 19 ms
// or more, apart from two whose marks are long for another cause (below),
// and the kNoSafePoint loops, whose cycles wait for the loop's end.
#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bench/workloads/go15_suite.h"
#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event_log.h"

namespace thp {
namespace {

// Two sysmon periods (10.1 ms or more each in the log), less a millisecond.
constexpr int64_t kTwoPeriodsNs = 19000000;
// Fewer background cycles than this say nothing about a median.
constexpr size_t kMinCycles = 5;

// Each benchmark's background cycles, gc_start to gc_mark_term.
std::map<std::string, std::vector<int64_t>> ReadMarks() {
  std::map<std::string, std::vector<int64_t>> out;
  std::vector<int64_t>* current = nullptr;
  int64_t bg_start = -1;
  const absl::Status st = heaplog::ForEachHeapEvent(
      "testdata/go151_heaplog/prefix.hlog.xz", [&](const heaplog::HeapEvent& e) {
        if (const auto* s = std::get_if<heaplog::BenchStart>(&e.body)) {
          current = &out[s->BaseName()];
          bg_start = -1;
        } else if (const auto* g = std::get_if<heaplog::GcStart>(&e.body)) {
          bg_start = g->mode == heaplog::GcMode::kBackground ? e.time_ns : -1;
        } else if (std::holds_alternative<heaplog::GcMarkTerm>(e.body)) {
          if (bg_start >= 0 && current != nullptr) current->push_back(e.time_ns - bg_start);
          bg_start = -1;
        }
      });
  EXPECT_TRUE(st.ok()) << st;
  return out;
}

int64_t Median(std::vector<int64_t> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

TEST(Go15BusyPs, MarkedExactlyWhereGo151sMarksTookTwoSysmonPeriods) {
  const std::map<std::string, std::vector<int64_t>> marks = ReadMarks();
  std::set<std::string> marked, no_safe_point;
  for (const Go15Benchmark& b : Go15RuntimeBenchmarks()) {
    if (b.loop == kEveryPBusy) marked.insert(b.name);
    if (b.loop == kNoSafePoint) no_safe_point.insert(b.name);
  }
  EXPECT_EQ(marked.size(), 11u);
  // One goroutine each, with the other P idle: their marks are long for the
  // work in them (StackCopy's goroutine scans a stack of up to 32 MiB,
  // AppendGrowString's heap holds slices of 2^20 string headers).
  const std::set<std::string> long_for_their_work = {"BenchmarkStackCopy",
                                                     "BenchmarkAppendGrowString"};
  for (const std::string& name : marked) {
    const auto it = marks.find(name);
    ASSERT_NE(it, marks.end()) << name;
    ASSERT_GE(it->second.size(), kMinCycles) << name;
    EXPECT_GE(Median(it->second), kTwoPeriodsNs) << name << " is marked";
  }
  for (const auto& [name, v] : marks) {
    if (v.size() < kMinCycles || Median(v) < kTwoPeriodsNs) continue;
    EXPECT_TRUE(marked.count(name) == 1 || no_safe_point.count(name) == 1 ||
                long_for_their_work.count(name) == 1)
        << name << ": its median mark took " << Median(v) << " ns, unmarked";
  }
  for (const std::string& name : long_for_their_work) {
    const auto it = marks.find(name);
    ASSERT_NE(it, marks.end()) << name;
    EXPECT_GE(Median(it->second), kTwoPeriodsNs) << name;
  }
}

}  // namespace
}  // namespace thp
