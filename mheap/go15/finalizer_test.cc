// Objects with a finalizer (GcModel::set_finalizer_allocs): go1.5.1's sweep
// keeps an unreachable one and queues its finalizer (mgcsweep.go
// mSpan_Sweep, mfinal.go queuefinalizer); finq is a root (mgcmark.go
// markroot _RootFinalizers) until runfinq runs it, which the model does at
// each cycle's end (and its driver whenever a P schedules: RunFinalizers);
// only then is the object garbage. While the special exists, mark
// termination's markroot scans the object (_RootSpans, scanobject), which
// adds its size to the bytes marked whether it is marked or not.
#include <cstdint>
#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "mheap/go15/runtime.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

class FinalizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Runtime>> r = Runtime::Create(sim_with_, clock_, RuntimeOptions());
    ASSERT_TRUE(r.ok()) << r.status();
    with_ = *std::move(r);
    r = Runtime::Create(sim_without_, clock_, RuntimeOptions());
    ASSERT_TRUE(r.ok()) << r.status();
    without_ = *std::move(r);
  }
  // The same object in both runtimes, with a finalizer in with_ only.
  void AllocateBoth(uintptr_t bytes, bool noscan) {
    with_->gc().set_finalizer_allocs(true);
    absl::StatusOr<uintptr_t> x = with_->Allocate(bytes, noscan, 0);
    with_->gc().set_finalizer_allocs(false);
    absl::StatusOr<uintptr_t> y = without_->Allocate(bytes, noscan, 0);
    ASSERT_TRUE(x.ok() && y.ok());
    x_ = *x;
    y_ = *y;
  }
  void DropBoth() {
    ASSERT_TRUE(with_->Drop(x_).ok());
    ASSERT_TRUE(without_->Drop(y_).ok());
  }
  // A background cycle in both (instantaneous here; its sweep is left to
  // the next cycle's start or SweepAll); returns what with_ marked beyond
  // without_.
  uint64_t BackgroundCycleBoth() {
    with_->gc().StartGC(GcMode::kBackground, /*force_trigger=*/true);
    without_->gc().StartGC(GcMode::kBackground, /*force_trigger=*/true);
    return with_->gc().cycles().back().heap2 - without_->gc().cycles().back().heap2;
  }
  uint64_t ForcedCycleBoth() {
    with_->GC();
    without_->GC();
    return with_->gc().cycles().back().heap2 - without_->gc().cycles().back().heap2;
  }
  // x_'s slot is still allocated in with_.
  bool Kept() const {
    const MSpan* s = with_->heap().LookupMaybe(x_);
    if (s == nullptr) return false;
    if (s->sizeclass == 0) return true;
    return s->allocated[(x_ - s->base()) / s->elemsize];
  }
  uintptr_t ElemSize() const { return with_->heap().LookupMaybe(x_)->elemsize; }

  SimulatedKernel sim_with_, sim_without_;
  VirtualClock clock_;
  std::unique_ptr<Runtime> with_, without_;
  uintptr_t x_ = 0, y_ = 0;
};

class FinalizerSizeTest : public FinalizerTest, public ::testing::WithParamInterface<uintptr_t> {};

// Dropped before cycle 1: cycle 1's sweep keeps it and queues its finalizer,
// cycle 2 marks it from finq and runs the finalizer at its end, cycle 3's
// sweep frees it. Large (a span of its own) and small objects alike. Cycle
// 1 counts its size once (the special's scan), cycle 2 once (marked).
TEST_P(FinalizerSizeTest, AfterABackgroundCycleTheObjectLivesUntilTheThirdSweep) {
  {
    AllocateBoth(GetParam(), /*noscan=*/false);
    const uintptr_t elem = ElemSize();
    DropBoth();
    // Unreachable, not marked; its special's scan counts its size.
    EXPECT_EQ(BackgroundCycleBoth(), elem);
    EXPECT_EQ(with_->gc().finalizers(), 1u);
    EXPECT_EQ(with_->gc().BackgroundSweep(1000), without_->gc().BackgroundSweep(1000));
    EXPECT_TRUE(Kept());  // the sweep kept it, its special gone, queued
    EXPECT_EQ(with_->gc().finalizers(), 0u);
    EXPECT_EQ(with_->gc().finq(), 1u);
    EXPECT_EQ(BackgroundCycleBoth(), elem);  // finq holds it
    EXPECT_EQ(with_->gc().finq(), 0u);       // runfinq ran at the cycle's end
    with_->gc().BackgroundSweep(1000);
    EXPECT_TRUE(Kept());
    EXPECT_EQ(BackgroundCycleBoth(), 0u);
    EXPECT_TRUE(Kept());  // not swept yet
    with_->gc().BackgroundSweep(1000);
    EXPECT_FALSE(Kept());
    with_->heap().CheckInvariants();
  }
}

INSTANTIATE_TEST_SUITE_P(LargeAndSmall, FinalizerSizeTest, ::testing::Values(50000, 1024));

// A forced cycle sweeps before it returns, so runfinq, readied at its end,
// finds the finalizer queued: the next cycle frees the object, unmarked.
TEST_F(FinalizerTest, AfterAForcedCycleTheNextOneFreesIt) {
  AllocateBoth(1024, /*noscan=*/false);
  DropBoth();
  EXPECT_EQ(ForcedCycleBoth(), 1024u);  // the special's scan
  EXPECT_TRUE(Kept());
  EXPECT_EQ(with_->gc().finalizers(), 0u);
  EXPECT_EQ(with_->gc().finq(), 0u);
  EXPECT_EQ(ForcedCycleBoth(), 0u);
  EXPECT_FALSE(Kept());
  with_->heap().CheckInvariants();
}

// While the program holds it the special stays and nothing is queued; once
// dropped it takes the same path. Every cycle that finds the special counts
// the object's size once more than the object alone: marked, and scanned.
TEST_F(FinalizerTest, AReachableObjectKeepsItsFinalizer) {
  AllocateBoth(1024, /*noscan=*/false);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(ForcedCycleBoth(), 1024u);
    EXPECT_EQ(with_->gc().finalizers(), 1u);
    EXPECT_EQ(with_->gc().finq(), 0u);
  }
  DropBoth();
  EXPECT_EQ(ForcedCycleBoth(), 1024u);
  EXPECT_TRUE(Kept());
  EXPECT_EQ(ForcedCycleBoth(), 0u);
  EXPECT_FALSE(Kept());
}

// new(int), 8 noscan bytes: the tiny allocator's block (go1.5.1 never
// shares one between two such objects: it adopts a new block only if it
// leaves more room than the old one). The finalizer's address is the
// object's, inside the block.
TEST_F(FinalizerTest, ATinyObjectKeepsItsBlock) {
  AllocateBoth(8, /*noscan=*/true);
  DropBoth();
  EXPECT_EQ(BackgroundCycleBoth(), 16u);  // the block, scanned for the special
  EXPECT_EQ(BackgroundCycleBoth(), 16u);  // the block, from finq
  EXPECT_EQ(BackgroundCycleBoth(), 0u);
  with_->gc().BackgroundSweep(1000);
  EXPECT_FALSE(Kept());
}

}  // namespace
}  // namespace thp
