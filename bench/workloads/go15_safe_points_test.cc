// The suite's kNoSafePoint marks (go15_suite.cc) against what Go 1.5.1 did
// in its own run (testdata/go151_heaplog/prefix.hlog.xz): a benchmark is
// marked exactly when one of its background GCs started and then could not
// stop the world for long (more than half a second; those waits last 0.66
// to 3.6 s, while no unmarked benchmark's cycle waits more than 0.36 s).
// Such a wait ends where the timed loop does: at a b.N round's end, but for
// BenchmarkDeferMany, whose b.N deferred calls run between its loop's end
// and its round's end (they reach safe points); its waits end when the heap
// holds the round's b.N defer records, which newdefer made on the system
// stack, where none of them could start a cycle either.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bench/workloads/go15_suite.h"
#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event_log.h"

namespace thp {
namespace {

constexpr int64_t kLongWaitNs = 500000000;     // 0.5 s from gc_start to gc_mark_term
constexpr int64_t kNearRoundEndNs = 10000000;  // mark termination within 10 ms of it
// forcegcperiod under GODEBUG=scavenge=1 (the log's sysmon record).
constexpr int64_t kForceGcPeriodNs = 10000000;
constexpr uint64_t kDeferRecordBytes = 80;     // roundupsize(48-byte _defer + 3 ints)

// A background cycle that waited long for the world to stop.
struct LongWait {
  bool near_round_end = false;  // a bench_run or bench_end within 10 ms of its mark termination
  uint64_t round_n = 0;         // b.N of the round it started in
  // heap_live at its mark termination less heap_marked by the cycle before
  // it: what the round allocated meanwhile.
  uint64_t grown = 0;
};

// A background cycle's start against the cycle that ended before it.
struct BackgroundStart {
  int64_t since_last_end_ns = 0;
  bool past_trigger = false;  // heap_live >= that cycle's next_gc
};

struct BenchmarkGcs {
  std::vector<LongWait> long_waits;
  std::vector<BackgroundStart> background_starts;
};

std::map<std::string, BenchmarkGcs> ReadLog() {
  absl::StatusOr<std::unique_ptr<heaplog::HeapEventReader>> reader =
      heaplog::HeapEventReader::Open("testdata/go151_heaplog/prefix.hlog.xz");
  EXPECT_TRUE(reader.ok()) << reader.status();
  std::map<std::string, BenchmarkGcs> out;
  if (!reader.ok()) return out;
  BenchmarkGcs* current = nullptr;
  uint64_t round_n = 0;
  int64_t bg_start = -1;         // the open background cycle's gc_start time
  int64_t last_end = -1;         // the last gc_done's time
  uint64_t last_marked = 0, last_next_gc = 0;
  uint64_t marked_before = 0;    // heap_marked by the cycle before the open one
  // The current benchmark's last long wait, while its mark termination
  // awaits a round end.
  bool awaiting = false;
  int64_t awaiting_since = 0;
  auto round_ends = [&](int64_t t) {
    if (awaiting && t - awaiting_since < kNearRoundEndNs) {
      current->long_waits.back().near_round_end = true;
    }
    awaiting = false;
  };
  heaplog::HeapEvent e;
  for (;;) {
    absl::StatusOr<bool> more = (*reader)->Next(&e);
    EXPECT_TRUE(more.ok()) << more.status();
    if (!more.ok() || !*more) break;
    if (const auto* s = std::get_if<heaplog::BenchStart>(&e.body)) {
      current = &out[s->BaseName()];
      bg_start = -1;
      awaiting = false;
    } else if (const auto* r = std::get_if<heaplog::BenchRun>(&e.body)) {
      round_ends(e.time_ns);
      round_n = r->n;
    } else if (std::holds_alternative<heaplog::BenchEnd>(e.body)) {
      round_ends(e.time_ns);
    } else if (const auto* g = std::get_if<heaplog::GcStart>(&e.body)) {
      bg_start = g->mode == heaplog::GcMode::kBackground ? e.time_ns : -1;
      marked_before = last_marked;
      if (bg_start >= 0 && current != nullptr && last_end >= 0) {
        current->background_starts.push_back(
            BackgroundStart{e.time_ns - last_end, g->heap_live >= last_next_gc});
      }
    } else if (const auto* m = std::get_if<heaplog::GcMarkTerm>(&e.body)) {
      if (bg_start >= 0 && current != nullptr && e.time_ns - bg_start > kLongWaitNs) {
        current->long_waits.push_back(LongWait{false, round_n, m->heap_live - marked_before});
        awaiting = true;
        awaiting_since = e.time_ns;
      }
      bg_start = -1;
    } else if (const auto* d = std::get_if<heaplog::GcDone>(&e.body)) {
      last_end = e.time_ns;
      last_marked = d->heap_marked;
      last_next_gc = d->next_gc;
    }
  }
  return out;
}

const std::map<std::string, BenchmarkGcs>& Log() {
  static const auto* const kLog = new std::map<std::string, BenchmarkGcs>(ReadLog());
  return *kLog;
}

TEST(Go15SafePoints, MarkedExactlyWhereGo151sGcWaitedLongForTheLoopToEnd) {
  std::set<std::string> waited, at_round_end;
  for (const auto& [name, gcs] : Log()) {
    for (const LongWait& w : gcs.long_waits) {
      waited.insert(name);
      if (w.near_round_end) at_round_end.insert(name);
    }
  }
  std::set<std::string> marked;
  for (const Go15Benchmark& b : Go15RuntimeBenchmarks()) {
    if (b.loop == kNoSafePoint) marked.insert(b.name);
  }
  EXPECT_EQ(marked.size(), 131u);
  for (const std::string& name : marked) {
    EXPECT_TRUE(waited.count(name) == 1) << name << " is marked, but no GC of Go's waited for its loop";
    if (name != "BenchmarkDeferMany") {
      EXPECT_TRUE(at_round_end.count(name) == 1) << name << ": no long wait ended with a round";
    }
  }
  for (const std::string& name : waited) {
    EXPECT_TRUE(marked.count(name) == 1) << name << ": a GC of Go's waited for its loop, unmarked";
  }
  EXPECT_EQ(at_round_end.count("BenchmarkDeferMany"), 0u);
}

// Each of DeferMany's long waits ends when the heap has grown by the
// round's b.N records (to within two spans' worth: a P's defer pool, the
// spans cached), that is when its loop ends.
TEST(Go15SafePoints, DeferManysLongWaitsEndWithItsLoop) {
  const auto it = Log().find("BenchmarkDeferMany");
  ASSERT_NE(it, Log().end());
  ASSERT_EQ(it->second.long_waits.size(), 3u);
  for (const LongWait& w : it->second.long_waits) {
    const int64_t records = static_cast<int64_t>(w.round_n * kDeferRecordBytes);
    EXPECT_LT(std::llabs(static_cast<int64_t>(w.grown) - records), 2 * 8192)
        << "b.N " << w.round_n << ": grew " << w.grown;
  }
}

// None of DeferMany's background cycles was started by an allocation: each
// began forcegcperiod or more after the last cycle ended (sysmon's forced
// GC), or below the trigger (a forced GC that waited for runtime.GC's
// worldsema); twice the heap had passed the trigger by then.
TEST(Go15SafePoints, DeferManysRecordsStartNoCycle) {
  const auto it = Log().find("BenchmarkDeferMany");
  ASSERT_NE(it, Log().end());
  int past_trigger = 0;
  for (const BackgroundStart& s : it->second.background_starts) {
    EXPECT_TRUE(!s.past_trigger || s.since_last_end_ns >= kForceGcPeriodNs)
        << "a cycle past the trigger " << s.since_last_end_ns << " ns after the last";
    past_trigger += s.past_trigger;
  }
  EXPECT_EQ(it->second.background_starts.size(), 8u);
  EXPECT_EQ(past_trigger, 2);
}

}  // namespace
}  // namespace thp
