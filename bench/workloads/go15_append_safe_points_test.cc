// The suite's kSafePointsAtAllocs marks (go15_suite.cc) against Go 1.5.1's
// own run (testdata/go151_heaplog/prefix.hlog.xz). In append's loops the
// array being copied is dropped as the copy ends, before the next growth
// calls growslice. A background cycle that scanned the goroutine's stack
// where it started (at the growth that started it) would mark that array;
// one that scanned it at the next growth would not. Over the background
// cycles with exactly one growth between their start and mark
// termination, each of three arrays growing one after the other (a, the
// one being copied at the start; b, the start's; c, the one inside), the
// bytes marked lie nearer b + c than a + b + c in most: Go scanned the
// goroutine at the next growth.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event_log.h"

namespace thp {
namespace {

constexpr uint64_t kPageBytes = 8192;

struct Marks {
  int without_copied = 0;  // nearer b + c
  int with_copied = 0;     // nearer a + b + c
};

std::map<std::string, Marks> ReadLog() {
  std::map<std::string, Marks> out;
  Marks* current = nullptr;
  std::vector<uint64_t> arrays;  // the round's large allocations, in pages
  bool background = false, terminated = false;
  size_t at_start = 0, at_mark_term = 0;
  const absl::Status st = heaplog::ForEachHeapEvent(
      "testdata/go151_heaplog/prefix.hlog.xz", [&](const heaplog::HeapEvent& e) {
        if (const auto* s = std::get_if<heaplog::BenchStart>(&e.body)) {
          const std::string name = s->BaseName();
          current = name.rfind("BenchmarkAppendGrow", 0) == 0 ? &out[name] : nullptr;
          arrays.clear();
        } else if (current == nullptr) {
          return;
        } else if (std::holds_alternative<heaplog::BenchRun>(e.body)) {
          arrays.clear();
        } else if (const auto* a = std::get_if<heaplog::Alloc>(&e.body)) {
          if (a->caller == heaplog::AllocCaller::kLarge) arrays.push_back(a->npage);
        } else if (const auto* g = std::get_if<heaplog::GcStart>(&e.body)) {
          background = g->mode == heaplog::GcMode::kBackground;
          at_start = arrays.size();
          terminated = false;
        } else if (std::holds_alternative<heaplog::GcMarkTerm>(e.body)) {
          at_mark_term = arrays.size();
          terminated = true;
        } else if (const auto* d = std::get_if<heaplog::GcDone>(&e.body)) {
          if (!background || !terminated || at_start < 2 || at_mark_term != at_start + 1) return;
          const uint64_t a = arrays[at_start - 2], b = arrays[at_start - 1], c = arrays[at_start];
          if (!(a < b && b < c)) return;  // not three growths of one op
          const auto marked = static_cast<int64_t>(d->heap_marked);
          const auto two = static_cast<int64_t>((b + c) * kPageBytes);
          const auto three = static_cast<int64_t>((a + b + c) * kPageBytes);
          ++(std::llabs(marked - two) < std::llabs(marked - three) ? current->without_copied
                                                                   : current->with_copied);
        }
      });
  EXPECT_TRUE(st.ok()) << st;
  return out;
}

TEST(Go15AppendSafePoints, Go151ScannedTheGoroutineAtTheGrowthAfterTheCyclesStart) {
  const std::map<std::string, Marks> log = ReadLog();
  ASSERT_EQ(log.size(), 2u);
  const Marks& str = log.at("BenchmarkAppendGrowString");
  const Marks& byte = log.at("BenchmarkAppendGrowByte");
  EXPECT_EQ(str.without_copied, 46);
  EXPECT_EQ(str.with_copied, 14);
  EXPECT_EQ(byte.without_copied, 227);
  EXPECT_EQ(byte.with_copied, 17);
}

}  // namespace
}  // namespace thp
