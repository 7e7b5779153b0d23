#include "runtime_port/kernel/census_kernel.h"

#include <memory>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime_port/kernel/linux_kernel.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

// Far from everything else in the process (and from ASan's shadow).
constexpr uintptr_t kBase = uintptr_t{32} << 40;
constexpr uintptr_t kMiB = 1 << 20;

class CensusKernelTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      inner_ = std::make_unique<LinuxKernel>();
    } else {
      inner_ = std::make_unique<SimulatedKernel>(SimOptions{});
    }
    census_ = std::make_unique<CensusKernel>(*inner_, [this] { return now_; });
    census_->Observe();
    base_process_ = census_->current().process;
  }
  void TearDown() override { census_->Munmap(kBase, 64 * kMiB); }

  int64_t now_ = 0;
  std::unique_ptr<Kernel> inner_;
  std::unique_ptr<CensusKernel> census_;
  int64_t base_process_ = 0;
};

TEST_P(CensusKernelTest, CountsSplitsOfOwnedRangesExactly) {
  ASSERT_EQ(census_->current().own, 0);
  ASSERT_EQ(census_->Mmap(kBase, 16 * kMiB, Prot::kReadWrite, kMapFixed).err, 0);
  EXPECT_EQ(census_->current().own, 1);
  now_ = 10;
  // Two flag changes in the middle: 1 -> 3 -> 5 VMAs.
  ASSERT_EQ(census_->Madvise(kBase + 2 * kMiB, 2 * kMiB, Advice::kNoHugePage), 0);
  ASSERT_EQ(census_->Madvise(kBase + 8 * kMiB, 2 * kMiB, Advice::kNoHugePage), 0);
  EXPECT_EQ(census_->current().own, 5);
  EXPECT_EQ(census_->current().process, base_process_ + 5);  // the mapping and 4 splits
  // Same flag again merges nothing and splits nothing.
  ASSERT_EQ(census_->Madvise(kBase + 2 * kMiB, 2 * kMiB, Advice::kNoHugePage), 0);
  EXPECT_EQ(census_->current().own, 5);
  // Punch a hole: the mapping is no longer all owned; a VMA each side.
  now_ = 20;
  ASSERT_EQ(census_->Munmap(kBase + 12 * kMiB, 2 * kMiB), 0);
  EXPECT_EQ(census_->current().own, 6);
  ASSERT_EQ(census_->owned().size(), 2u);
  EXPECT_EQ(census_->owned()[0].hi, kBase + 12 * kMiB);
  EXPECT_EQ(census_->owned()[1].lo, kBase + 14 * kMiB);
  EXPECT_EQ(census_->max_own(), 6);
  EXPECT_EQ(census_->max_splits(), 4);  // 6 VMAs over 2 ranges; 5 over 1 before
  EXPECT_EQ(census_->max_go_equivalent(), 6 + kGoStaticBinaryVmas);
  // The series records each change with its time.
  const std::vector<CensusPoint>& s = census_->series();
  ASSERT_GE(s.size(), 5u);
  EXPECT_EQ(s.back().t_ns, 20);
  EXPECT_EQ(s.back().own, 6);
  // A second mapping next to the first with the same flags merges into it.
  ASSERT_EQ(census_->Mmap(kBase + 12 * kMiB, 2 * kMiB, Prot::kReadWrite, kMapFixed).err, 0);
  EXPECT_EQ(census_->owned().size(), 1u);
  EXPECT_EQ(census_->current().own, 5);
}

TEST_P(CensusKernelTest, TallyMatchesMapCountAndVmas) {
  ASSERT_EQ(census_->Mmap(kBase, 8 * kMiB, Prot::kReadWrite, kMapFixed).err, 0);
  ASSERT_EQ(census_->Madvise(kBase + 4 * kMiB, 2 * kMiB, Advice::kHugePage), 0);
  const VmaTally t = inner_->TallyVmas({{kBase + kMiB, kBase + 5 * kMiB}, {kBase + 7 * kMiB, kBase + 8 * kMiB}});
  EXPECT_EQ(t.map_count, inner_->MapCount());
  EXPECT_EQ(t.in_ranges, 3);  // [0,4) [4,6) [6,8) MiB: the second range hits only the last
  EXPECT_EQ(inner_->TallyVmas({}).in_ranges, 0);
}

TEST_P(CensusKernelTest, SampledModeCountsOnlyWhenAsked) {
  census_->set_recount_every_call(false);
  const int64_t before = census_->observations();
  ASSERT_EQ(census_->Mmap(kBase, 8 * kMiB, Prot::kReadWrite, kMapFixed).err, 0);
  ASSERT_EQ(census_->Madvise(kBase + 2 * kMiB, 2 * kMiB, Advice::kNoHugePage), 0);
  EXPECT_EQ(census_->observations(), before);
  EXPECT_EQ(census_->current().own, 0);  // not looked yet
  ASSERT_EQ(census_->owned().size(), 1u);  // ownership is still tracked on every call
  int peaks = 0;
  census_->set_on_new_max([&] { ++peaks; });
  census_->Observe();
  EXPECT_EQ(census_->current().own, 3);
  EXPECT_EQ(census_->max_own(), 3);
  EXPECT_EQ(peaks, 1);
  census_->Observe();  // no change: no new peak
  EXPECT_EQ(peaks, 1);
}

// DONTNEED cannot change a count: a single one is not counted after, and
// the counts stay what they were (the page is zapped all the same).
TEST_P(CensusKernelTest, ASingleDontNeedIsNotCounted) {
  ASSERT_EQ(census_->Mmap(kBase, 4 * kMiB, Prot::kReadWrite, kMapFixed).err, 0);
  ASSERT_EQ(census_->Touch(kBase, 4 * kMiB), 0);
  const int64_t before = census_->observations();
  const CensusPoint was = census_->current();
  ASSERT_EQ(census_->Madvise(kBase + kMiB, kMiB, Advice::kDontNeed), 0);
  EXPECT_EQ(census_->observations(), before);
  EXPECT_EQ(census_->current().own, was.own);
  EXPECT_EQ(inner_->ResidencyOf(kBase, kBase + 4 * kMiB).resident_bytes, 3 * kMiB);
  census_->Observe();
  EXPECT_EQ(census_->current().own, was.own);
  EXPECT_EQ(census_->current().process, was.process);
  ASSERT_EQ(census_->Madvise(kBase + kMiB, kMiB, Advice::kNoHugePage), 0);
  EXPECT_EQ(census_->observations(), before + 2);
}

TEST_P(CensusKernelTest, ADontNeedBatchIsCountedOnceAndAFlagBatchRangeByRange) {
  ASSERT_EQ(census_->Mmap(kBase, 16 * kMiB, Prot::kReadWrite, kMapFixed).err, 0);
  ASSERT_EQ(census_->Touch(kBase, 16 * kMiB), 0);
  const int64_t before = census_->observations();
  const BatchResult d = census_->MadviseBatch(
      {{kBase, kBase + kMiB}, {kBase + 4 * kMiB, kBase + 5 * kMiB}, {kBase + 9 * kMiB, kBase + 10 * kMiB}},
      Advice::kDontNeed);
  EXPECT_THAT(d.errors, ::testing::IsEmpty());
  EXPECT_EQ(census_->observations(), before + 1);
  EXPECT_EQ(census_->current().own, 1);  // DONTNEED splits nothing
  EXPECT_EQ(inner_->ResidencyOf(kBase, kBase + 16 * kMiB).resident_bytes, 13 * kMiB);
  // NOHUGEPAGE on [2,4) MiB splits 1 -> 3; then on [0,2) it merges back to
  // 2. Seen only after the batch, the peak of 3 would be lost.
  const BatchResult f = census_->MadviseBatch(
      {{kBase + 2 * kMiB, kBase + 4 * kMiB}, {kBase, kBase + 2 * kMiB}}, Advice::kNoHugePage);
  EXPECT_THAT(f.errors, ::testing::IsEmpty());
  EXPECT_EQ(f.syscalls, 2);
  EXPECT_EQ(census_->observations(), before + 3);
  EXPECT_EQ(census_->current().own, 2);
  EXPECT_EQ(census_->max_own(), 3);
}

TEST_P(CensusKernelTest, OwnsWholePagesOfUnalignedLengths) {
  // Go's sysFree of the allspans array passes cap*8 bytes: the kernel
  // unmaps the last page whole, so none of it stays owned, and a mapping
  // that later takes that page is not counted as the runtime's.
  ASSERT_EQ(census_->Mmap(kBase, 3 * 4096 + 100, Prot::kReadWrite, kMapFixed).err, 0);
  ASSERT_EQ(census_->owned().size(), 1u);
  EXPECT_EQ(census_->owned()[0].hi, kBase + 4 * 4096);
  ASSERT_EQ(census_->Munmap(kBase + 4096, 2 * 4096 + 100), 0);
  ASSERT_EQ(census_->owned().size(), 1u);
  EXPECT_EQ(census_->owned()[0].hi, kBase + 4096);
  ASSERT_EQ(inner_->Mmap(kBase + 3 * 4096, 4096, Prot::kNone, kMapFixed).err, 0);
  census_->Observe();
  EXPECT_EQ(census_->current().own, 1);
  ASSERT_EQ(inner_->Munmap(kBase + 3 * 4096, 4096), 0);
}

INSTANTIATE_TEST_SUITE_P(Kernels, CensusKernelTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& i) {
                           return i.param ? "linux" : "sim";
                         });

}  // namespace
}  // namespace thp
