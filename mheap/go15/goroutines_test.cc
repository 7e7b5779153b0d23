// The goroutine table through the runtime: what newproc1 allocates, gfree
// reuse, the 64/32 rule between the P lists and the global one, allgs'
// growth, and the GC freeing the stacks of dead goroutines (never their g).
#include "mheap/go15/goroutines.h"

#include "gtest/gtest.h"
#include "mheap/go15/runtime.h"
#include "runtime_port/base/splitmix64.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
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
  // Bytes mallocgc has handed out: heap_live plus what the mcaches have not
  // flushed into it yet.
  uint64_t AllocatedBytes() {
    uint64_t n = rt_->heap().stats().heap_live;
    for (int p = 0; p < rt_->gomaxprocs(); ++p) n += rt_->malloc().cache(p).local_cachealloc;
    return n;
  }
  // Whether the object at x is allocated in its span.
  bool Allocated(uintptr_t x) {
    MSpan* s = rt_->heap().LookupMaybe(x);
    if (s == nullptr || s->state != SpanState::kInUse) return false;
    if (s->sizeclass == 0) return true;
    return s->allocated[(x - s->base()) / s->elemsize];
  }

  SimulatedKernel sim_;
  VirtualClock clock_;
  std::unique_ptr<Runtime> rt_;
};

TEST_F(GoroutineTableTest, ANewGTakesOne384ByteObjectAndOneFixedStack) {
  for (int i = 0; i < 3; ++i) Go(0);
  ASSERT_EQ(table().allgs_cap(), 4u);  // the fourth g fits: no growslice
  const uint64_t bytes = AllocatedBytes();
  const uintptr_t cached = rt_->stacks().CachedBytes(0, 0);
  const size_t g = Go(0);
  EXPECT_EQ(g, 3u);
  EXPECT_EQ(AllocatedBytes() - bytes, 384u);
  MSpan* s = rt_->heap().LookupMaybe(table().g_struct(g));
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->elemsize, 384u);
  EXPECT_EQ(table().stack_bytes(g), 2048u);
  EXPECT_EQ(rt_->stacks().CachedBytes(0, 0), cached - 2048);
  EXPECT_EQ(rt_->heap().Lookup(table().stack_lo(g))->state, SpanState::kStack);
  rt_->heap().CheckInvariants();
}

TEST_F(GoroutineTableTest, ExitAndReuseBeforeAGcAllocateNothing) {
  const size_t g = Go(0);
  const uintptr_t stack = table().stack_lo(g);
  Exit(g, 0);
  EXPECT_EQ(table().local_free(0), 1u);
  const uint64_t bytes = AllocatedBytes();
  const uintptr_t cached = rt_->stacks().CachedBytes(0, 0);
  EXPECT_EQ(Go(0), g);
  EXPECT_EQ(table().stack_lo(g), stack);
  EXPECT_EQ(AllocatedBytes(), bytes);
  EXPECT_EQ(rt_->stacks().CachedBytes(0, 0), cached);
  EXPECT_EQ(table().allglen(), 1u);
}

TEST_F(GoroutineTableTest, AGcFreesDeadStacksAndReuseAllocatesAFreshOne) {
  const size_t live = Go(0);
  const size_t dead = Go(0);
  const uintptr_t live_stack = table().stack_lo(live);
  Exit(dead, 0);
  rt_->GC();
  EXPECT_EQ(table().stack_lo(dead), 0u);
  EXPECT_EQ(table().stack_lo(live), live_stack);
  // The caches were flushed and the dead stack freed; the live one keeps
  // its 32 KiB span.
  EXPECT_EQ(rt_->heap().stats().stacks_inuse, 32u << 10);
  Exit(live, 0);
  rt_->GC();
  EXPECT_EQ(rt_->heap().stats().stacks_inuse, 0u);
  // Reuse (the last g freed is P 0's head) allocates a stack again: a new
  // 32 KiB stack span through a cache refill.
  EXPECT_EQ(Go(0), live);
  EXPECT_NE(table().stack_lo(live), 0u);
  EXPECT_EQ(table().stack_bytes(live), 2048u);
  EXPECT_EQ(rt_->heap().stats().stacks_inuse, 32u << 10);
  EXPECT_EQ(rt_->stacks().CachedBytes(0, 0), 14u << 10);
  // A P with no dead g of its own and an empty global list makes a new one.
  EXPECT_EQ(Go(1), 2u);
  rt_->heap().CheckInvariants();
}

TEST_F(GoroutineTableTest, APHoldsAtMost63DeadGsThenHandsAllButThirtyOneToTheGlobalList) {
  std::vector<size_t> gs;
  for (int i = 0; i < 64; ++i) gs.push_back(Go(0));
  for (int i = 0; i < 63; ++i) Exit(gs[static_cast<size_t>(i)], 0);
  EXPECT_EQ(table().local_free(0), 63u);
  EXPECT_EQ(table().global_free(), 0u);
  Exit(gs[63], 0);
  EXPECT_EQ(table().local_free(0), 31u);
  EXPECT_EQ(table().global_free(), 33u);
  // An empty P takes a batch of 32 from the global list, then one of them.
  const size_t reused = Go(1);
  EXPECT_LT(reused, 64u);
  EXPECT_EQ(table().local_free(1), 31u);
  EXPECT_EQ(table().global_free(), 1u);
  EXPECT_EQ(table().allglen(), 64u);
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
  // growslice doubles below 1024 elements, then adds a quarter, rounding
  // each array to a size class (1024 * 1.25 = 1280 pointers = 10240 bytes,
  // in the 10496-byte class: 1312 pointers).
  EXPECT_EQ(caps, (std::vector<size_t>{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 1312}));
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
    for (size_t g : gs) {
      EXPECT_TRUE(Allocated(table().g_struct(g))) << g;
      EXPECT_EQ(table().stack_lo(g), 0u);
    }
  }
  EXPECT_EQ(rt_->heap().stats().stacks_inuse, 0u);
  rt_->heap().CheckInvariants();
}

TEST_F(GoroutineTableTest, AGrownStackIsCopiedAndFreedAtExit) {
  const size_t g = Go(0);
  ASSERT_TRUE(rt_->GrowGoroutine(g, 4096, 0).ok());
  ASSERT_TRUE(rt_->GrowGoroutine(g, 64 << 10, 0).ok());
  EXPECT_EQ(table().stack_bytes(g), 64u << 10);
  EXPECT_EQ(rt_->heap().Lookup(table().stack_lo(g))->npages, PageCount(8));
  Exit(g, 0);
  // gfput frees a stack that is not 2 KiB at once.
  EXPECT_EQ(table().stack_lo(g), 0u);
  EXPECT_EQ(Go(0), g);
  EXPECT_EQ(table().stack_bytes(g), 2048u);
}

// A stated use grows the stack by doubling (newstack's copystack, each one
// a new stack then the old one freed) until it holds the use; the next GC's
// shrinkstack halves it, once per cycle, while the use is under a quarter,
// never below 2 KiB, and never without a stated use. gc runs with
// m.preemptoff set: the shrink takes its stack from the global pool, not the
// P's cache, and the emptied stack span waits for freeStackSpans.
TEST_F(GoroutineTableTest, AStatedUseGrowsTheStackAndAGcHalvesItWhileUnderAQuarter) {
  const size_t g = Go(0);
  const size_t unknown = Go(0);
  ASSERT_TRUE(rt_->GrowGoroutine(unknown, 8192, 0).ok());
  ASSERT_TRUE(rt_->SetGoroutineStackUse(g, 4700, 0, 0).ok());
  EXPECT_EQ(table().stack_bytes(g), 8192u);
  EXPECT_EQ(table().stack_use(g), 4700u);
  // 8 KiB holds 4700: a second call changes nothing.
  const uintptr_t lo = table().stack_lo(g);
  ASSERT_TRUE(rt_->SetGoroutineStackUse(g, 8192, 0, 0).ok());
  EXPECT_EQ(table().stack_lo(g), lo);
  // A use of at least a quarter keeps the stack: a quarter of stack.hi -
  // stack.lo, which stackalloc sets below 64 bytes of stack-barrier records
  // on 8 KiB (2032 of 8128).
  EXPECT_EQ(StackBarrierBytes(2048), 32u);
  EXPECT_EQ(StackBarrierBytes(4096), 48u);
  EXPECT_EQ(StackBarrierBytes(8192), 64u);
  ASSERT_TRUE(rt_->SetGoroutineStackUse(g, 2032, 0, 0).ok());
  rt_->GC();
  EXPECT_EQ(table().stack_bytes(g), 8192u);
  EXPECT_EQ(table().stack_lo(g), lo);
  // Under a quarter: one halving per cycle (1496 is runN's use at its
  // runtime.GC in go1.5.1), until the half would be under 2 KiB... or the
  // use reaches the quarter: at 4 KiB, 1496 is over 1024.
  ASSERT_TRUE(rt_->SetGoroutineStackUse(g, 1496, 0, 0).ok());
  const uintptr_t cached4k = rt_->stacks().CachedBytes(0, 1);
  rt_->GC();
  EXPECT_EQ(table().stack_bytes(g), 4096u);
  EXPECT_EQ(rt_->stacks().CachedBytes(0, 1), cached4k);  // not from P 0's cache
  rt_->GC();
  EXPECT_EQ(table().stack_bytes(g), 4096u);
  ASSERT_TRUE(rt_->SetGoroutineStackUse(g, 100, 0, 0).ok());
  rt_->GC();
  EXPECT_EQ(table().stack_bytes(g), 2048u);
  rt_->GC();
  EXPECT_EQ(table().stack_bytes(g), 2048u);
  // No stated use: never shrunk.
  EXPECT_EQ(table().stack_bytes(unknown), 8192u);
  // A reused g starts with no stated use.
  Exit(g, 0);
  EXPECT_EQ(Go(0), g);
  EXPECT_EQ(table().stack_use(g), 0u);
  EXPECT_EQ(rt_->SetGoroutineStackUse(g, (uintptr_t{1} << 30) + 1, 0, 0).code(),
            absl::StatusCode::kInvalidArgument);
  rt_->heap().CheckInvariants();
}

// The shrink at mark termination frees the old stack into the pool while
// the GC runs, so its emptied span goes back to the heap in freeStackSpans
// (before the sweep), and the regrowth after the GC takes a fresh span: the
// launch goroutine of go1.5.1's BenchmarkCopy1Byte, whose log shows one
// stack span freed in each runN's mark termination and one allocated after.
TEST_F(GoroutineTableTest, AShrinkEmptiesItsStackSpanWithinTheCycle) {
  const size_t g = Go(0);
  ASSERT_TRUE(rt_->SetGoroutineStackUse(g, 4700, 0, 0).ok());
  rt_->ReadMemStats();  // StopTimer: the P's caches back to the pools
  const uint64_t before = rt_->heap().stats().stacks_inuse;
  ASSERT_TRUE(rt_->SetGoroutineStackUse(g, 1496, 0, 0).ok());
  rt_->GC();
  // The 8 KiB stack's span is gone; a span for the 4 KiB one came.
  EXPECT_EQ(table().stack_bytes(g), 4096u);
  EXPECT_EQ(rt_->stacks().QueuedSpans(), 0u);
  EXPECT_EQ(rt_->stacks().PoolSpans(2), 0u);
  EXPECT_EQ(rt_->heap().stats().stacks_inuse, before);
  rt_->heap().CheckInvariants();
}

// A ramp (a recursion in every op of a loop): shrinkstack reads the use
// where the op is when the cycle runs, here one byte per nanosecond into a
// period of 1 ms from the ramp's start, shifted by the place each cycle's
// end drew. Under a quarter of stack.hi - stack.lo the stack halves, and
// as the world restarts the op's descent doubles it back (a new 1 MiB
// stack); at a quarter it stays.
TEST_F(GoroutineTableTest, ARampedStackShrinksOnlyWhereItsOpIsUnderAQuarterAndGrowsBack) {
  const size_t g = Go(0);
  constexpr int64_t kStart = 5000000;
  clock_.Set(kStart);
  constexpr int64_t kPeriod = 1000000;
  ASSERT_TRUE(rt_->SetGoroutineStackRamp(g, 1000000, kPeriod, 0, 0).ok());
  EXPECT_EQ(table().stack_bytes(g), 1u << 20);  // grown to hold the top
  const int64_t quarter = static_cast<int64_t>(((1u << 20) - StackBarrierBytes(1u << 20)) / 4);
  // The moment in op `ops` at which g is `into` its op.
  const auto at = [&](int64_t ops, int64_t into) {
    const int64_t shift = ((into - table().ramp_phase_ns(g)) % kPeriod + kPeriod) % kPeriod;
    return kStart + ops * kPeriod + shift;
  };
  uintptr_t lo = table().stack_lo(g);
  // Three ops on, at a quarter (no cycle has drawn a place yet): kept.
  EXPECT_EQ(table().ramp_phase_ns(g), 0);
  clock_.Set(kStart + 3 * kPeriod + quarter);
  rt_->GC();
  EXPECT_EQ(table().stack_lo(g), lo);
  // A byte shallower: halved, then grown back to 1 MiB elsewhere.
  clock_.Set(at(4, quarter - 1));
  rt_->GC();
  EXPECT_EQ(table().stack_bytes(g), 1u << 20);
  EXPECT_NE(table().stack_lo(g), lo);
  // Deep in an op: kept.
  lo = table().stack_lo(g);
  clock_.Set(at(7, kPeriod * 3 / 4));
  rt_->GC();
  EXPECT_EQ(table().stack_lo(g), lo);
  // A stated use ends the ramp: 200000 is under a quarter of 1 MiB, and
  // nothing grows it back.
  ASSERT_TRUE(rt_->SetGoroutineStackUse(g, 200000, 0, 0).ok());
  rt_->GC();
  EXPECT_EQ(table().stack_bytes(g), 1u << 19);
  // A reused g has no ramp.
  ASSERT_TRUE(rt_->SetGoroutineStackRamp(g, 1000000, kPeriod, 0, 0).ok());
  Exit(g, 0);
  EXPECT_EQ(Go(0), g);
  rt_->GC();
  EXPECT_EQ(table().stack_bytes(g), 2048u);  // gfput kept no grown stack
  EXPECT_EQ(rt_->SetGoroutineStackRamp(g, 4096, 0, 0, 0).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(rt_->SetGoroutineStackRamp(g, (uintptr_t{1} << 30) + 1, 10, 0, 0).code(),
            absl::StatusCode::kInvalidArgument);
  rt_->heap().CheckInvariants();
}

// Two gs on the same ramp, started together, as StackGrowthDeep's workers
// are: each cycle's end puts each at its own drawn place in its op
// (kRampPhaseSeed), so the next cycle's shrinkstack halves both, one or
// neither. Without the draws both would sit at one place, every cycle.
TEST_F(GoroutineTableTest, RampedGsResumeAtTheirOwnPlacesAfterEachCycle) {
  const size_t gs[2] = {Go(0), Go(1)};
  constexpr int64_t kPeriod = 1000000;
  constexpr uintptr_t kTop = 1000000;  // one byte a nanosecond
  clock_.Set(kPeriod);
  ASSERT_TRUE(rt_->SetGoroutineStackRamp(gs[0], kTop, kPeriod, 0, 0).ok());
  ASSERT_TRUE(rt_->SetGoroutineStackRamp(gs[1], kTop, kPeriod, 0, 1).ok());
  const int64_t quarter = static_cast<int64_t>(((1u << 20) - StackBarrierBytes(1u << 20)) / 4);
  SplitMix64 draws(kRampPhaseSeed);
  int cycles_halving[3] = {0, 0, 0};  // cycles due to halve neither, one, both
  for (int cycle = 1; cycle <= 40; ++cycle) {
    const int64_t now = kPeriod + cycle * 40 * kPeriod;  // 40 ops between cycles
    int due = 0;
    uintptr_t lo[2];
    for (int i = 0; i < 2; ++i) {
      lo[i] = table().stack_lo(gs[i]);
      // Where the g is in its op at `now`, from its drawn place.
      const int64_t into = (now - kPeriod + table().ramp_phase_ns(gs[i])) % kPeriod;
      due += into < quarter;
    }
    clock_.Set(now);
    rt_->GC();
    ++cycles_halving[due];
    for (int i = 0; i < 2; ++i) {
      // Halved or not, the stack is whole again as the world restarts; one
      // not due to halve was left where it was.
      EXPECT_EQ(table().stack_bytes(gs[i]), 1u << 20);
      // Each g now sits where the seed's next draw put it, in allgs order.
      EXPECT_EQ(table().ramp_phase_ns(gs[i]), static_cast<int64_t>(draws.NextUnit() * kPeriod));
    }
    if (due == 0) {
      EXPECT_EQ(table().stack_lo(gs[0]), lo[0]);
      EXPECT_EQ(table().stack_lo(gs[1]), lo[1]);
    }
  }
  // The first cycle finds both at their op's start (due); after it, every
  // outcome comes.
  EXPECT_GT(cycles_halving[0], 0);
  EXPECT_GT(cycles_halving[1], 0);
  EXPECT_GT(cycles_halving[2], 0);
  rt_->heap().CheckInvariants();
}

// The frames a GC's scan walks (GcModel::CycleNs): a stated use over its
// stated frame size, a ramp's where its op is; nothing for a use or ramp
// without a frame size, for an exited g, or for a g that reuses one.
TEST_F(GoroutineTableTest, StackFramesCountTheStatedRecursionsOfTheRunningGs) {
  const size_t deep = Go(0);
  const size_t ramped = Go(0);
  const size_t unstated = Go(0);
  EXPECT_EQ(table().StackFrames(0), 0u);
  ASSERT_TRUE(rt_->SetGoroutineStackUse(deep, 24000 + 512, 24, 0).ok());
  ASSERT_TRUE(rt_->SetGoroutineStackUse(unstated, 50000, 0, 0).ok());
  EXPECT_EQ(table().StackFrames(0), (24000u + 512) / 24);
  clock_.Set(1000000);
  ASSERT_TRUE(rt_->SetGoroutineStackRamp(ramped, 104000, 1000000, 1040, 0).ok());
  // A quarter into an op: 26,000 bytes, 25 frames of 1040.
  EXPECT_EQ(table().StackFrames(1250000), (24000u + 512) / 24 + 25);
  Exit(deep, 0);
  EXPECT_EQ(table().StackFrames(1250000), 25u);
  EXPECT_EQ(Go(0), deep);
  EXPECT_EQ(table().StackFrames(1250000), 25u);
  EXPECT_EQ(rt_->SetGoroutineStackUse(ramped, 4096, (uintptr_t{1} << 30) + 1, 0).code(),
            absl::StatusCode::kInvalidArgument);
  rt_->heap().CheckInvariants();
}

TEST_F(GoroutineTableTest, BadGoroutineCallsFailCleanly) {
  EXPECT_EQ(rt_->NewGoroutine(2).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(rt_->ExitGoroutine(0, 0).code(), absl::StatusCode::kNotFound);
  const size_t g = Go(0);
  EXPECT_EQ(rt_->GrowGoroutine(g, 3000, 0).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(rt_->GrowGoroutine(g, 4096, -1).code(), absl::StatusCode::kInvalidArgument);
  Exit(g, 0);
  EXPECT_EQ(rt_->ExitGoroutine(g, 0).message(), "exit of goroutine 0: not running");
  EXPECT_EQ(rt_->GrowGoroutine(g, 4096, 0).code(), absl::StatusCode::kNotFound);
  rt_->heap().CheckInvariants();
}

// allocm's objects (go1.5.1 proc1.go): an m struct of the 1152-byte class,
// then gsignal (a g struct and a 32 KiB stack, a span of its own), then g0
// (a g struct and an 8 KiB stack from the P's cache). The M comes at the
// armed background cycle only (a forced one does not count), and allm keeps
// everything through later cycles.
TEST_F(GoroutineTableTest, AnArmedNewMComesAtItsBackgroundCycleAndStays) {
  rt_->gc().ArmNewM(2, NewMAt::kCycleEnd);
  rt_->GC();
  rt_->gc().StartGC(GcMode::kBackground, /*force_trigger=*/true);
  EXPECT_TRUE(table().allm().empty());
  const uint64_t bytes = AllocatedBytes();
  rt_->GC();  // forced: still waiting for the second background cycle
  EXPECT_TRUE(table().allm().empty());
  rt_->gc().StartGC(GcMode::kBackground, /*force_trigger=*/true);
  ASSERT_EQ(table().allm().size(), 1u);
  EXPECT_EQ(rt_->gc().new_ms(), 1);
  const GoroutineTable::M& m = table().allm()[0];
  EXPECT_EQ(rt_->heap().Lookup(m.m)->elemsize, 1152u);
  EXPECT_EQ(rt_->heap().Lookup(m.gsignal)->elemsize, 384u);
  EXPECT_EQ(rt_->heap().Lookup(m.g0)->elemsize, 384u);
  const MSpan* gsignal_stack = rt_->heap().Lookup(m.gsignal_stack);
  EXPECT_EQ(gsignal_stack->state, SpanState::kStack);
  EXPECT_EQ(gsignal_stack->base(), m.gsignal_stack);
  EXPECT_EQ(gsignal_stack->npages.raw(), 4u);
  const MSpan* g0_stack = rt_->heap().Lookup(m.g0_stack);
  EXPECT_EQ(g0_stack->state, SpanState::kStack);
  EXPECT_EQ(g0_stack->elemsize, 8192u);  // a pool span of 8 KiB stacks
  // allocm's order: gsignal (g, then stack) before g0 (g, then stack).
  EXPECT_LT(m.gsignal, m.g0);
  EXPECT_LT(m.gsignal_stack, m.g0_stack);
  // g0's stack came through P 0's stack cache: its refill took 16 KiB.
  EXPECT_EQ(rt_->stacks().CachedBytes(0, 2), 8192u);
  EXPECT_EQ(AllocatedBytes() - bytes, 1152u + 2 * 384u);
  // Made after the cycle's mark: that cycle did not count it.
  const uint64_t marked_before = rt_->gc().cycles().back().heap2;
  rt_->GC();
  EXPECT_EQ(rt_->gc().cycles().back().heap2, marked_before + 1152 + 2 * 384);
  EXPECT_TRUE(Allocated(m.m) && Allocated(m.gsignal) && Allocated(m.g0));
  EXPECT_EQ(rt_->heap().Lookup(m.gsignal_stack)->state, SpanState::kStack);
  // Nothing is armed any more.
  rt_->gc().StartGC(GcMode::kBackground, /*force_trigger=*/true);
  EXPECT_EQ(table().allm().size(), 1u);
  rt_->heap().CheckInvariants();
}

// Requests queue, each counted from its own arming; one whose cycle has not
// come stays pending.
TEST_F(GoroutineTableTest, ArmedMsQueueAndWaitForTheirCycles) {
  rt_->gc().ArmNewM(2, NewMAt::kCycleEnd);
  rt_->gc().ArmNewM(1, NewMAt::kCycleEnd);
  rt_->gc().ArmNewM(3, NewMAt::kCycleStart);
  rt_->gc().StartGC(GcMode::kBackground, /*force_trigger=*/true);
  EXPECT_EQ(table().allm().size(), 1u);
  rt_->gc().ArmNewM(1, NewMAt::kCycleStart);  // the second cycle's start
  EXPECT_EQ(rt_->gc().pending_new_ms(), 3u);
  rt_->gc().StartGC(GcMode::kBackground, /*force_trigger=*/true);
  EXPECT_EQ(table().allm().size(), 3u);
  rt_->gc().StartGC(GcMode::kBackground, /*force_trigger=*/true);
  EXPECT_EQ(table().allm().size(), 4u);
  EXPECT_EQ(rt_->gc().pending_new_ms(), 0u);
  EXPECT_EQ(rt_->gc().new_ms(), 4);
}

// At a cycle's start the M is made before the mark, which counts it.
TEST_F(GoroutineTableTest, AnMAtACyclesStartIsMarkedByThatCycle) {
  rt_->GC();
  const uint64_t marked_before = rt_->gc().cycles().back().heap2;
  rt_->gc().ArmNewM(1, NewMAt::kCycleStart);
  rt_->gc().StartGC(GcMode::kBackground, /*force_trigger=*/true);
  ASSERT_EQ(table().allm().size(), 1u);
  // The first background cycle also makes backgroundgc and a mark worker
  // per P: three g structs more, and allgs grows from nothing to 4 slots.
  EXPECT_EQ(rt_->gc().cycles().back().heap2, marked_before + 1152 + 2 * 384 + 3 * 384 + 32);
}

}  // namespace
}  // namespace thp
