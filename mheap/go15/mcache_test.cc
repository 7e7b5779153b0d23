// The malloc path of Go 1.5: size-class spans filled in address order,
// refills through the central lists, per-P caches, large objects, the tiny
// allocator as Go 1.5 actually behaves, and spans going back to the heap
// when their last object is freed.
#include "mheap/go15/mcache.h"

#include "gtest/gtest.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

class NoSweep final : public SpanSweeper {
 public:
  void DeductSweepCredit(uintptr_t, uintptr_t) override { ++credits; }
  bool Sweep(MSpan*, bool) override {
    ADD_FAILURE() << "nothing needs sweeping without a GC cycle";
    return false;
  }
  int credits = 0;
};

class CountTrigger final : public GcTrigger {
 public:
  void AfterMalloc(bool shouldhelpgc, uintptr_t) override {
    ++mallocs;
    helps += shouldhelpgc;
  }
  int mallocs = 0;
  int helps = 0;
};

class MallocTest : public ::testing::Test {
 protected:
  MallocTest()
      : mem_(sim_, *MakeHugePagePolicy("fixed")),
        heap_(mem_, clock_, 2),
        malloc_(heap_, sweeper_, trigger_, 2) {}

  SimulatedKernel sim_;
  MemLinux mem_;
  VirtualClock clock_;
  MHeap heap_;
  NoSweep sweeper_;
  CountTrigger trigger_;
  Malloc malloc_;
};

TEST_F(MallocTest, SmallObjectsFillASpanInAddressOrderThenRefill) {
  const int cls = GetSizeClasses().SizeToClass(64);
  const uintptr_t first = malloc_.MallocGC(64, false, 0);
  for (uintptr_t i = 1; i < 128; ++i) EXPECT_EQ(malloc_.MallocGC(64, false, 0), first + 64 * i);
  EXPECT_EQ(trigger_.helps, 1);  // only the refill asks whether to start a GC
  MSpan* s = heap_.LookupMaybe(first);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->sizeclass, cls);
  EXPECT_EQ(s->ref, 128);
  const uintptr_t next = malloc_.MallocGC(64, false, 0);  // span full: refill
  EXPECT_NE(heap_.LookupMaybe(next), s);
  EXPECT_EQ(trigger_.helps, 2);
  EXPECT_EQ(malloc_.cache(0).local_cachealloc, 129u * 64);
  heap_.CheckInvariants();
}

TEST_F(MallocTest, EachPHasItsOwnSpans) {
  const uintptr_t a = malloc_.MallocGC(48, true, 0);
  const uintptr_t b = malloc_.MallocGC(48, true, 1);
  EXPECT_NE(heap_.LookupMaybe(a), heap_.LookupMaybe(b));
}

TEST_F(MallocTest, ReleasedCachedSpansAreReusedFirst) {
  const uintptr_t a = malloc_.MallocGC(1024, false, 0);
  malloc_.ReleaseAll(0);  // mark termination flushes the caches
  MCentral& c = malloc_.central(GetSizeClasses().SizeToClass(1024));
  EXPECT_EQ(c.NonEmptyCount(), 1u);
  const uintptr_t b = malloc_.MallocGC(1024, false, 1);  // another P takes the same span
  EXPECT_EQ(b, a + 1024);
  EXPECT_EQ(c.NonEmptyCount(), 0u);
}

TEST_F(MallocTest, LargeObjectsGetWholePages) {
  const uint64_t live = heap_.stats().heap_live;
  const uintptr_t x = malloc_.MallocGC(40000, true, 0);
  MSpan* s = heap_.LookupMaybe(x);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->npages, PageCount(5));
  EXPECT_EQ(s->limit, x + 40000);
  EXPECT_EQ(s->elemsize, 5 * kPageSize);
  EXPECT_EQ(heap_.stats().heap_live - live, 5 * kPageSize);
  EXPECT_EQ(heap_.stats().heap_objects, 1u);
  EXPECT_EQ(trigger_.helps, 1);
  EXPECT_EQ(sweeper_.credits, 1);  // deductSweepCredit before every large alloc
}

TEST_F(MallocTest, ZeroBytesAllShareZerobase) {
  EXPECT_EQ(malloc_.MallocGC(0, true, 0), Malloc::kZeroBase);
  EXPECT_EQ(trigger_.mallocs, 0);
}

TEST_F(MallocTest, Go15TinyAllocatorNeverAdoptsABlock) {
  // With c.tiny == nil and tinyoffset == 0, Go 1.5's "size < tinyoffset"
  // never holds, so every tiny object takes a 16-byte block of its own.
  const uintptr_t a = malloc_.MallocGC(8, true, 0);
  const uintptr_t b = malloc_.MallocGC(8, true, 0);
  const uintptr_t c = malloc_.MallocGC(2, true, 0);
  EXPECT_EQ(b, a + 16);
  EXPECT_EQ(c, a + 32);
  EXPECT_EQ(malloc_.cache(0).tiny, 0u);
  EXPECT_EQ(malloc_.cache(0).local_tinyallocs, 0u);
  EXPECT_EQ(malloc_.cache(0).local_cachealloc, 3u * 16);
  // Pointerful 8-byte objects are not tiny: class 1.
  EXPECT_EQ(heap_.LookupMaybe(malloc_.MallocGC(8, false, 0))->sizeclass, 1);
}

TEST_F(MallocTest, NeedsRefillSaysWhetherTheNextMallocTakesASpan) {
  EXPECT_FALSE(malloc_.NeedsRefill(0, true, 0));  // &zerobase
  EXPECT_TRUE(malloc_.NeedsRefill(64, false, 0));  // nothing cached yet
  malloc_.MallocGC(64, false, 0);
  for (int i = 1; i < 128; ++i) {
    EXPECT_FALSE(malloc_.NeedsRefill(64, false, 0)) << i;
    malloc_.MallocGC(64, false, 0);
  }
  EXPECT_TRUE(malloc_.NeedsRefill(64, false, 0));  // its span is full
  EXPECT_TRUE(malloc_.NeedsRefill(64, false, 1));  // P1 caches nothing
  EXPECT_TRUE(malloc_.NeedsRefill(kMaxSmallSize + 1, false, 0));  // large: every time
  // 16-byte objects fill one class-2 span of 512.
  for (int i = 0; i < 512; ++i) malloc_.MallocGC(16, false, 0);
  EXPECT_TRUE(malloc_.NeedsRefill(16, false, 0));
  // A tiny object needs a new block, so a span, unless the block it has
  // leaves room for it once aligned.
  EXPECT_TRUE(malloc_.NeedsRefill(8, true, 0));
  MCache& c = malloc_.cache(0);
  c.tiny = 0x1000000;
  c.tinyoffset = 8;
  EXPECT_FALSE(malloc_.NeedsRefill(8, true, 0));
  c.tinyoffset = 12;
  EXPECT_TRUE(malloc_.NeedsRefill(8, true, 0));  // 8-aligned: at 16, past the block
  EXPECT_FALSE(malloc_.NeedsRefill(4, true, 0));  // 4-aligned: at 12, fits
  EXPECT_FALSE(malloc_.NeedsRefill(3, true, 0));
  EXPECT_TRUE(malloc_.NeedsRefill(5, true, 0));
}

TEST_F(MallocTest, ATransientRunCanStopBeforeItsNextRefill) {
  // The first object needs a span: nothing is made.
  EXPECT_EQ(malloc_.MallocGCTransientRun(64, false, 0, 10, /*stop_before_refill=*/true), 0);
  EXPECT_EQ(trigger_.mallocs, 0);
  malloc_.MallocGC(64, false, 0);
  // The span's other 127 objects, then the run stops before the refill.
  EXPECT_EQ(malloc_.MallocGCTransientRun(64, false, 0, 500, /*stop_before_refill=*/true), 127);
  EXPECT_TRUE(malloc_.NeedsRefill(64, false, 0));
  EXPECT_EQ(trigger_.helps, 1);
  // Without the stop it refills as it goes.
  EXPECT_EQ(malloc_.MallocGCTransientRun(64, false, 0, 500, /*stop_before_refill=*/false), 500);
  EXPECT_EQ(trigger_.helps, 1 + 4);  // 500 objects: 4 spans more (3 full, 116 in the last)
  // Large objects refill each time, tiny ones here too (Go 1.5 keeps no block).
  EXPECT_EQ(malloc_.MallocGCTransientRun(40000, true, 0, 3, /*stop_before_refill=*/true), 0);
  for (int i = 0; i < 512; ++i) malloc_.MallocGC(16, false, 0);  // fill class 2
  EXPECT_EQ(malloc_.MallocGCTransientRun(8, true, 0, 3, /*stop_before_refill=*/true), 0);
}

TEST_F(MallocTest, AnEmptiedSpanGoesBackToTheHeap) {
  const int cls = GetSizeClasses().SizeToClass(4096);
  std::vector<uintptr_t> objs;
  for (int i = 0; i < 2; ++i) objs.push_back(malloc_.MallocGC(4096, true, 0));
  MSpan* s = heap_.LookupMaybe(objs[0]);
  malloc_.ReleaseAll(0);
  const uint64_t inuse = heap_.stats().heap_inuse;
  // What a sweep would do when both objects are dead.
  heap_.AdvanceSweepgen();
  EXPECT_TRUE(malloc_.central(cls).FreeSpan(s, {0, 1}, /*preserve=*/false));
  EXPECT_EQ(heap_.stats().heap_inuse, inuse - kPageSize);
  EXPECT_EQ(heap_.LookupMaybe(objs[0]), nullptr);
  heap_.CheckInvariants();
}

TEST_F(MallocTest, PartlyFreedFullSpanMovesToNonempty) {
  const int cls = GetSizeClasses().SizeToClass(4096);
  const uintptr_t a = malloc_.MallocGC(4096, true, 0);
  malloc_.MallocGC(4096, true, 0);  // span (2 objects) now full
  MSpan* s = heap_.LookupMaybe(a);
  malloc_.MallocGC(4096, true, 0);  // refill: s leaves the cache, stays on empty
  EXPECT_FALSE(s->incache);
  EXPECT_FALSE(malloc_.central(cls).FreeSpan(s, {0}, /*preserve=*/false));
  EXPECT_EQ(malloc_.central(cls).NonEmptyCount(), 1u);
  EXPECT_EQ(s->ref, 1);
  heap_.CheckInvariants();
}

}  // namespace
}  // namespace thp
