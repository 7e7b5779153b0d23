#include "mheap/go121/runtime.h"

#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "mheap/go121/gctrace.h"
#include "mheap/go121/mbitmap.h"
#include "runtime_port/base/clock.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace go121 {
namespace {

constexpr uint64_t kMiB = 1 << 20;

class RuntimeTest : public ::testing::Test {
 protected:
  void Start(const std::string& gogc = "100", int procs = 1) {
    RuntimeOptions o;
    o.gogc = gogc;
    o.gomaxprocs = procs;
    absl::StatusOr<std::unique_ptr<Runtime>> r = Runtime::Create(sim_, clock_, o);
    ASSERT_TRUE(r.ok()) << r.status();
    rt_ = *std::move(r);
  }
  uintptr_t Alloc(uintptr_t size, bool noscan = false, int p = 0) {
    absl::StatusOr<uintptr_t> x = rt_->Allocate(size, noscan, p);
    EXPECT_TRUE(x.ok()) << x.status();
    return x.ok() ? *x : 0;
  }

  SimulatedKernel sim_;
  VirtualClock clock_{1'000'000'000};
  std::unique_ptr<Runtime> rt_;
};

TEST_F(RuntimeTest, SmallObjectsFillOneSpanInAddressOrder) {
  Start();
  // Class 1 (8 bytes, scan: span class 2) holds 1024 objects in one page.
  const uintptr_t first = Alloc(8);
  MSpan* s = rt_->heap().SpanOf(first);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->spanclass, MakeSpanClass(1, false));
  EXPECT_EQ(s->npages, 1u);
  EXPECT_EQ(s->nelems, 1024);
  EXPECT_EQ(first, s->base());
  for (uintptr_t i = 1; i < 1024; ++i) EXPECT_EQ(Alloc(8), first + 8 * i);
  EXPECT_EQ(rt_->heap().pages_in_use(), 1u);
  // The 1025th takes a second span.
  const uintptr_t next = Alloc(8);
  EXPECT_NE(rt_->heap().SpanOf(next), s);
  EXPECT_EQ(rt_->heap().pages_in_use(), 2u);
  // Noscan objects of the same size go to span class 3.
  const uintptr_t ns = Alloc(8, /*noscan=*/true, 0) ;
  (void)ns;
  const uintptr_t ns24 = Alloc(24, /*noscan=*/true);
  EXPECT_EQ(rt_->heap().SpanOf(ns24)->spanclass, MakeSpanClass(3, true));
  // A 3 KiB object: class 41 (3072 bytes, 3 pages, 8 objects).
  const uintptr_t mid = Alloc(3000);
  EXPECT_EQ(rt_->heap().SpanOf(mid)->spanclass, MakeSpanClass(41, false));
  EXPECT_EQ(rt_->heap().SpanOf(mid)->npages, 3u);
  EXPECT_EQ(rt_->heap().SpanOf(mid)->nelems, 8);
  rt_->heap().CheckInvariants();
}

TEST_F(RuntimeTest, TinyObjectsShareSixteenByteBlocks) {
  Start();
  const uintptr_t a = Alloc(8, /*noscan=*/true);
  const uintptr_t b = Alloc(4, /*noscan=*/true);
  const uintptr_t c = Alloc(2, /*noscan=*/true);
  EXPECT_EQ(b, a + 8);
  EXPECT_EQ(c, a + 12);
  const uintptr_t d = Alloc(8, /*noscan=*/true);  // does not fit: a new block
  EXPECT_EQ(d, a + 16);
  EXPECT_EQ(rt_->heap().SpanOf(a)->spanclass, kTinySpanClass);
}

TEST_F(RuntimeTest, LargeObjectIsFreedByTheSweepAfterGC) {
  Start();
  const uintptr_t x = Alloc(100 << 10);  // 13 pages, span class 0
  MSpan* s = rt_->heap().SpanOf(x);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->spanclass, 0);
  EXPECT_EQ(s->npages, 13u);
  const uintptr_t y = Alloc(40 << 10, /*noscan=*/true);  // 5 pages, span class 1
  EXPECT_EQ(rt_->heap().SpanOf(y)->spanclass, 1);
  EXPECT_EQ(rt_->heap().pages_in_use(), 18u);
  rt_->GC();
  EXPECT_EQ(rt_->heap().pages_in_use(), 18u);  // both live
  ASSERT_TRUE(rt_->Drop(x).ok());
  rt_->GC();
  EXPECT_EQ(rt_->heap().pages_in_use(), 5u);
  EXPECT_EQ(rt_->heap().SpanOf(x), nullptr);
  ASSERT_TRUE(rt_->Drop(y).ok());
  rt_->GC();
  EXPECT_EQ(rt_->heap().pages_in_use(), 0u);
  EXPECT_EQ(rt_->pacer().heap_live(), 0u);
  EXPECT_EQ(rt_->pacer().total_alloc(), rt_->pacer().total_free());
  rt_->heap().CheckInvariants();
}

TEST_F(RuntimeTest, SmallSpanWithNoLiveObjectGoesBackToTheHeap) {
  Start();
  std::vector<uintptr_t> xs;
  for (int i = 0; i < 100; ++i) xs.push_back(Alloc(512));
  EXPECT_EQ(rt_->heap().pages_in_use(), 7u);  // 16 per page: 7 spans
  for (int i = 0; i < 100; ++i) {
    if (i != 50) {
      ASSERT_TRUE(rt_->Drop(xs[static_cast<size_t>(i)]).ok());
    }
  }
  rt_->GC();
  // Only the span of object 50 (the 4th) keeps an object.
  EXPECT_EQ(rt_->heap().pages_in_use(), 1u);
  MSpan* s = rt_->heap().SpanOf(xs[50]);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->alloc_count, 1);
  EXPECT_FALSE(IsFree(*s, ObjIndex(*s, xs[50])));
  // The freed slots are reused, lowest first.
  const uintptr_t again = Alloc(512);
  EXPECT_EQ(again, s->base());
}

TEST_F(RuntimeTest, HeapTriggerAtGogc100) {
  Start("100");
  // 64 KiB objects are large (8 pages): heapLive grows by 64 KiB each.
  // The first trigger is 61/64 of the 4 MiB minimum heap: 61 objects.
  for (int i = 0; i < 60; ++i) Alloc(64 << 10);
  EXPECT_EQ(rt_->gc().num_gc(), 0u);
  EXPECT_EQ(rt_->pacer().heap_live(), 60u * (64 << 10));
  Alloc(64 << 10);
  ASSERT_EQ(rt_->gc().num_gc(), 1u);
  const GcCycle& c = rt_->gc().cycles()[0];
  EXPECT_EQ(c.heap0, 61u * (64 << 10));
  EXPECT_EQ(c.heap2, 61u * (64 << 10));  // all live, the new one included
  EXPECT_EQ(c.heap_goal, 4 * kMiB);
  EXPECT_EQ(c.next_goal, 2u * 61 * (64 << 10));
  // The next trigger: 61/64 of the way from the marked heap to the goal.
  EXPECT_EQ(c.next_trigger, 61u * (64 << 10) / 64 * 61 + 61u * (64 << 10));
  EXPECT_EQ(rt_->heap().pacer().heap_goal, c.next_goal);
}

TEST_F(RuntimeTest, GogcOffNeverTriggers) {
  Start("off");
  for (int i = 0; i < 200; ++i) Alloc(64 << 10);
  EXPECT_EQ(rt_->gc().num_gc(), 0u);
}

TEST_F(RuntimeTest, TransientGarbageIsSweptProportionally) {
  Start("100");
  // Garbage only: every cycle finds nothing but the object being allocated.
  for (int i = 0; i < 20000; ++i) ASSERT_TRUE(rt_->AllocateTransient(1024, false, 0).ok());
  EXPECT_GT(rt_->gc().num_gc(), 3u);
  // The heap stays near the 4 MiB minimum: the sweeper keeps up.
  EXPECT_LT(rt_->heap().pages_in_use() * kPageSize, 8 * kMiB);
  rt_->heap().CheckInvariants();
}

TEST_F(RuntimeTest, StacksFromPoolsAndLargeSpans) {
  Start("100", 2);
  absl::StatusOr<uintptr_t> a = rt_->NewStack(2048, 0);
  ASSERT_TRUE(a.ok());
  MSpan* s = rt_->heap().SpanOf(*a);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->state, SpanState::kManual);
  EXPECT_EQ(s->npages, 4u);  // one 32 KiB pool span
  // The cache took half of it (8 of 16 stacks, highest first, each pushed
  // on the cache list's head): the last taken comes out first.
  EXPECT_EQ(*a, s->base() + 8 * 2048);
  EXPECT_EQ(rt_->stacks().CachedStacks(0, 0), 7u);
  absl::StatusOr<uintptr_t> big = rt_->NewStack(64 << 10, 1);
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(rt_->heap().SpanOf(*big)->npages, 8u);
  ASSERT_TRUE(rt_->FreeStack(*big, 1).ok());
  EXPECT_EQ(rt_->heap().SpanOf(*big), nullptr);  // freed at once: GC is off
  ASSERT_TRUE(rt_->FreeStack(*a, 0).ok());
  EXPECT_EQ(rt_->stacks().CachedStacks(0, 0), 8u);
  rt_->GC();  // stackcache_clear empties the pool span: freed
  EXPECT_EQ(rt_->stacks().CachedStacks(0, 0), 0u);
  EXPECT_EQ(rt_->heap().SpanOf(*a), nullptr);
  EXPECT_EQ(rt_->stacks().PoolSpans(0), 0u);
  rt_->heap().CheckInvariants();
}

TEST_F(RuntimeTest, TouchMemoryMakesHandedOutSpansResident) {
  RuntimeOptions o;
  o.gomaxprocs = 1;
  o.touch_memory = true;
  absl::StatusOr<std::unique_ptr<Runtime>> r = Runtime::Create(sim_, clock_, o);
  ASSERT_TRUE(r.ok()) << r.status();
  Runtime& rt = **r;
  auto resident = [&](uintptr_t lo, uintptr_t n) {
    return sim_.ResidencyOf(lo, lo + n).resident_bytes;
  };
  absl::StatusOr<uintptr_t> big = rt.Allocate(64 << 10, true, 0);
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(resident(*big, 64 << 10), 64u << 10);
  absl::StatusOr<uintptr_t> small = rt.Allocate(100, false, 0);
  ASSERT_TRUE(small.ok());
  const MSpan* s = rt.heap().SpanOf(*small);
  EXPECT_EQ(resident(s->base(), s->npages * kPageSize), s->npages * kPageSize);
  absl::StatusOr<uintptr_t> stack = rt.NewStack(2048, 0);
  ASSERT_TRUE(stack.ok());
  const MSpan* ss = rt.heap().SpanOf(*stack);
  EXPECT_EQ(resident(ss->base(), 32 << 10), 32u << 10);  // the whole pool span
  // Freed and released: no longer resident; handed out again: resident.
  ASSERT_TRUE(rt.Drop(*big).ok());
  rt.FreeOSMemory();
  EXPECT_EQ(resident(*big, 64 << 10), 0u);
  absl::StatusOr<uintptr_t> again = rt.Allocate(64 << 10, true, 0);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(resident(*again, 64 << 10), 64u << 10);
  rt.heap().CheckInvariants();
  sim_.CheckInvariants();
}

TEST_F(RuntimeTest, WithoutTouchingNothingIsResident) {
  Start();
  const uintptr_t big = Alloc(64 << 10, true);
  EXPECT_EQ(sim_.ResidencyOf(big, big + (64 << 10)).resident_bytes, 0u);
}

TEST_F(RuntimeTest, BadInput) {
  Start();
  EXPECT_FALSE(rt_->Allocate(0, false, 0).ok());
  EXPECT_FALSE(rt_->Allocate(8, false, 1).ok());
  EXPECT_FALSE(rt_->Drop(0x1234).ok());
  EXPECT_FALSE(rt_->NewStack(3000, 0).ok());
  RuntimeOptions o;
  o.gogc = "x";
  EXPECT_FALSE(Runtime::Create(sim_, clock_, o).ok());
}

}  // namespace
}  // namespace go121
}  // namespace thp

namespace thp {
namespace go121 {
namespace {

// GODEBUG=scavtrace=1: a line where the sweep drains (sweepone), and a
// forced one at scavengeAll with what it released as eager work.
TEST_F(RuntimeTest, ScavtraceLinesAtSweepDrainAndScavengeAll) {
  Start();
  std::vector<std::string> lines;
  rt_->set_scavtrace([&](const std::string& l) { lines.push_back(l); });
  std::vector<uintptr_t> big;
  for (int i = 0; i < 8; ++i) big.push_back(Alloc(512 << 10));
  for (uintptr_t x : big) ASSERT_TRUE(rt_->Drop(x).ok());
  lines.clear();
  // runtime.GC: gcStart first sweeps what the last cycle left (a drain, its
  // line with the heap still in use), then the new cycle's sweep runs to
  // the end (a drain, the dropped 4 MiB no longer in use). Nothing was
  // released in between.
  rt_->GC();
  ASSERT_EQ(lines.size(), 2u) << lines[0];
  EXPECT_EQ(lines[0], "scav 0 KiB work (bg), 0 KiB work (eager), 0 KiB now, 100% util");
  EXPECT_EQ(lines[1], "scav 0 KiB work (bg), 0 KiB work (eager), 0 KiB now, 0% util");
  const uint64_t released_before = rt_->heap().stats().heap_released;
  lines.clear();
  rt_->FreeOSMemory();  // its GC drains the sweep again, then scavengeAll
  ASSERT_EQ(lines.size(), 2u) << lines[0] << "\n" << lines.back();
  const HeapStats& st = rt_->heap().stats();
  const uint64_t released = st.heap_released - released_before;
  EXPECT_GE(released, 4 * kMiB);  // the 4 MiB dropped, at least
  EXPECT_EQ(lines[1], ScavTraceLine(0, released, st.heap_released, st.heap_in_use,
                                    st.HeapRetained(), /*forced=*/true, false));
  EXPECT_NE(lines[1].find(" (forced)"), std::string::npos);
}

}  // namespace
}  // namespace go121
}  // namespace thp
