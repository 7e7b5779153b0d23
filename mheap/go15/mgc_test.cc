// The GC model: when cycles start (GOGC pacing), what they free, and when
// spans go back to the heap (all at once after a forced GC, lazily after a
// background one).
#include "mheap/go15/mgc.h"

#include <cmath>
#include <vector>

#include "absl/container/btree_set.h"
#include "gtest/gtest.h"
#include "mheap/go15/msize.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

class Live final : public RootSet {
 public:
  void ForEachLive(const std::function<void(uintptr_t)>& mark) const override {
    for (uintptr_t a : set) mark(a);
  }
  absl::btree_set<uintptr_t> set;
};

class GcTest : public ::testing::Test {
 protected:
  explicit GcTest(int gogc = 100)
      : mem_(sim_, *MakeHugePagePolicy("fixed")),
        heap_(mem_, clock_, 2),
        stacks_(heap_, 2),
        gc_(heap_, stacks_, live_, gogc),
        malloc_(heap_, gc_, gc_, 2) {
    gc_.set_malloc(&malloc_);
  }
  uintptr_t New(uintptr_t size, bool keep, int p = 0) {
    uintptr_t x = malloc_.MallocGC(size, /*noscan=*/false, p);
    if (keep) live_.set.insert(x);
    return x;
  }

  SimulatedKernel sim_;
  MemLinux mem_;
  VirtualClock clock_;
  MHeap heap_;
  StackAllocator stacks_;
  Live live_;
  GcModel gc_;
  Malloc malloc_;
};

TEST_F(GcTest, FirstCycleStartsAtTheFourMiBMinimumOnARefill) {
  EXPECT_EQ(heap_.stats().next_gc, 4u << 20);
  int n = 0;
  while (gc_.cycles().empty()) {
    New(1024, /*keep=*/true);
    ASSERT_LT(++n, 10000);
  }
  const GcCycle& c = gc_.cycles()[0];
  EXPECT_EQ(c.mode, GcMode::kBackground);
  EXPECT_GE(c.heap0, 4u << 20);
  // Everything was kept, including the object whose refill started the
  // cycle (the allocating goroutine holds it).
  EXPECT_EQ(c.heap2, static_cast<uint64_t>(n) * 1024);
  // next_gc = reachable * (1 + ratio), at least heap_live + 1 MiB.
  EXPECT_GE(heap_.stats().next_gc, c.heap2 + (1u << 20));
  EXPECT_GE(gc_.trigger_ratio(), 0.0);
  EXPECT_LE(gc_.trigger_ratio(), 0.95);
  heap_.CheckInvariants();
}

TEST_F(GcTest, ForcedCycleSweepsEverythingAtOnce) {
  // 500 objects of 4 KiB (2 MB, below the first trigger) in 250 one-page spans.
  std::vector<uintptr_t> objs;
  for (int i = 0; i < 500; ++i) objs.push_back(New(4096, /*keep=*/i == 0));
  ASSERT_TRUE(gc_.cycles().empty());
  EXPECT_EQ(heap_.stats().heap_inuse, 250 * kPageSize);
  gc_.StartGC(GcMode::kForceBlock, false);
  EXPECT_TRUE(gc_.sweepdone());
  EXPECT_EQ(heap_.stats().heap_inuse, kPageSize);  // only the span of the kept object
  EXPECT_EQ(heap_.stats().heap_live, 4096u);
  EXPECT_NE(heap_.LookupMaybe(objs[0]), nullptr);
  EXPECT_EQ(heap_.LookupMaybe(objs[499]), nullptr);
  heap_.CheckInvariants();
}

TEST_F(GcTest, BackgroundCycleLeavesSweepingForLater) {
  for (int i = 0; i < 500; ++i) New(4096, /*keep=*/false);
  ASSERT_TRUE(gc_.cycles().empty());
  const uint64_t inuse_before = heap_.stats().heap_inuse;
  gc_.StartGC(GcMode::kBackground, /*force_trigger=*/true);
  EXPECT_FALSE(gc_.sweepdone());
  EXPECT_EQ(heap_.stats().heap_inuse, inuse_before);  // nothing freed yet
  EXPECT_EQ(gc_.BackgroundSweep(10), 10);
  EXPECT_LT(heap_.stats().heap_inuse, inuse_before);
  gc_.BackgroundSweep(1 << 20);
  EXPECT_TRUE(gc_.sweepdone());
  EXPECT_EQ(heap_.stats().heap_inuse, 0u);
  heap_.CheckInvariants();
}

TEST_F(GcTest, BgSweepsClaimedSpanIsPassedByAndSweptLater) {
  // 500 objects of 4 KiB in 250 one-page spans, every fourth object kept:
  // spans whose first object is kept stay in use, the others go back.
  for (int i = 0; i < 500; ++i) New(4096, /*keep=*/i % 4 == 0);
  gc_.StartGC(GcMode::kBackground, /*force_trigger=*/true);
  const MSpan* claimed = gc_.ClaimSweepOne();
  ASSERT_NE(claimed, nullptr);
  EXPECT_TRUE(gc_.has_claim());
  EXPECT_EQ(gc_.ClaimSweepOne(), claimed);  // the same until swept
  const bool frees = gc_.SweepFreesSpan(*claimed);
  const uintptr_t base = claimed->base();
  // The program's sweeping passes the claimed span by (go1.5.1: its
  // sweepgen is sweepgen-1); then only the claim is left.
  gc_.BackgroundSweep(1 << 20);
  EXPECT_FALSE(gc_.sweepdone());
  EXPECT_NE(heap_.LookupMaybe(base), nullptr);  // still in use
  EXPECT_EQ(gc_.SweepClaimed(), frees ? 1u : 0u);
  EXPECT_TRUE(gc_.sweepdone());
  EXPECT_EQ(gc_.ClaimSweepOne(), nullptr);
  heap_.CheckInvariants();
}

TEST_F(GcTest, SweepFreesSpanTellsWhichSpansGoBack) {
  // One-page spans of two 4 KiB objects: both dropped, one kept, or both.
  for (int i = 0; i < 300; ++i) New(4096, /*keep=*/(i % 6 == 1) || (i % 6 >= 4));
  gc_.StartGC(GcMode::kBackground, /*force_trigger=*/true);
  int freed = 0, kept = 0;
  while (const MSpan* s = gc_.ClaimSweepOne()) {
    const bool frees = gc_.SweepFreesSpan(*s);
    EXPECT_EQ(gc_.SweepClaimed() != 0, frees);
    ++(frees ? freed : kept);
  }
  EXPECT_EQ(freed, 50);  // the pairs of objects 2 and 3 of every six
  EXPECT_EQ(kept, 100);
  heap_.CheckInvariants();
}

TEST_F(GcTest, ACycleSweepsTheClaimedSpanFirst) {
  for (int i = 0; i < 500; ++i) New(4096, /*keep=*/false);
  gc_.StartGC(GcMode::kBackground, /*force_trigger=*/true);
  ASSERT_NE(gc_.ClaimSweepOne(), nullptr);
  // gc() finishes the last cycle's sweep before its own: bgsweep's span
  // too, whose sweepone ran without preemption in Go.
  gc_.StartGC(GcMode::kForceBlock, false);
  EXPECT_FALSE(gc_.has_claim());
  EXPECT_TRUE(gc_.sweepdone());
  EXPECT_EQ(heap_.stats().heap_inuse, 0u);
  heap_.CheckInvariants();
}

TEST(BgSweepSpanNsTest, ASpanTakesItsTermsTime) {
  const SizeClasses& t = GetSizeClasses();
  MSpan small;
  small.sizeclass = 1;  // 8-byte objects: 1,024 slots in one page
  small.npages = PageCount(1);
  ASSERT_EQ(t.ObjectsPerSpan(1), 1024u);
  EXPECT_EQ(BgSweepSpanNs(small), kBgSweepNsPerSpan + std::llround(kBgSweepNsPerObject * 1024));
  MSpan large;  // one object over three pages
  large.npages = PageCount(3);
  EXPECT_EQ(BgSweepSpanNs(large),
            kBgSweepNsPerSpan + std::llround(kBgSweepNsPerObject) + 3 * kBgSweepNsPerLargePage);
  // More slots, more time.
  MSpan sixteen;
  sixteen.sizeclass = 2;
  sixteen.npages = PageCount(1);
  EXPECT_LT(BgSweepSpanNs(sixteen), BgSweepSpanNs(small));
}

// The runtime's own work on a machine set_cpu_scale times as slow as the
// recorded run's: a cycle's length and bgsweep's time per span scale, to
// the nanosecond; at scale 1 they are the constants' own.
TEST_F(GcTest, TheRuntimesWorkTakesTheMachinesScale) {
  MSpan span;
  span.sizeclass = 1;
  span.npages = PageCount(1);
  // No goroutine table, chain links or frames: the base alone.
  EXPECT_EQ(gc_.CycleNs(GcMode::kBackground), kBackgroundCycleNs);
  EXPECT_EQ(gc_.CycleNs(GcMode::kForceBlock), kBlockingCycleNs);
  EXPECT_EQ(gc_.BgSweepNs(span), BgSweepSpanNs(span));
  gc_.set_cpu_scale(0.57);
  EXPECT_EQ(gc_.cpu_scale(), 0.57);
  EXPECT_EQ(gc_.CycleNs(GcMode::kBackground), std::llround(kBackgroundCycleNs * 0.57));
  EXPECT_EQ(gc_.CycleNs(GcMode::kForceBlock), std::llround(kBlockingCycleNs * 0.57));
  EXPECT_EQ(gc_.BgSweepNs(span), std::llround(static_cast<double>(BgSweepSpanNs(span)) * 0.57));
  gc_.set_cpu_scale(2);
  EXPECT_EQ(gc_.CycleNs(GcMode::kBackground), 2 * kBackgroundCycleNs);
}

// gcBlackenPromptly (go1.5.1 mgc.go gc(), malloc.go mallocgc): once the
// background mark's work is done and until mark termination, what mallocgc
// returns is allocated black. Garbage allocated before that point is
// swept; garbage allocated after it survives the cycle and counts in the
// bytes it marked. A tiny object counts as its new 16-byte block (after a
// cycle go1.5.1's tiny allocator adopts no block, so each takes its own).
TEST_F(GcTest, WhatTheProgramAllocatesAfterTheMarksWorkIsAllocatedBlack) {
  gc_.set_concurrent_mark(true);
  gc_.StartGC(GcMode::kBackground, /*force_trigger=*/true);
  ASSERT_TRUE(gc_.marking());
  std::vector<uintptr_t> white, black;
  for (int i = 0; i < 3; ++i) white.push_back(New(1024, /*keep=*/false));
  EXPECT_FALSE(gc_.blacken_promptly());
  clock_.Set(gc_.mark_end_ns() - 1);
  EXPECT_FALSE(gc_.blacken_promptly());
  clock_.Set(gc_.mark_end_ns());
  EXPECT_TRUE(gc_.blacken_promptly());
  EXPECT_TRUE(gc_.SeesEachObject());  // a batched run hands over each object
  for (int i = 0; i < 5; ++i) black.push_back(New(1024, /*keep=*/false));
  black.push_back(malloc_.MallocGC(8, /*noscan=*/true, 0));
  gc_.FinishMark();
  EXPECT_FALSE(gc_.blacken_promptly());
  ASSERT_EQ(gc_.cycles().size(), 1u);
  EXPECT_EQ(gc_.cycles()[0].heap2, 5u * 1024 + 16);
  gc_.BackgroundSweep(1 << 20);
  ASSERT_TRUE(gc_.sweepdone());
  const auto allocated = [this](uintptr_t x) {
    const MSpan* s = heap_.LookupMaybe(x);
    return s != nullptr && s->state == SpanState::kInUse &&
           s->allocated[(x - s->base()) / s->elemsize];
  };
  for (uintptr_t x : white) EXPECT_FALSE(allocated(x));
  for (uintptr_t x : black) EXPECT_TRUE(allocated(x));
  // The next cycle finds them unreachable.
  gc_.StartGC(GcMode::kForceBlock, false);
  for (uintptr_t x : black) EXPECT_FALSE(allocated(x));
  heap_.CheckInvariants();
}

TEST_F(GcTest, DeadLargeObjectsGoBackWhenSwept) {
  const uintptr_t keep = New(100000, true);
  const uintptr_t drop = New(200000, false);
  EXPECT_EQ(heap_.stats().heap_objects, 2u);
  gc_.StartGC(GcMode::kForceBlock, false);
  EXPECT_EQ(heap_.stats().heap_objects, 1u);
  EXPECT_NE(heap_.LookupMaybe(keep), nullptr);
  EXPECT_EQ(heap_.LookupMaybe(drop), nullptr);
  heap_.CheckInvariants();
}

TEST_F(GcTest, AllocatingAfterABackgroundCycleSweepsThroughReclaim) {
  for (int i = 0; i < 300; ++i) New(100000, false);  // 13-page large objects
  gc_.StartGC(GcMode::kBackground, true);
  const uint64_t sys = heap_.stats().heap_sys;
  // A new 13-page object: mHeap_Alloc_m reclaims from busy[13] first, so the
  // heap does not grow.
  New(100000, false);
  EXPECT_EQ(heap_.stats().heap_sys, sys);
  heap_.CheckInvariants();
}

TEST_F(GcTest, TheTinyBlockIsDroppedAtEveryCycle) {
  malloc_.cache(0).tiny = 0x1234;
  gc_.StartGC(GcMode::kForceBlock, false);
  EXPECT_EQ(malloc_.cache(0).tiny, 0u);
}

class GcOffTest : public GcTest {
 protected:
  GcOffTest() : GcTest(-1) {}
};

TEST_F(GcOffTest, GogcOffNeverCollects) {
  for (int i = 0; i < 10000; ++i) New(1024, false);
  gc_.StartGC(GcMode::kForceBlock, false);
  EXPECT_TRUE(gc_.cycles().empty());
  EXPECT_GE(heap_.stats().heap_inuse, 10000u * 1024);
}

}  // namespace
}  // namespace thp
