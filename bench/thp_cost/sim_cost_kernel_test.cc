#include "bench/thp_cost/sim_cost_kernel.h"

#include "gtest/gtest.h"

namespace thp {
namespace {

constexpr uintptr_t kBase = uintptr_t{0xc000000000};
constexpr uintptr_t kMiB = uintptr_t{1} << 20;

SimCostModel Model(int64_t free_huge_pages) {
  SimCostModel m;
  m.stall_ns = 1000;
  m.collapse_ns = 70;
  m.free_huge_pages = free_huge_pages;
  return m;
}

TEST(SimCostKernel, HugeFaultsInAHugePageVmaStallOnceFreeHugePagesRunOut) {
  SimulatedKernel sim;  // THP mode madvise
  SimCostKernel k(sim, Model(/*free_huge_pages=*/1));
  ASSERT_EQ(MapFixed(k, kBase, 8 * kMiB), 0);
  ASSERT_EQ(k.Madvise(kBase, 8 * kMiB, Advice::kHugePage), 0);
  ASSERT_EQ(k.Touch(kBase, 6 * kMiB), 0);
  EXPECT_EQ(k.huge_faults(), 3);
  EXPECT_EQ(k.stalls(), 2);  // the first took the one free block
  EXPECT_EQ(k.charged_ns(), 2000);
  // Touching it again faults nothing.
  ASSERT_EQ(k.Touch(kBase, 6 * kMiB), 0);
  EXPECT_EQ(k.charged_ns(), 2000);
}

TEST(SimCostKernel, FaultsWithoutHugePageAdviceCostNothing) {
  SimulatedKernel sim;
  SimCostKernel k(sim, Model(0));
  ASSERT_EQ(MapFixed(k, kBase, 8 * kMiB), 0);
  ASSERT_EQ(k.Touch(kBase, 8 * kMiB), 0);
  EXPECT_EQ(k.huge_faults(), 0);
  EXPECT_EQ(k.charged_ns(), 0);
}

TEST(SimCostKernel, CollapseChargesEachRegionItCollapses) {
  SimulatedKernel sim;
  SimCostKernel k(sim, Model(0));
  ASSERT_EQ(MapFixed(k, kBase, 8 * kMiB), 0);
  ASSERT_EQ(k.Touch(kBase, 4 * kMiB), 0);  // two regions resident, 4 KiB pages
  EXPECT_EQ(k.charged_ns(), 0);
  ASSERT_EQ(k.Madvise(kBase, 4 * kMiB, Advice::kCollapse), 0);
  EXPECT_EQ(k.collapsed(), 2);
  EXPECT_EQ(k.stalls(), 2);
  EXPECT_EQ(k.charged_ns(), 2 * (70 + 1000));
  // Already huge: nothing more to collapse, nothing charged.
  ASSERT_EQ(k.Madvise(kBase, 4 * kMiB, Advice::kCollapse), 0);
  EXPECT_EQ(k.collapsed(), 2);
  EXPECT_EQ(k.charged_ns(), 2 * (70 + 1000));
}

TEST(SimCostKernel, OtherAdviceCostsNothing) {
  SimulatedKernel sim;
  SimCostKernel k(sim, Model(0));
  ASSERT_EQ(MapFixed(k, kBase, 4 * kMiB), 0);
  ASSERT_EQ(k.Touch(kBase, 4 * kMiB), 0);
  ASSERT_EQ(k.Madvise(kBase, 4 * kMiB, Advice::kDontNeed), 0);
  ASSERT_EQ(k.Madvise(kBase, 4 * kMiB, Advice::kNoHugePage), 0);
  EXPECT_EQ(k.charged_ns(), 0);
}

}  // namespace
}  // namespace thp
