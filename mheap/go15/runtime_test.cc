// The checked runtime API: bad input is a failed status and leaves the heap
// intact; a workload's drops become frees at the next GC.
#include "mheap/go15/runtime.h"

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

}  // namespace
}  // namespace thp
