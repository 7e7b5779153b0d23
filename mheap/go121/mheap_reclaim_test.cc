// The page reclaimer (mheap.reclaim, reclaimChunk; mheap_reclaim.cc) on the
// whole runtime: a sweep left unfinished by a forced GC (gcTriggerTime
// leaves the sweep to the background sweeper), then large allocations,
// which go through mheap.alloc. GOGC=400 keeps these few MiB below the
// heap trigger, so no cycle starts in between, and the proportional sweep
// (deductSweepCredit) owes nothing for them: every sweep below is the
// reclaimer's or the test's own.
#include <memory>

#include "gtest/gtest.h"
#include "mheap/go121/runtime.h"
#include "runtime_port/base/clock.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace go121 {
namespace {

constexpr uintptr_t kObjPages = 128;  // 1 MiB large objects
constexpr uintptr_t kObjBytes = kObjPages * kPageSize;

class ReclaimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RuntimeOptions o;
    o.gogc = "400";
    o.gomaxprocs = 1;
    absl::StatusOr<std::unique_ptr<Runtime>> r = Runtime::Create(sim_, clock_, o);
    ASSERT_TRUE(r.ok()) << r.status();
    rt_ = *std::move(r);
    rt_->GC();  // a first cycle, so that sysmon's forced GC can come
  }
  uintptr_t Alloc(uintptr_t bytes) {
    absl::StatusOr<uintptr_t> x = rt_->Allocate(bytes, /*noscan=*/false, 0);
    EXPECT_TRUE(x.ok()) << x.status();
    return x.ok() ? *x : 0;
  }
  // Four 1 MiB objects filling the heap's first 4 MiB chunk exactly.
  void FillFirstChunk() {
    for (uintptr_t& x : objs_) x = Alloc(kObjBytes);
    for (int i = 0; i < 4; ++i) ASSERT_EQ(objs_[i], objs_[0] + i * kObjBytes);
    ASSERT_EQ(Grown(), 4u << 20);
    ASSERT_EQ(rt_->heap().stats().heap_free + rt_->heap().stats().heap_released, 0u);
  }
  // sysmon's forcegc after two idle minutes: a cycle whose sweep is left
  // to the background sweeper.
  void ForcedGC() {
    clock_.Set(clock_.NanoTime() + int64_t{121} * 1'000'000'000);
    const uint64_t before = rt_->gc().num_gc();
    rt_->gc().ForceGC(clock_.NanoTime());
    ASSERT_EQ(rt_->gc().num_gc(), before + 1);
    ASSERT_FALSE(rt_->sweeper().IsSweepDone());
  }
  uint64_t Grown() const { return rt_->heap().pages().in_use().total_bytes(); }
  bool Unswept(uintptr_t x) {
    const MSpan* s = rt_->heap().SpanOf(x);
    return s != nullptr && s->sweepgen == rt_->sweeper().sweepgen() - 2;
  }

  SimulatedKernel sim_;
  VirtualClock clock_{1'000'000'000};
  std::unique_ptr<Runtime> rt_;
  uintptr_t objs_[4] = {};
};

TEST_F(ReclaimTest, LargeAllocationReclaimsAnUnmarkedSpanInsteadOfGrowing) {
  FillFirstChunk();
  ASSERT_TRUE(rt_->Drop(objs_[1]).ok());
  ForcedGC();
  // The mark left page marks on the live objects' first pages only, and
  // nothing is swept yet.
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(rt_->heap().PageInUse(objs_[i]));
    EXPECT_EQ(rt_->heap().PageMarked(objs_[i]), i != 1);
    EXPECT_TRUE(Unswept(objs_[i]));
  }
  EXPECT_EQ(rt_->heap().reclaim_index(), 0u);
  EXPECT_EQ(rt_->heap().sweep_arenas(), 1u);
  const uint64_t freed_before = rt_->sweeper().spans_freed();

  // 128 pages needed: the first chunk of arena 0 holds the dead object's
  // 128 pages, which the new object takes; the heap does not grow.
  const uintptr_t y = Alloc(kObjBytes);
  EXPECT_EQ(y, objs_[1]);
  EXPECT_EQ(Grown(), 4u << 20);
  EXPECT_EQ(rt_->sweeper().spans_freed(), freed_before + 1);
  EXPECT_EQ(rt_->sweeper().pages_swept(), kObjPages);
  EXPECT_EQ(rt_->heap().reclaim_index(), kPagesPerReclaimerChunk);
  EXPECT_EQ(rt_->heap().reclaim_credit(), 0u);
  // The live objects' spans were passed over, still unswept.
  EXPECT_TRUE(Unswept(objs_[0]));
  EXPECT_TRUE(Unswept(objs_[2]));
  EXPECT_TRUE(Unswept(objs_[3]));
  EXPECT_FALSE(Unswept(y));
  rt_->heap().CheckInvariants();
}

TEST_F(ReclaimTest, WithoutTheReclaimerTheSameAllocationGrowsTheHeap) {
  // The port before the reclaimer: the dead object waits for the sweeper,
  // and the heap takes a new 4 MiB chunk.
  FillFirstChunk();
  ASSERT_TRUE(rt_->Drop(objs_[1]).ok());
  ForcedGC();
  rt_->heap().set_reclaim_sweeper(nullptr);
  const uintptr_t y = Alloc(kObjBytes);
  EXPECT_EQ(y, objs_[0] + 4 * kObjBytes);
  EXPECT_EQ(Grown(), 8u << 20);
  EXPECT_TRUE(Unswept(objs_[1]));
  rt_->heap().set_reclaim_sweeper(&rt_->sweeper());
  rt_->heap().CheckInvariants();
}

TEST_F(ReclaimTest, CreditFromSweepOnePaysBeforeTheWalk) {
  FillFirstChunk();
  ASSERT_TRUE(rt_->Drop(objs_[0]).ok());
  ASSERT_TRUE(rt_->Drop(objs_[2]).ok());
  ForcedGC();
  // One turn of the background sweeper: sweepone takes the first large
  // span (objs_[0]'s), frees it, and credits its 128 pages.
  ASSERT_EQ(rt_->sweeper().BackgroundSweep(1), 1);
  EXPECT_EQ(rt_->heap().SpanOf(objs_[0]), nullptr);
  EXPECT_EQ(rt_->heap().reclaim_credit(), kObjPages);
  EXPECT_EQ(rt_->sweeper().pages_swept(), kObjPages);

  // 64 pages: all from the credit; no chunk is claimed, objs_[2]'s dead
  // span stays unswept, and the object goes where objs_[0] was.
  const uintptr_t e = Alloc(kObjBytes / 2);
  EXPECT_EQ(e, objs_[0]);
  EXPECT_EQ(rt_->heap().reclaim_credit(), kObjPages / 2);
  EXPECT_EQ(rt_->heap().reclaim_index(), 0u);
  EXPECT_TRUE(Unswept(objs_[2]));
  EXPECT_EQ(rt_->sweeper().pages_swept(), kObjPages);

  // 128 pages: the 64 left in the credit, then the walk of chunk 0, which
  // frees objs_[2]'s 128 pages; the 64 beyond the need go to the credit.
  // The new object fits only where objs_[2] was.
  const uintptr_t f = Alloc(kObjBytes);
  EXPECT_EQ(f, objs_[2]);
  EXPECT_EQ(rt_->heap().reclaim_index(), kPagesPerReclaimerChunk);
  EXPECT_EQ(rt_->heap().reclaim_credit(), kObjPages / 2);
  EXPECT_EQ(rt_->sweeper().pages_swept(), 2 * kObjPages);
  EXPECT_EQ(rt_->sweeper().spans_freed(), 2u);
  EXPECT_EQ(Grown(), 4u << 20);
  EXPECT_TRUE(Unswept(objs_[1]));
  EXPECT_TRUE(Unswept(objs_[3]));
  rt_->heap().CheckInvariants();

  // 256 pages: the credit's 64, then the rest of arena 0's chunks find
  // nothing to free (the two live spans are marked): the walk ends for
  // this cycle and the heap grows.
  const uintptr_t g = Alloc(2 * kObjBytes);
  EXPECT_EQ(rt_->heap().reclaim_index(), kReclaimDone);
  EXPECT_EQ(rt_->heap().reclaim_credit(), 0u);
  EXPECT_EQ(g, objs_[0] + 4 * kObjBytes);
  EXPECT_EQ(Grown(), 8u << 20);
  EXPECT_TRUE(Unswept(objs_[1]));
  EXPECT_TRUE(Unswept(objs_[3]));
  rt_->heap().CheckInvariants();

  // The next cycle starts the reclaimer over on every arena (gcSweep);
  // runtime.GC's own sweep then credits what sweepone frees.
  ASSERT_TRUE(rt_->Drop(e).ok());
  rt_->GC();
  EXPECT_EQ(rt_->heap().reclaim_index(), 0u);
  EXPECT_EQ(rt_->heap().sweep_arenas(), rt_->heap().all_arenas().size());
  EXPECT_EQ(rt_->heap().reclaim_credit(), kObjPages / 2);
  rt_->heap().CheckInvariants();
}

TEST_F(ReclaimTest, NoReclaimOnceTheSweepIsDone) {
  FillFirstChunk();
  ASSERT_TRUE(rt_->Drop(objs_[1]).ok());
  ForcedGC();
  rt_->sweeper().FinishSweep();
  ASSERT_TRUE(rt_->sweeper().IsSweepDone());
  // sweepone freed the dead span and credited it; with the sweep done,
  // alloc does not reclaim, so the credit is left untouched.
  EXPECT_EQ(rt_->heap().reclaim_credit(), kObjPages);
  EXPECT_EQ(Alloc(kObjBytes), objs_[1]);
  EXPECT_EQ(rt_->heap().reclaim_credit(), kObjPages);
  EXPECT_EQ(rt_->heap().reclaim_index(), 0u);
  rt_->heap().CheckInvariants();
}

}  // namespace
}  // namespace go121
}  // namespace thp
