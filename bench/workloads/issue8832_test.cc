// Issue 8832's program: its events, and the heap it leaves on the simulated
// kernel once the scavenger has run, which is the pattern randall77
// described (#9869): one page of G structs, then eight free pages, over and
// over, so every released 2 MiB region keeps present pages.
#include "bench/workloads/issue8832.h"

#include <map>
#include <string>

#include "bench/workloads/trace_replayer.h"
#include "gtest/gtest.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

constexpr uintptr_t kPage = 8192;  // Go's page

TEST(Issue8832, ProgramStartsEndsAndIdles) {
  Issue8832Options o;
  o.goroutines = 250;
  const std::vector<TraceEvent> events = Issue8832Program(o);
  std::map<int, int> kinds;
  int64_t busy = 0, slept = 0;
  for (const TraceEvent& e : events) {
    ++kinds[e.kind];
    if (e.kind == TraceEvent::kCompute) busy += e.ns;
    if (e.kind == TraceEvent::kSleep) slept += e.ns;
    if (e.kind == TraceEvent::kAlloc) {
      EXPECT_EQ(e.bytes, 272u);
      EXPECT_FALSE(e.noscan);
    }
    if (e.kind == TraceEvent::kStack) {
      EXPECT_EQ(e.bytes, 2048u);
    }
  }
  EXPECT_EQ(kinds[TraceEvent::kAlloc], 250);
  EXPECT_EQ(kinds[TraceEvent::kStack], 250);
  EXPECT_EQ(kinds[TraceEvent::kUnstack], 250);
  EXPECT_EQ(kinds[TraceEvent::kDrop], 0);  // G structs are never freed (#9869)
  EXPECT_EQ(kinds[TraceEvent::kGc], 1);
  EXPECT_EQ(kinds[TraceEvent::kCompute], 3);  // batches of 100, 100, 50
  EXPECT_EQ(busy, 250 * o.spawn_ns);
  EXPECT_EQ(slept, o.blocked_ns + o.idle_ns);
  // The stacks end only after the blocked sleep, and the GC follows them.
  EXPECT_EQ(events.back().kind, TraceEvent::kSleep);
  EXPECT_EQ(events[events.size() - 2].kind, TraceEvent::kGc);
}

TEST(Issue8832, ReleasedHeapIsOneGPageThenEightFreePages) {
  SimOptions so;
  so.thp_mode = ThpMode::kMadvise;
  SimulatedKernel k(so);
  RuntimeOptions ro;
  ro.variant = "none";
  ro.touch_memory = true;
  absl::StatusOr<std::unique_ptr<TraceReplayer>> rep =
      TraceReplayer::Create(k, ro, /*scavenge_debug=*/true, nullptr);
  ASSERT_TRUE(rep.ok()) << rep.status();
  ASSERT_TRUE((*rep)->Run(Issue8832Program(), nullptr).ok());
  Runtime& rt = (*rep)->runtime();
  const HeapLayout& l = rt.heap().layout();
  EXPECT_EQ(rt.live_objects(), 100000u);
  // The stacks (100,000 x 2 KiB) and the unused top of the arena are
  // released; what stays in use is the G spans: ceil(100000 / 28) pages
  // (28 Gs of 288 bytes per 8 KiB span) plus the runtime's own few.
  const MemStats& ms = rt.heap().stats();
  EXPECT_GE(ms.heap_released, 100000u * 2048);
  EXPECT_EQ(ms.heap_inuse, ms.heap_sys - ms.heap_released);
  EXPECT_GE(ms.heap_inuse, 3572u * kPage);
  EXPECT_LE(ms.heap_inuse, 3572u * kPage + 16 * kPage);
  EXPECT_EQ(k.ResidentBytes(l.arena_start, l.arena_used), ms.heap_inuse);

  // Resident Go pages are in use, the others released. In-use pages come
  // one at a time between free runs.
  std::map<int, int> free_runs;  // length -> count
  int run = 0, in_use_runs_longer_than_one = 0, previous_in_use = 0;
  for (uintptr_t p = l.arena_start; p < l.arena_used; p += kPage) {
    if (k.ResidentBytes(p, p + kPage) == 0) {
      ++run;
      continue;
    }
    if (run > 0) ++free_runs[run];
    if (run == 0 && previous_in_use) ++in_use_runs_longer_than_one;
    run = 0;
    previous_in_use = 1;
  }
  EXPECT_LE(in_use_runs_longer_than_one, 8);  // the runtime's first spans
  // A G span holds 28 Gs; their 28 stacks (56 KiB) take 1.75 stack spans of
  // 4 pages, so the free runs between G pages go 8, 8, 8, 4: the issue's
  // "eight pages free" three times out of four. One run, of 20 pages, has
  // another length: where the first background cycle made the GC's own
  // goroutines (go1.5.1 startGC's backgroundgc and a mark worker per P),
  // their g structs and stacks broke the rhythm, and where its mark ended
  // (mgc.h) sets the phase of the rhythm after it.
  EXPECT_EQ(free_runs.size(), 3u);
  EXPECT_EQ(free_runs[20], 1);
  EXPECT_NEAR(free_runs[8], 3 * free_runs[4], 4);
  EXPECT_EQ(free_runs[4] + free_runs[8], 3568);
  // So no 2 MiB region is left without a present page: khugepaged's food.
  for (uintptr_t r = l.arena_start; r + kHugePageSize <= l.arena_used; r += kHugePageSize) {
    EXPECT_GT(k.ResidentBytes(r, r + kHugePageSize), 0u) << std::hex << r;
  }
}

}  // namespace
}  // namespace thp
