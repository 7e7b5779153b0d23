// The batched allocation API: AllocateTransientRun makes the decisions of
// as many AllocateTransient calls (compared state by state on two runtimes),
// and the held stack roots its objects until DropHeldTo.
#include <memory>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "mheap/go121/mbitmap.h"
#include "mheap/go121/runtime.h"
#include "runtime_port/base/clock.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace go121 {
namespace {

struct World {
  explicit World(int procs) {
    RuntimeOptions o;
    o.gomaxprocs = procs;
    absl::StatusOr<std::unique_ptr<Runtime>> r = Runtime::Create(sim, clock, o);
    EXPECT_TRUE(r.ok()) << r.status();
    rt = *std::move(r);
  }
  SimulatedKernel sim;
  VirtualClock clock{1'000'000'000};
  std::unique_ptr<Runtime> rt;
};

// Everything a later decision can depend on.
void ExpectSameState(Runtime& a, Runtime& b) {
  ASSERT_EQ(a.gc().num_gc(), b.gc().num_gc());
  for (size_t i = 0; i < a.gc().cycles().size(); ++i) {
    const GcCycle& x = a.gc().cycles()[i];
    const GcCycle& y = b.gc().cycles()[i];
    EXPECT_EQ(x.heap0, y.heap0) << i;
    EXPECT_EQ(x.heap1, y.heap1) << i;
    EXPECT_EQ(x.heap2, y.heap2) << i;
    EXPECT_EQ(x.next_goal, y.next_goal) << i;
    EXPECT_EQ(x.next_trigger, y.next_trigger) << i;
  }
  EXPECT_EQ(a.pacer().heap_live(), b.pacer().heap_live());
  EXPECT_EQ(a.pacer().heap_scan(), b.pacer().heap_scan());
  EXPECT_EQ(a.pacer().total_alloc(), b.pacer().total_alloc());
  EXPECT_EQ(a.pacer().total_free(), b.pacer().total_free());
  EXPECT_EQ(a.heap().pages_in_use(), b.heap().pages_in_use());
  EXPECT_EQ(a.heap().stats().heap_released, b.heap().stats().heap_released);
  EXPECT_EQ(a.sweeper().pages_swept(), b.sweeper().pages_swept());
  for (int p = 0; p < a.gomaxprocs(); ++p) {
    const MCache& ca = a.malloc().cache(p);
    const MCache& cb = b.malloc().cache(p);
    EXPECT_EQ(ca.scan_alloc, cb.scan_alloc);
    EXPECT_EQ(ca.tiny, cb.tiny);
    for (int spc = 0; spc < kNumSpanClasses; ++spc) {
      const MSpan* sa = ca.alloc[static_cast<size_t>(spc)];
      const MSpan* sb = cb.alloc[static_cast<size_t>(spc)];
      ASSERT_EQ(sa == nullptr, sb == nullptr) << spc;
      if (sa == nullptr) continue;
      EXPECT_EQ(sa->base(), sb->base()) << spc;
      EXPECT_EQ(sa->alloc_count, sb->alloc_count) << spc;
      EXPECT_EQ(sa->freeindex, sb->freeindex) << spc;
    }
  }
}

TEST(RuntimeBatchTest, TransientRunMakesTheDecisionsOfSingleCalls) {
  World batched(2), single(2);
  std::mt19937 rng(7);
  const uintptr_t sizes[] = {8, 16, 24, 100, 512, 1024, 3000, 9000, 32768, 5, 40000};
  std::vector<uintptr_t> kept_a, kept_b;
  for (int step = 0; step < 300; ++step) {
    const uintptr_t size = sizes[rng() % std::size(sizes)];
    const bool noscan = rng() % 2 == 0;
    const int p = static_cast<int>(rng() % 2);
    const int64_t count = 1 + rng() % 3000;
    ASSERT_TRUE(batched.rt->AllocateTransientRun(size, noscan, p, count).ok());
    for (int64_t i = 0; i < count; ++i) {
      ASSERT_TRUE(single.rt->AllocateTransient(size, noscan, p).ok());
    }
    if (step % 5 == 0) {  // something live between runs
      absl::StatusOr<uintptr_t> a = batched.rt->Allocate(size, noscan, p);
      absl::StatusOr<uintptr_t> b = single.rt->Allocate(size, noscan, p);
      ASSERT_TRUE(a.ok() && b.ok());
      EXPECT_EQ(*a, *b);
      kept_a.push_back(*a);
      kept_b.push_back(*b);
    }
    if (step % 37 == 0 && !kept_a.empty()) {
      ASSERT_TRUE(batched.rt->Drop(kept_a.front()).ok());
      ASSERT_TRUE(single.rt->Drop(kept_b.front()).ok());
      kept_a.erase(kept_a.begin());
      kept_b.erase(kept_b.begin());
    }
    ExpectSameState(*batched.rt, *single.rt);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(batched.rt->gc().num_gc(), 10u);
  batched.rt->heap().CheckInvariants();
}

TEST(RuntimeBatchTest, RunTakesTheCachedSpanInOneStep) {
  World w(1);
  // A first 512-byte object caches a 1-page span of 16 slots.
  absl::StatusOr<uintptr_t> first = w.rt->Allocate(512, false, 0);
  ASSERT_TRUE(first.ok());
  MSpan* s = w.rt->heap().SpanOf(*first);
  ASSERT_TRUE(w.rt->AllocateTransientRun(512, false, 0, 15).ok());
  EXPECT_EQ(s->alloc_count, 16);
  EXPECT_EQ(w.rt->heap().pages_in_use(), 1u);
  // One more refills: a second span.
  ASSERT_TRUE(w.rt->AllocateTransientRun(512, false, 0, 1).ok());
  EXPECT_EQ(w.rt->heap().pages_in_use(), 2u);
  EXPECT_EQ(w.rt->malloc().cache(0).scan_alloc, 512u);  // reset by the refill, then the new one
  EXPECT_TRUE(w.rt->AllocateTransientRun(512, false, 0, 0).ok());
  EXPECT_FALSE(w.rt->AllocateTransientRun(512, false, 0, -1).ok());
  EXPECT_FALSE(w.rt->AllocateTransientRun(512, false, 2, 1).ok());
}

TEST(RuntimeBatchTest, HeldObjectsAreRootsUntilDroppedToAHeight) {
  World w(1);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(w.rt->AllocateHeld(64 << 10, false, 0).ok());
  ASSERT_TRUE(w.rt->AllocateHeld(8, true, 0).ok());
  ASSERT_TRUE(w.rt->AllocateHeld(8, true, 0).ok());  // same tiny block, other address
  absl::StatusOr<uintptr_t> named = w.rt->Allocate(64 << 10, false, 0);
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(w.rt->held_height(), 12u);
  EXPECT_EQ(w.rt->live_objects(), 13u);
  w.rt->GC();
  EXPECT_EQ(w.rt->gc().cycles().back().heap2, 11u * (64 << 10) + 16);
  w.rt->DropHeldTo(4);
  EXPECT_EQ(w.rt->held_height(), 4u);
  EXPECT_EQ(w.rt->live_objects(), 5u);
  w.rt->GC();
  EXPECT_EQ(w.rt->gc().cycles().back().heap2, 5u * (64 << 10));
  EXPECT_EQ(w.rt->heap().pages_in_use(), 5u * 8);
  w.rt->DropHeldTo(10);  // above the top: nothing
  EXPECT_EQ(w.rt->held_height(), 4u);
  w.rt->DropHeldTo(0);
  ASSERT_TRUE(w.rt->Drop(*named).ok());
  w.rt->GC();
  EXPECT_EQ(w.rt->heap().pages_in_use(), 0u);
  EXPECT_EQ(w.rt->live_objects(), 0u);
}

}  // namespace
}  // namespace go121
}  // namespace thp
