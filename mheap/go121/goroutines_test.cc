// The goroutine table through the runtime: what newproc1 allocates, gfree
// reuse, the 64/32 rule between a P's list and the global ones, allgs'
// growth, markrootFreeGStacks, and the scannable-stack total.
#include "mheap/go121/goroutines.h"

#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "mheap/go121/mbitmap.h"
#include "mheap/go121/runtime.h"
#include "runtime_port/base/clock.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace go121 {
namespace {

class GoroutineTableTest : public ::testing::Test {
 protected:
  GoroutineTableTest() {
    RuntimeOptions o;
    o.gomaxprocs = 2;
    absl::StatusOr<std::unique_ptr<Runtime>> rt = Runtime::Create(sim_, clock_, o);
    EXPECT_TRUE(rt.ok()) << rt.status();
    rt_ = *std::move(rt);
  }
  const GoroutineTable& table() const { return rt_->goroutines(); }
  size_t Go(int p) {
    absl::StatusOr<size_t> g = rt_->NewGoroutine(p);
    EXPECT_TRUE(g.ok()) << g.status();
    return g.ok() ? *g : 0;
  }
  void Exit(size_t g, int p) { EXPECT_TRUE(rt_->ExitGoroutine(g, p).ok()); }
  bool Allocated(uintptr_t x) {
    const MSpan* s = rt_->heap().SpanOf(x);
    return s != nullptr && s->state == SpanState::kInUse && !IsFree(*s, ObjIndex(*s, x));
  }
  int64_t InStacks() const { return rt_->heap().stats().in_stacks; }

  SimulatedKernel sim_;
  VirtualClock clock_{1'000'000'000};
  std::unique_ptr<Runtime> rt_;
};

TEST_F(GoroutineTableTest, ANewGTakesOne416ByteObjectAndOneFixedStack) {
  const size_t g = Go(0);
  EXPECT_EQ(g, 0u);
  const MSpan* s = rt_->heap().SpanOf(table().g_struct(g));
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->elemsize, 416u);  // 408 bytes rounded to its class
  EXPECT_EQ(s->spanclass, MakeSpanClass(SizeClasses::SizeToClass(408), false));
  EXPECT_EQ(table().stack_bytes(g), 2048u);
  EXPECT_EQ(rt_->heap().SpanOf(table().stack_lo(g))->state, SpanState::kManual);
  EXPECT_EQ(InStacks(), 32 << 10);  // one pool span
  EXPECT_EQ(rt_->stacks().CachedStacks(0, 0), 7u);
  // allgs = append(nil, g): one pointer in the 8-byte class.
  EXPECT_EQ(table().allgs_cap(), 1u);
  EXPECT_EQ(rt_->heap().SpanOf(table().allgs_array())->elemsize, 8u);
  EXPECT_TRUE(table().IsRunning(g));
  rt_->heap().CheckInvariants();
}

TEST_F(GoroutineTableTest, ExitAndReuseBeforeAGcAllocateNothing) {
  const size_t g = Go(0);
  const uintptr_t stack = table().stack_lo(g);
  Exit(g, 0);
  EXPECT_FALSE(table().IsRunning(g));
  EXPECT_EQ(table().local_free(0), 1u);
  const uint64_t alloc = rt_->pacer().total_alloc() + rt_->malloc().cache(0).scan_alloc;
  const size_t cached = rt_->stacks().CachedStacks(0, 0);
  EXPECT_EQ(Go(0), g);
  EXPECT_EQ(table().stack_lo(g), stack);
  EXPECT_EQ(rt_->pacer().total_alloc() + rt_->malloc().cache(0).scan_alloc, alloc);
  EXPECT_EQ(rt_->stacks().CachedStacks(0, 0), cached);
  EXPECT_EQ(table().allglen(), 1u);
}

TEST_F(GoroutineTableTest, AGrownStackIsFreedAtExitAndReuseAllocatesAStartingOne) {
  const size_t g = Go(0);
  ASSERT_TRUE(rt_->GrowGoroutine(g, 64 << 10, 0).ok());
  EXPECT_EQ(table().stack_bytes(g), 64u << 10);
  const uintptr_t big = table().stack_lo(g);
  EXPECT_EQ(rt_->heap().SpanOf(big)->npages, 8u);
  // copystack freed the 2 KiB stack into P 0's cache.
  EXPECT_EQ(rt_->stacks().CachedStacks(0, 0), 8u);
  Exit(g, 0);
  EXPECT_EQ(rt_->heap().SpanOf(big), nullptr);  // gfput: not the starting size
  EXPECT_EQ(table().stack_lo(g), 0u);
  EXPECT_EQ(Go(0), g);
  EXPECT_EQ(table().stack_bytes(g), 2048u);
  EXPECT_EQ(rt_->stacks().CachedStacks(0, 0), 7u);
  EXPECT_FALSE(rt_->GrowGoroutine(g, 3000, 0).ok());
  EXPECT_FALSE(rt_->GrowGoroutine(99, 4096, 0).ok());
  Exit(g, 0);
  EXPECT_FALSE(rt_->ExitGoroutine(g, 0).ok());
}

TEST_F(GoroutineTableTest, APHoldsAtMost63DeadGsThenHandsAllButThirtyOneToTheGlobalLists) {
  std::vector<size_t> gs;
  for (int i = 0; i < 64; ++i) gs.push_back(Go(0));
  // Ten of them grow, so they die without a stack.
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(rt_->GrowGoroutine(gs[static_cast<size_t>(i)], 8192, 0).ok());
  for (int i = 0; i < 63; ++i) Exit(gs[static_cast<size_t>(i)], 0);
  EXPECT_EQ(table().local_free(0), 63u);
  EXPECT_EQ(table().global_free_stack() + table().global_free_nostack(), 0u);
  Exit(gs[63], 0);
  // The 33 most recent exits (gs 31..63, all with stacks) move.
  EXPECT_EQ(table().local_free(0), 31u);
  EXPECT_EQ(table().global_free_stack(), 33u);
  EXPECT_EQ(table().global_free_nostack(), 0u);
  // An empty P takes a batch of 32, then one of them.
  const size_t reused = Go(1);
  EXPECT_GE(reused, 31u);
  EXPECT_EQ(table().local_free(1), 31u);
  EXPECT_EQ(table().global_free_stack(), 1u);
  EXPECT_EQ(table().allglen(), 64u);
}

TEST_F(GoroutineTableTest, GcFreesTheStacksOfGlobalDeadGsOnly) {
  std::vector<size_t> gs;
  for (int i = 0; i < 64; ++i) gs.push_back(Go(0));
  for (size_t g : gs) Exit(g, 0);
  ASSERT_EQ(table().global_free_stack(), 33u);
  ASSERT_EQ(table().local_free(0), 31u);
  rt_->GC();
  EXPECT_EQ(table().global_free_stack(), 0u);
  EXPECT_EQ(table().global_free_nostack(), 33u);
  size_t with_stack = 0;
  for (size_t g : gs) with_stack += table().stack_lo(g) != 0 ? 1 : 0;
  EXPECT_EQ(with_stack, 31u);  // the P's dead gs keep theirs
  // 31 stacks of 2 KiB: two 32 KiB pool spans remain.
  EXPECT_EQ(InStacks(), 64 << 10);
  // P 1 takes 32 stackless gs and allocates a stack for the one it uses.
  const size_t g = Go(1);
  EXPECT_NE(table().stack_lo(g), 0u);
  EXPECT_EQ(table().local_free(1), 31u);
  EXPECT_EQ(table().global_free_nostack(), 1u);
  rt_->heap().CheckInvariants();
}

TEST_F(GoroutineTableTest, AllgsGrowsLikeAppendAndItsOldArraysAreGarbage) {
  std::vector<size_t> caps;
  std::vector<uintptr_t> arrays;
  for (int i = 0; i < 1100; ++i) {
    Go(i % 2);
    if (caps.empty() || caps.back() != table().allgs_cap()) {
      caps.push_back(table().allgs_cap());
      arrays.push_back(table().allgs_array());
    }
  }
  // Doubling below 256 elements, then += (cap + 768) / 4, each array
  // rounded up to its size class: 512 + 320 = 832 pointers (6656 bytes)
  // -> 6784 bytes = 848; 848 + 404 = 1252 (10016 bytes) -> 10240 = 1280.
  EXPECT_EQ(caps, (std::vector<size_t>{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 848, 1280}));
  rt_->GC();
  for (size_t i = 0; i + 1 < arrays.size(); ++i) EXPECT_FALSE(Allocated(arrays[i])) << caps[i];
  EXPECT_TRUE(Allocated(arrays.back()));
}

TEST_F(GoroutineTableTest, GStructsSurviveEveryGc) {
  std::vector<size_t> gs;
  for (int i = 0; i < 100; ++i) gs.push_back(Go(i % 2));
  for (size_t g : gs) Exit(g, static_cast<int>(g % 2));
  for (int cycle = 0; cycle < 3; ++cycle) {
    rt_->GC();
    for (size_t g : gs) EXPECT_TRUE(Allocated(table().g_struct(g))) << g;
  }
  // Marked: the 100 g structs and the 128-pointer allgs array.
  EXPECT_EQ(rt_->gc().cycles().back().heap2, 100u * 416 + 1024);
}

TEST_F(GoroutineTableTest, ScannableStackMovesInEightKiBSteps) {
  std::vector<size_t> gs;
  for (int i = 0; i < 3; ++i) gs.push_back(Go(0));
  EXPECT_EQ(rt_->pacer().max_stack_scan(), 0u);
  EXPECT_EQ(table().max_stack_scan_delta(0), 3 * 2048);
  gs.push_back(Go(0));  // 8 KiB of delta: flushed
  EXPECT_EQ(rt_->pacer().max_stack_scan(), 8192u);
  EXPECT_EQ(table().max_stack_scan_delta(0), 0);
  ASSERT_TRUE(rt_->GrowGoroutine(gs[0], 16 << 10, 0).ok());  // +14 KiB
  EXPECT_EQ(rt_->pacer().max_stack_scan(), 8192u + (14 << 10));
}

TEST_F(GoroutineTableTest, NewprocStartsNoCycleOnTheSystemStack) {
  // Get one page short of the first trigger with large objects.
  const uint64_t trigger = rt_->pacer().Trigger().trigger;
  for (int i = 0; i < 59; ++i) ASSERT_TRUE(rt_->Allocate(64 << 10, false, 0).ok());
  ASSERT_TRUE(rt_->Allocate(trigger - rt_->pacer().heap_live() - kPageSize, false, 0).ok());
  ASSERT_EQ(rt_->gc().num_gc(), 0u);
  Go(0);  // refills the 416- and 8-byte classes: heapLive passes the trigger
  EXPECT_GE(rt_->pacer().heap_live(), trigger);
  EXPECT_EQ(rt_->gc().num_gc(), 0u);
  ASSERT_TRUE(rt_->AllocateTransient(1000, false, 0).ok());  // a refill on a user stack
  EXPECT_EQ(rt_->gc().num_gc(), 1u);
}

}  // namespace
}  // namespace go121
}  // namespace thp
