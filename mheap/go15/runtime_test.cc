// The checked runtime API: bad input is a failed status and leaves the heap
// intact; a workload's drops become frees at the next GC.
#include "mheap/go15/runtime.h"

#include <algorithm>
#include <vector>

#include "gtest/gtest.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

std::unique_ptr<Runtime> Make(SimulatedKernel& sim, const VirtualClock& clock,
                              RuntimeOptions o = RuntimeOptions()) {
  absl::StatusOr<std::unique_ptr<Runtime>> rt = Runtime::Create(sim, clock, o);
  EXPECT_TRUE(rt.ok()) << rt.status();
  return rt.ok() ? *std::move(rt) : nullptr;
}

TEST(Runtime, GogcIsParsedStrictly) {
  EXPECT_EQ(*ParseGogc(""), 100);
  EXPECT_EQ(*ParseGogc("off"), -1);
  EXPECT_EQ(*ParseGogc("50"), 50);
  EXPECT_EQ(ParseGogc("fifty").status().message(),
            "GOGC=fifty: expected off or a non-negative integer percentage");
  EXPECT_FALSE(ParseGogc("-5").ok());
  SimulatedKernel sim;
  VirtualClock clock;
  RuntimeOptions o;
  o.gogc = "often";
  EXPECT_FALSE(Runtime::Create(sim, clock, o).ok());
  o.gogc = "100";
  o.variant = "prefx";
  EXPECT_FALSE(Runtime::Create(sim, clock, o).ok());
  o.variant = "fixed";
  o.cpu_scale = 0;
  EXPECT_EQ(Runtime::Create(sim, clock, o).status().message(),
            "cpu scale 0: expected a number above 0");
  o.cpu_scale = 0.6;
  ASSERT_TRUE(Runtime::Create(sim, clock, o).ok());
  EXPECT_EQ((*Runtime::Create(sim, clock, o))->gc().cpu_scale(), 0.6);
}

TEST(Runtime, BadAllocationsAndDropsFailCleanly) {
  SimulatedKernel sim;
  VirtualClock clock;
  std::unique_ptr<Runtime> rt = Make(sim, clock);
  EXPECT_EQ(rt->Allocate(0, true, 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(rt->Allocate(uintptr_t{513} << 30, true, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(rt->Allocate(64, true, 7).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(rt->Drop(0x1234).code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(rt->NewStack(3000, 0).ok());
  EXPECT_FALSE(rt->FreeStack(0x5678, 0).ok());
  rt->heap().CheckInvariants();
  EXPECT_EQ(rt->heap().stats().heap_sys, 0u);  // nothing was touched
}

TEST(Runtime, DroppedObjectsAreFreedAtTheNextGC) {
  SimulatedKernel sim;
  VirtualClock clock;
  std::unique_ptr<Runtime> rt = Make(sim, clock);
  absl::StatusOr<uintptr_t> keep = rt->Allocate(50000, false, 0);
  absl::StatusOr<uintptr_t> drop = rt->Allocate(50000, false, 1);
  ASSERT_TRUE(keep.ok() && drop.ok());
  ASSERT_TRUE(rt->Drop(*drop).ok());
  EXPECT_EQ(rt->Drop(*drop).code(), absl::StatusCode::kNotFound);  // not twice
  rt->GC();
  EXPECT_NE(rt->heap().LookupMaybe(*keep), nullptr);
  EXPECT_EQ(rt->heap().LookupMaybe(*drop), nullptr);
  rt->heap().CheckInvariants();
}

// acquireSudog and releaseSudog (sudog_cache.h) on the runtime: a P's
// cached sudogs come back last in, first out and survive a GC; the ones a
// full cache handed to the central cache are garbage at the next GC, whose
// sweep frees their slots for the next new(sudog).
TEST(Runtime, CachedSudogsSurviveAGcAndTheCentralOnesAreFreed) {
  SimulatedKernel sim;
  VirtualClock clock;
  std::unique_ptr<Runtime> rt = Make(sim, clock);
  std::vector<uintptr_t> s;
  for (size_t i = 0; i <= kSudogCacheCap; ++i) {
    absl::StatusOr<uintptr_t> x = rt->AcquireSudog(0);
    ASSERT_TRUE(x.ok()) << x.status();
    s.push_back(*x);
  }
  EXPECT_EQ(rt->live_objects(), kSudogCacheCap + 1);
  for (uintptr_t x : s) ASSERT_TRUE(rt->ReleaseSudog(x, 0).ok());
  EXPECT_EQ(rt->ReleaseSudog(s[0], 0).code(), absl::StatusCode::kNotFound);  // not held
  // P 0 kept s[0..63] and s[128]; s[64..127] went to the central cache.
  rt->GC();
  EXPECT_EQ(*rt->AcquireSudog(0), s[kSudogCacheCap]);
  EXPECT_EQ(*rt->AcquireSudog(0), s[kSudogCacheCap / 2 - 1]);
  const uintptr_t fresh = *rt->AcquireSudog(1);  // P 1: no cache, no central
  EXPECT_TRUE(std::find(s.begin() + kSudogCacheCap / 2, s.begin() + kSudogCacheCap, fresh) !=
              s.begin() + kSudogCacheCap)
      << std::hex << fresh;
  EXPECT_EQ(rt->AcquireSudog(2).status().message(), "P 2: expected 0 to 1");
  rt->heap().CheckInvariants();
}

TEST(Runtime, StacksRoundTrip) {
  SimulatedKernel sim;
  VirtualClock clock;
  std::unique_ptr<Runtime> rt = Make(sim, clock);
  absl::StatusOr<uintptr_t> s = rt->NewStack(1 << 20, 0);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(rt->heap().stats().stacks_inuse, uint64_t{1} << 20);
  ASSERT_TRUE(rt->FreeStack(*s, 0).ok());
  EXPECT_EQ(rt->heap().stats().stacks_inuse, 0u);
}

// runtime.ReadMemStats (go1.5.1 mstats.go), as testing's StartTimer and
// StopTimer call it: a cycle still marking ends first (stopTheWorld waits
// for worldsema), then every P's mcache spans go back to their central
// lists, every P's stack cache back to the pools (a stack span left empty
// goes back to the heap at once: gcphase is _GCoff), and the Ps' cached
// counts into memstats.
TEST(Runtime, ReadMemStatsFinishesAMarkAndFlushesEveryPsCaches) {
  SimulatedKernel sim;
  VirtualClock clock;
  std::unique_ptr<Runtime> rt = Make(sim, clock);
  for (int p = 0; p < 2; ++p) ASSERT_TRUE(rt->Allocate(64, false, p).ok());
  absl::StatusOr<uintptr_t> stack = rt->NewStack(4096, 1);
  ASSERT_TRUE(stack.ok());
  ASSERT_TRUE(rt->FreeStack(*stack, 1).ok());
  ASSERT_GT(rt->stacks().CachedBytes(1, 1), 0u);
  ASSERT_EQ(rt->heap().stats().stacks_inuse, 32u << 10);
  ASSERT_GT(rt->malloc().cache(0).local_cachealloc + rt->malloc().cache(1).local_cachealloc, 0u);
  rt->gc().set_concurrent_mark(true);
  rt->gc().StartGC(GcMode::kBackground, /*force_trigger=*/true);
  ASSERT_TRUE(rt->gc().marking());
  rt->ReadMemStats();
  EXPECT_FALSE(rt->gc().marking());
  EXPECT_EQ(rt->gc().cycles().size(), 1u);
  // The 4 KiB stack's span went back at mark termination; what is left is
  // the 2 KiB stack of the goroutine the first background cycle started.
  const uint64_t stacks_after_mark = rt->heap().stats().stacks_inuse;
  EXPECT_EQ(stacks_after_mark, 32u << 10);
  EXPECT_EQ(rt->stacks().PoolSpans(1), 0u);
  // Allocate again: spans cached now are flushed by the next call alone.
  for (int p = 0; p < 2; ++p) ASSERT_TRUE(rt->Allocate(64, false, p).ok());
  stack = rt->NewStack(4096, 1);
  ASSERT_TRUE(stack.ok() && rt->FreeStack(*stack, 1).ok());
  ASSERT_NE(std::count(rt->malloc().cache(0).alloc.begin(), rt->malloc().cache(0).alloc.end(),
                       nullptr),
            kNumSizeClasses);
  rt->ReadMemStats();
  for (int p = 0; p < 2; ++p) {
    for (MSpan* s : rt->malloc().cache(p).alloc) EXPECT_EQ(s, nullptr) << "P " << p;
    EXPECT_EQ(rt->malloc().cache(p).local_cachealloc, 0u);
    for (int order = 0; order < kNumStackOrders; ++order) {
      EXPECT_EQ(rt->stacks().CachedBytes(p, order), 0u) << "P " << p << " order " << order;
    }
  }
  EXPECT_EQ(rt->stacks().PoolSpans(1), 0u);
  EXPECT_EQ(rt->heap().stats().stacks_inuse, stacks_after_mark);
  EXPECT_GT(rt->heap().stats().heap_live, 0u);
  rt->heap().CheckInvariants();
}

}  // namespace
}  // namespace thp
