// Goroutine stacks: pooled small stacks from 32 KiB stack spans through the
// per-P caches, whole-span large stacks, and when their spans go back to the
// heap (at once, or at the end of a GC cycle).
#include "mheap/go15/stack.h"

#include "gtest/gtest.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

class StackTest : public ::testing::Test {
 protected:
  StackTest() : mem_(sim_, *MakeHugePagePolicy("fixed")), heap_(mem_, clock_, 2), stacks_(heap_, 2) {}
  SimulatedKernel sim_;
  MemLinux mem_;
  VirtualClock clock_;
  MHeap heap_;
  StackAllocator stacks_;
};

TEST_F(StackTest, SmallStacksComeFromOne32KiBSpanThroughTheCache) {
  const uintptr_t a = stacks_.Alloc(2048, 0);
  // The refill took 16 KiB (8 stacks) from one new 4-page stack span; the
  // pool hands out the span's last stack first.
  MSpan* s = heap_.Lookup(a);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->state, SpanState::kStack);
  EXPECT_EQ(s->npages, PageCount(4));
  EXPECT_EQ(s->ref, 8);
  EXPECT_EQ(stacks_.CachedBytes(0, 0), 7u * 2048);
  EXPECT_EQ(heap_.stats().stacks_inuse, 32u << 10);
  heap_.CheckInvariants();
}

TEST_F(StackTest, AFullCacheReleasesHalfToThePoolAndAnEmptySpanGoesBack) {
  std::vector<uintptr_t> live;
  for (int i = 0; i < 17; ++i) live.push_back(stacks_.Alloc(2048, 0));
  // Three refills of 8 stacks: 7 stacks (14 KiB) are still cached.
  EXPECT_EQ(stacks_.CachedBytes(0, 0), 7u * 2048);
  for (int i = 0; i < 9; ++i) stacks_.Free(live[static_cast<size_t>(i)], 2048, 0);
  EXPECT_EQ(stacks_.CachedBytes(0, 0), 32u << 10);  // full
  // The next free first releases the cache down to 16 KiB, then adds its stack.
  stacks_.Free(live[9], 2048, 0);
  EXPECT_EQ(stacks_.CachedBytes(0, 0), (16u << 10) + 2048);
  for (int i = 10; i < 17; ++i) stacks_.Free(live[static_cast<size_t>(i)], 2048, 0);
  stacks_.ClearCache(0);  // what freemcache does
  EXPECT_EQ(heap_.stats().stacks_inuse, 0u);  // the emptied span went straight back
  heap_.CheckInvariants();
}

TEST_F(StackTest, DuringGCEmptiedStackSpansWaitForTheCycleToEnd) {
  const uintptr_t x = stacks_.Alloc(4096, -1);  // no P: the global pool
  stacks_.set_gc_running(true);
  stacks_.Free(x, 4096, -1);
  EXPECT_EQ(heap_.stats().stacks_inuse, 32u << 10);
  EXPECT_EQ(stacks_.PoolSpans(1), 1u);
  stacks_.set_gc_running(false);
  stacks_.FreeStackSpans();
  EXPECT_EQ(heap_.stats().stacks_inuse, 0u);
  heap_.CheckInvariants();
}

TEST_F(StackTest, LargeStacksAreWholeSpansFreedNowOrAtGCEnd) {
  const uintptr_t a = stacks_.Alloc(64 << 10, 0);
  EXPECT_EQ(heap_.Lookup(a)->npages, PageCount(8));
  stacks_.Free(a, 64 << 10, 0);
  EXPECT_EQ(heap_.stats().stacks_inuse, 0u);
  const uintptr_t b = stacks_.Alloc(1 << 20, 0);
  stacks_.set_gc_running(true);
  stacks_.Free(b, 1 << 20, 0);
  EXPECT_EQ(stacks_.QueuedSpans(), 1u);
  EXPECT_EQ(heap_.stats().stacks_inuse, uint64_t{1} << 20);
  stacks_.set_gc_running(false);
  stacks_.FreeStackSpans();
  EXPECT_EQ(heap_.stats().stacks_inuse, 0u);
  heap_.CheckInvariants();
}

}  // namespace
}  // namespace thp
