// The result line's objects (go15_result_line.h) against Go 1.5.1's own run
// (testdata/go151_heaplog/prefix.hlog.xz, GOMAXPROCS 2): between each
// bench_end and the next bench_start the log's only span that is neither
// class 1 nor class 2 is one span of the pool array's size class, and the
// first GC cycle to start after the next bench_start (its first runN GC)
// frees exactly that span. (A background cycle already marking when the
// array is made has it allocated black, so that cycle's sweep keeps it.) A
// changed poolLocal size (another class at GOMAXPROCS 2) fails here.
#include "bench/workloads/go15_result_line.h"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/str_join.h"
#include "bench/workloads/trace_format.h"
#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event_log.h"
#include "mheap/go15/msize.h"

namespace thp {
namespace {

TEST(Go15ResultLine, EveryBenchmarkEndTakesOnePoolArraySpanThatTheNextRunsGcFrees) {
  const int pool_class = GetSizeClasses().SizeToClass(2 * kPoolLocalBytes);
  ASSERT_EQ(pool_class, 20);  // 352 bytes
  // kFirstGc: from the next bench_start to the end of the first cycle that
  // starts after it.
  enum class Phase { kRuns, kAfterEnd, kFirstGc } phase = Phase::kRuns;
  bool first_gc_started = false;
  int ends = 0, pool_spans = 0, freed_by_next_gc = 0;
  bool awaiting_page = false;
  std::optional<uint64_t> pool_page;
  std::vector<std::string> other;  // other span classes taken after an end
  const absl::Status st = heaplog::ForEachHeapEvent(
      "testdata/go151_heaplog/prefix.hlog.xz", [&](const heaplog::HeapEvent& e) {
        if (std::get_if<heaplog::BenchEnd>(&e.body) != nullptr) {
          ++ends;
          phase = Phase::kAfterEnd;
          pool_page.reset();
        } else if (const auto* b = std::get_if<heaplog::BenchStart>(&e.body)) {
          EXPECT_EQ(b->procs, 2u);
          if (phase == Phase::kAfterEnd) phase = Phase::kFirstGc;
          first_gc_started = false;
        } else if (const auto* a = std::get_if<heaplog::Alloc>(&e.body)) {
          if (phase != Phase::kAfterEnd) return;
          if (a->caller == heaplog::AllocCaller::kSmall &&
              static_cast<int>(a->sizeclass) == pool_class) {
            ++pool_spans;
            awaiting_page = true;
          } else if (a->sizeclass > 2) {
            other.push_back(std::to_string(a->sizeclass));
          }
        } else if (const auto* d = std::get_if<heaplog::AllocDone>(&e.body)) {
          if (awaiting_page) pool_page = d->page;
          awaiting_page = false;
        } else if (const auto* f = std::get_if<heaplog::Free>(&e.body)) {
          if (phase == Phase::kFirstGc && pool_page.has_value() &&
              f->why == heaplog::FreeWhy::kCentral && f->page == *pool_page) {
            ++freed_by_next_gc;
            pool_page.reset();
          }
        } else if (std::get_if<heaplog::GcStart>(&e.body) != nullptr) {
          first_gc_started = true;
        } else if (std::get_if<heaplog::GcDone>(&e.body) != nullptr) {
          if (phase == Phase::kFirstGc && first_gc_started) phase = Phase::kRuns;
        }
      });
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(ends, 243);
  EXPECT_EQ(pool_spans, ends);
  // The last benchmark's has no next benchmark to free it.
  EXPECT_EQ(freed_by_next_gc, ends - 1);
  EXPECT_TRUE(other.empty()) << absl::StrJoin(other, " ");
}

TEST(Go15ResultLine, TheEventsArePinSlowsAndGetSlowsObjectsThenTheirDrops) {
  std::vector<std::string> lines;
  for (const TraceEvent& e : Go151ResultLineEvents(2)) lines.push_back(FormatTraceEvent(e));
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "alloc 2000000000000000 8 scan 0", "alloc 2000000000000001 352 scan 0",
                       "alloc 2000000000000002 200 scan 0", "drop 2000000000000000",
                       "drop 2000000000000001", "drop 2000000000000002"}));
  // One poolLocal a P: GOMAXPROCS(0) when pinSlow runs.
  EXPECT_EQ(Go151ResultLineEvents(1)[1].bytes, 176u);
  EXPECT_EQ(Go151ResultLineEvents(8)[1].bytes, 1408u);
}

}  // namespace
}  // namespace thp
