// What Go 1.5.1's sweep did between a background cycle's end and the first
// span it freed, from a run of the whole suite with the measurement-only
// tools/go151/sweepstart.patch (testdata/go151_sweep/full_suite.txt.xz),
// beside what the recorded run's heap-event log shows of it
// (testdata/go151_heaplog/prefix.hlog.xz: frees only).
//
// Go's facts, pinned for the model's bgsweep (mgc.h kBgSweepNsPerSpan and
// the terms after it; mheap/heap_runtime/go15_heap_runtime.h): the world
// restarts about 11 us after the cycle's end, bgsweep takes its first span
// about 2 us later, and then sweeps some 38 in-use spans that it keeps (at
// the head of the cycle's span list, which allspans orders oldest first;
// the patch counts them, it does not name them) before the first it
// frees, about 75 us after the cycle's end. The model starts its sweep at
// the cycle's end and charges time to the spans it frees only (mgc.h), so
// its first free comes one span's time after the end. And without the
// recorder, Go's sweep frees spans faster than in the recorded run (the
// last test).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "mheap/go15/events/go151_log_lines_testing.h"
#include "mheap/go15/events/heap_event_log.h"

namespace thp {
namespace {

// One SWEEPCYCLE line's numbers, by key.
using Cycle = std::map<std::string, int64_t>;

// The background cycles (mode 0) of the sweepstart run, with the
// benchmark each ended in (BENCHRUN's name).
std::vector<std::pair<std::string, Cycle>> SweepCycles() {
  std::vector<std::pair<std::string, Cycle>> out;
  std::string benchmark;
  ForEachGo151LogLine(
      "testdata/go151_sweep/full_suite.txt.xz",
      [&](const std::string& kind, std::istringstream& rest, const std::string& line) {
        if (kind == "BENCHRUN") {
          rest >> benchmark;
        } else if (kind == "SWEEPCYCLE") {
          // println writes "key= value": each key's value is the next word.
          const std::vector<std::string> w = absl::StrSplit(line, ' ', absl::SkipEmpty());
          Cycle c;
          for (size_t i = 1; i + 1 < w.size(); ++i) {
            int64_t v = 0;
            if (w[i].back() == '=' && absl::SimpleAtoi(w[i + 1], &v)) {
              c[w[i].substr(0, w[i].size() - 1)] = v;
            }
          }
          EXPECT_EQ(c.size(), 16u) << line;
          if (c["mode"] == 0) out.emplace_back(benchmark, std::move(c));
        }
      });
  return out;
}

const std::vector<std::pair<std::string, Cycle>>& Cycles() {
  static const auto* cycles = new std::vector<std::pair<std::string, Cycle>>(SweepCycles());
  return *cycles;
}

// A background cycle of the recorded run, from its gc_done to the next
// cycle's start: the benchmark it ended in, and its sweep's frees (why
// central or large): the first one's time from gc_done (-1: none), and
// the first, the last and how many came before the next benchmark began.
struct RecordedWindow {
  std::string benchmark;
  int64_t first_free_ns = -1;
  int64_t first = 0, last = 0, frees = 0;
};

std::vector<RecordedWindow> ReadRecordedWindows() {
  std::vector<RecordedWindow> out;
  std::string benchmark;
  bool background = false;
  bool open = false;           // out.back() is the open cycle's window
  bool same_benchmark = false;  // ... and no benchmark began since its gc_done
  int64_t done_at = 0;
  const absl::Status st = heaplog::ForEachHeapEvent(
      "testdata/go151_heaplog/prefix.hlog.xz", [&](const heaplog::HeapEvent& e) {
        if (const auto* b = std::get_if<heaplog::BenchStart>(&e.body)) {
          benchmark = b->BaseName();
          same_benchmark = false;
        } else if (const auto* g = std::get_if<heaplog::GcStart>(&e.body)) {
          background = g->mode == heaplog::GcMode::kBackground;
          open = false;
        } else if (std::holds_alternative<heaplog::GcDone>(e.body)) {
          open = same_benchmark = background;
          done_at = e.time_ns;
          if (open) out.push_back({benchmark});
        } else if (const auto* f = std::get_if<heaplog::Free>(&e.body)) {
          const bool sweep_free =
              f->why == heaplog::FreeWhy::kCentral || f->why == heaplog::FreeWhy::kLarge;
          if (!open || !sweep_free) return;
          RecordedWindow& w = out.back();
          if (w.first_free_ns < 0) w.first_free_ns = e.time_ns - done_at;
          if (!same_benchmark) return;
          if (w.frees++ == 0) w.first = e.time_ns;
          w.last = e.time_ns;
        }
      });
  EXPECT_TRUE(st.ok()) << st;
  return out;
}

const std::vector<RecordedWindow>& RecordedWindows() {
  static const auto* windows = new std::vector<RecordedWindow>(ReadRecordedWindows());
  return *windows;
}

// The median of v, rounded to the nearest `unit`.
int64_t Median(std::vector<int64_t> v, int64_t unit) {
  std::sort(v.begin(), v.end());
  return std::llround(static_cast<double>(v[v.size() / 2]) / static_cast<double>(unit)) * unit;
}

// Over the whole suite's background cycles: the world restarts 11 us after
// the cycle's end, bgsweep's first turn comes 13 us after it and sweeps the
// first span in 97% of the cycles; 39 in-use spans are kept before the
// first freed; in the half of the cycles whose sweep frees a span at all,
// the first is freed 76 us after the end (medians, to the nearest us).
TEST(BgSweepStartLog, TheFirstFreeComesAfterTheWorldsRestartAndAboutFortyKeptSpans) {
  const auto& cycles = Cycles();
  ASSERT_GT(cycles.size(), 20000u);
  std::vector<int64_t> world, bgfirst, kept, first_free;
  int64_t first_by_bg = 0;
  for (const auto& [name, c] : cycles) {
    world.push_back(c.at("world_ns"));
    if (c.at("bgfirst_ns") >= 0) bgfirst.push_back(c.at("bgfirst_ns"));
    kept.push_back(c.at("kept_before"));
    if (c.at("first_free_ns") >= 0) first_free.push_back(c.at("first_free_ns"));
    first_by_bg += c.at("first_bg");
  }
  EXPECT_EQ(Median(world, 1000), 11000);
  EXPECT_EQ(Median(bgfirst, 1000), 13000);
  EXPECT_EQ(Median(kept, 1), 39);
  EXPECT_EQ(Median(first_free, 1000), 76000);
  const double n = static_cast<double>(cycles.size());
  EXPECT_EQ(std::llround(100.0 * static_cast<double>(first_by_bg) / n), 97);
  EXPECT_EQ(std::llround(100.0 * static_cast<double>(first_free.size()) / n), 49);
}

// In the churn benchmarks whose sweeps free spans after most cycles, the
// 38 kept spans come first in nine cycles of ten, and each takes about
// 1.4 to 2.0 us of the time to the first free (the median over cycles of
// (first free - first sweep) / kept, to the nearest 0.1 us).
TEST(BgSweepStartLog, InTheChurnBenchmarksThirtyEightKeptSpansComeFirst) {
  struct Quoted {
    const char* benchmark;
    int64_t first_free_us;   // median, to the nearest us
    int64_t kept_span_x10_us;
  };
  for (const Quoted& q : {Quoted{"BenchmarkCreateGoroutinesCapture", 84, 19},
                          Quoted{"BenchmarkMalloc8", 66, 14},
                          Quoted{"BenchmarkMalloc16", 62, 14},
                          Quoted{"BenchmarkCallClosure2", 69, 15},
                          Quoted{"BenchmarkConvT2ISmall", 86, 20}}) {
    std::vector<int64_t> first_free, per_kept;
    int64_t cycles = 0, thirty_eight = 0;
    for (const auto& [name, c] : Cycles()) {
      if (name != q.benchmark) continue;
      ++cycles;
      thirty_eight += c.at("kept_before") == 38 ? 1 : 0;
      if (c.at("first_free_ns") < 0 || c.at("kept_before") == 0) continue;
      first_free.push_back(c.at("first_free_ns"));
      per_kept.push_back((c.at("first_free_ns") - c.at("first_ns")) / c.at("kept_before"));
    }
    ASSERT_GT(cycles, 100) << q.benchmark;
    EXPECT_GT(thirty_eight * 10, cycles * 9) << q.benchmark;
    EXPECT_EQ(Median(first_free, 1000) / 1000, q.first_free_us) << q.benchmark;
    EXPECT_EQ(Median(per_kept, 100) / 100, q.kept_span_x10_us) << q.benchmark;
  }
}

// The recorded run (another run, with the heap-event recorder on) sees the
// same head: from a background cycle's gc_done to its sweep's first free
// (why central or large, before the next cycle starts), 97 us (median, to
// the nearest us, over the cycles with one).
TEST(BgSweepStartLog, TheRecordedRunsFirstSweepFreeComesAboutAHundredMicrosecondsAfterTheEnd) {
  std::vector<int64_t> first_free;
  for (const RecordedWindow& w : RecordedWindows()) {
    if (w.first_free_ns >= 0) first_free.push_back(w.first_free_ns);
  }
  ASSERT_GT(first_free.size(), 3000u);
  EXPECT_EQ(Median(first_free, 1000), 97000);
}

// Without the heap-event recorder Go's sweep frees spans faster: over the
// background cycles whose sweep freed at least 20 spans, the median of
// (last free - first free) / (frees - 1), in the sweepstart run (no
// recorder) and in the recorded run (frees of sweeping from gc_done to the
// next cycle's start), per benchmark, to the nearest 0.1 us. The recorder
// writes a record for every span freed, under the heap lock; the ratio runs
// from 1.1 (MallocLargeStruct) to 2.5 (MallocTypeInfo8). mgc.h's terms are
// fitted on the recorded run, whose timings the model replays.
TEST(BgSweepStartLog, WithoutTheRecorderTheSweepFreesSpansFaster) {
  std::map<std::string, std::vector<int64_t>> unrecorded, recorded;
  for (const auto& [name, c] : Cycles()) {
    if (c.at("freed") < 20 || c.at("first_free_ns") < 0) continue;
    const int64_t span_ns = (c.at("last_free_ns") - c.at("first_free_ns")) / (c.at("freed") - 1);
    unrecorded[name].push_back(span_ns);
  }
  for (const RecordedWindow& w : RecordedWindows()) {
    if (w.frees >= 20) recorded[w.benchmark].push_back((w.last - w.first) / (w.frees - 1));
  }
  struct Quoted {
    const char* benchmark;
    int64_t unrecorded_x10_us, recorded_x10_us;
  };
  for (const Quoted& q : {Quoted{"BenchmarkMalloc8", 39, 75}, Quoted{"BenchmarkMalloc16", 39, 82},
                          Quoted{"BenchmarkCallClosure2", 41, 68},
                          Quoted{"BenchmarkAllocation", 38, 67},
                          Quoted{"BenchmarkConvT2ISmall", 55, 69},
                          Quoted{"BenchmarkMallocTypeInfo8", 55, 136},
                          Quoted{"BenchmarkMallocLargeStruct", 14, 15},
                          Quoted{"BenchmarkCreateGoroutinesCapture", 58, 98}}) {
    ASSERT_GT(unrecorded[q.benchmark].size(), 50u) << q.benchmark;
    ASSERT_GT(recorded[q.benchmark].size(), 40u) << q.benchmark;
    EXPECT_EQ(Median(unrecorded[q.benchmark], 100) / 100, q.unrecorded_x10_us) << q.benchmark;
    EXPECT_EQ(Median(recorded[q.benchmark], 100) / 100, q.recorded_x10_us) << q.benchmark;
  }
}

}  // namespace
}  // namespace thp
