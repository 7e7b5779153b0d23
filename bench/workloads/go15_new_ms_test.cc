// The recorded Ms (go15_new_ms.h) against the log they come from, read the
// way tools/go151/new_ms.py reads it, with its assumption: every stack span
// allocated after the first bench_start and never freed is a new M's
// (gsignal's own span, and g0's pool span when the order-2 pool had fewer
// free slots than the refill's two); spans less than 1 ms apart are one
// burst of Ms, as many as make its span count with the pool's free slots
// counted from 0 at the first benchmark; a burst's place is the last GC
// event before its first span, which must be a background cycle's gc_start
// or gc_done less than 1 ms before.
// The table must be exactly that list (this catches an edit of the table,
// not a wrong assumption). And the suite's trace gets one newm event per
// recorded M, at the start of its benchmark.
#include "bench/workloads/go15_new_ms.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event_log.h"

namespace thp {
namespace {

constexpr int64_t kGroupNs = 1000000;
constexpr int64_t kPlaceNs = 1000000;

struct GcEvent {
  bool end = false;
  int64_t time_ns = 0;
  int nth_background = 0;  // of the benchmark, 1 the first
  bool background = false;
};

struct StackSpan {
  int64_t time_ns = 0;
  std::string benchmark;
  std::optional<GcEvent> gc;
};

std::vector<RecordedNewM> MsInLog(const std::string& path) {
  std::string benchmark;
  int background_cycles = 0;
  std::optional<GcEvent> last_gc;
  std::optional<heaplog::Alloc> open;
  std::map<uint64_t, StackSpan> live;  // by page
  const absl::Status st = heaplog::ForEachHeapEvent(path, [&](const heaplog::HeapEvent& e) {
    if (const auto* b = std::get_if<heaplog::BenchStart>(&e.body)) {
      benchmark = b->BaseName();
      background_cycles = 0;
      last_gc.reset();
    } else if (const auto* g = std::get_if<heaplog::GcStart>(&e.body)) {
      const bool background = g->mode == heaplog::GcMode::kBackground;
      if (background) ++background_cycles;
      last_gc = GcEvent{false, e.time_ns, background_cycles, background};
    } else if (std::holds_alternative<heaplog::GcDone>(e.body)) {
      if (last_gc) {
        last_gc->end = true;
        last_gc->time_ns = e.time_ns;
      }
    } else if (const auto* a = std::get_if<heaplog::Alloc>(&e.body)) {
      open = *a;
    } else if (const auto* d = std::get_if<heaplog::AllocDone>(&e.body)) {
      if (open && d->page && !benchmark.empty() && open->caller == heaplog::AllocCaller::kStack) {
        live[*d->page] = StackSpan{e.time_ns, benchmark, last_gc};
      }
      open.reset();
    } else if (const auto* f = std::get_if<heaplog::Free>(&e.body)) {
      live.erase(f->page);
    }
  });
  EXPECT_TRUE(st.ok()) << st;
  std::multimap<int64_t, StackSpan> by_time;
  for (const auto& [page, s] : live) by_time.emplace(s.time_ns, s);
  // Bursts of spans less than kGroupNs apart, each with its first span.
  std::vector<std::pair<StackSpan, int>> bursts;
  int64_t last = 0;
  for (const auto& [t, s] : by_time) {
    if (!bursts.empty() && t - last < kGroupNs && s.benchmark == bursts.back().first.benchmark) {
      last = t;
      ++bursts.back().second;
      continue;
    }
    EXPECT_TRUE(s.gc && s.gc->background && t - s.gc->time_ns <= kPlaceNs)
        << "an M in " << s.benchmark << " at " << t << " follows no background cycle event";
    if (!s.gc) continue;
    bursts.emplace_back(s, 1);
    last = t;
  }
  std::vector<RecordedNewM> out;
  int free_slots = 0;  // the order-2 pool's, no P caching one
  for (const auto& [s, spans] : bursts) {
    // k Ms: k gsignal spans, and the pool spans their g0s' refills take
    // (a refill takes two 8 KiB slots; the second M of a pair takes the
    // first's spare from the P's cache).
    std::vector<std::pair<int, int>> fits;  // (k, free slots after)
    for (int k = 1; k <= spans; ++k) {
      int pool = free_slots, new_spans = 0, cached = 0;
      for (int m = 0; m < k; ++m) {
        if (cached > 0) {
          --cached;
          continue;
        }
        for (int slot = 0; slot < 2; ++slot) {
          if (pool == 0) {
            ++new_spans;
            pool += 4;
          }
          --pool;
        }
        cached = 1;
      }
      if (k + new_spans == spans) fits.emplace_back(k, pool + cached);
    }
    EXPECT_EQ(fits.size(), 1u) << spans << " stack spans in " << s.benchmark;
    if (fits.size() != 1) continue;
    free_slots = fits[0].second;
    for (int m = 0; m < fits[0].first; ++m) {
      out.push_back(RecordedNewM{s.benchmark, s.gc->nth_background, s.gc->end});
    }
  }
  return out;
}

std::string Describe(const std::vector<RecordedNewM>& ms) {
  std::string out;
  for (const RecordedNewM& m : ms) {
    out += m.benchmark + " " + std::to_string(m.nth_background_cycle) +
           (m.at_cycle_end ? " end\n" : " start\n");
  }
  return out;
}

TEST(Go151NewMs, TheTableIsTheLogsMs) {
  EXPECT_EQ(Describe(Go151NewMs()), Describe(MsInLog("testdata/go151_heaplog/prefix.hlog.xz")));
}

TEST(Go151NewMs, EachBenchmarkGetsItsMsAsNewmEvents) {
  EXPECT_TRUE(Go151NewMEvents("BenchmarkMalloc8").empty());
  const std::vector<TraceEvent> e = Go151NewMEvents("BenchmarkAssertE2E2");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(FormatTraceEvent(e[0]), "newm 81 end");
  ASSERT_EQ(Go151NewMEvents("BenchmarkAppend").size(), 1u);
  EXPECT_EQ(FormatTraceEvent(Go151NewMEvents("BenchmarkAppend")[0]), "newm 1 start");
}

}  // namespace
}  // namespace thp
