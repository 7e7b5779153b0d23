#include "runtime_port/kernel/hintless_window_kernel.h"

#include <memory>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime_port/kernel/linux_kernel.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

// A small window far from everything else in the process (and ASan's shadow).
constexpr uintptr_t kLo = uintptr_t{33} << 40;
constexpr uintptr_t kMiB = 1 << 20;
constexpr uintptr_t kKiB = 1 << 10;
constexpr uintptr_t kHi = kLo + 64 * kMiB;

// The same expectations on both kernels: that is what makes the window worth
// having (the real kernel's placements equal the simulated one's).
class HintlessWindowKernelTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    std::unique_ptr<Kernel> inner;
    if (GetParam()) {
      inner = std::make_unique<LinuxKernel>();
    } else {
      inner = std::make_unique<SimulatedKernel>(SimOptions{});
    }
    k_ = std::make_unique<HintlessWindowKernel>(std::move(inner), kLo, kHi);
  }

  // The real kernel's mappings outlive the decorator: leave the window empty
  // for the next test.
  void TearDown() override { k_->inner().Munmap(kLo, kHi - kLo); }

  std::vector<Vma> Window() { return k_->Vmas(kLo, kHi); }

  std::unique_ptr<HintlessWindowKernel> k_;
};

Vma V(uintptr_t lo, uintptr_t hi, Prot prot) { return Vma{lo, hi, prot, HugeFlag::kNone}; }

TEST_P(HintlessWindowKernelTest, ReservesNothing) { EXPECT_THAT(Window(), ::testing::IsEmpty()); }

TEST_P(HintlessWindowKernelTest, PlacesHintlessMappingsTopDownAndTheyMerge) {
  const MmapResult a = k_->Mmap(0, 256 * kKiB, Prot::kReadWrite, 0);
  ASSERT_EQ(a.err, 0);
  EXPECT_EQ(a.addr, kHi - 256 * kKiB);
  const MmapResult b = k_->Mmap(0, 64 * kKiB, Prot::kReadWrite, 0);
  ASSERT_EQ(b.err, 0);
  EXPECT_EQ(b.addr, kHi - 320 * kKiB);
  // Touching chunks with equal attributes are one VMA, as in a static Go
  // binary where nothing else maps memory between them.
  EXPECT_THAT(Window(), ::testing::ElementsAre(V(kHi - 320 * kKiB, kHi, Prot::kReadWrite)));
}

TEST_P(HintlessWindowKernelTest, WholeHugePagesAreHugePageAligned) {
  ASSERT_EQ(k_->Mmap(0, 256 * kKiB, Prot::kReadWrite, 0).err, 0);
  const MmapResult big = k_->Mmap(0, 2 * kMiB, Prot::kReadWrite, 0);
  ASSERT_EQ(big.err, 0);
  EXPECT_EQ(big.addr, kHi - 4 * kMiB);  // not kHi - 256 KiB - 2 MiB
  EXPECT_THAT(Window(), ::testing::ElementsAre(V(kHi - 4 * kMiB, kHi - 2 * kMiB, Prot::kReadWrite),
                                               V(kHi - 256 * kKiB, kHi, Prot::kReadWrite)));
}

TEST_P(HintlessWindowKernelTest, AFreedHoleIsReusedFirst) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(k_->Mmap(0, 256 * kKiB, Prot::kReadWrite, 0).err, 0);
  const uintptr_t middle = kHi - 512 * kKiB;
  ASSERT_EQ(k_->Munmap(middle, 256 * kKiB), 0);
  EXPECT_THAT(Window(), ::testing::ElementsAre(V(kHi - 768 * kKiB, middle, Prot::kReadWrite),
                                               V(kHi - 256 * kKiB, kHi, Prot::kReadWrite)));
  // The highest gap that fits is the hole, as unmapped_area_topdown finds it.
  const MmapResult again = k_->Mmap(0, 128 * kKiB, Prot::kReadWrite, 0);
  ASSERT_EQ(again.err, 0);
  EXPECT_EQ(again.addr, kHi - 384 * kKiB);
  // Freeing everything leaves the window empty, and the next mapping goes
  // to its top again.
  ASSERT_EQ(k_->Munmap(kHi - 768 * kKiB, 768 * kKiB), 0);
  EXPECT_THAT(Window(), ::testing::IsEmpty());
  EXPECT_EQ(k_->Mmap(0, 64 * kKiB, Prot::kReadWrite, 0).addr, kHi - 64 * kKiB);
  ASSERT_EQ(k_->Munmap(kHi - 64 * kKiB, 64 * kKiB), 0);
}

TEST_P(HintlessWindowKernelTest, AFullWindowIsEnomem) {
  ASSERT_EQ(k_->Mmap(0, 60 * kMiB, Prot::kReadWrite, 0).err, 0);
  EXPECT_EQ(k_->Mmap(0, 8 * kMiB, Prot::kReadWrite, 0).err, ENOMEM);
  EXPECT_EQ(k_->Mmap(0, 4 * kMiB, Prot::kReadWrite, 0).err, 0);
  ASSERT_EQ(k_->Munmap(kLo, 64 * kMiB), 0);
}

TEST_P(HintlessWindowKernelTest, HintedAndFixedMappingsPassThrough) {
  const uintptr_t elsewhere = kHi + 64 * kMiB;
  const MmapResult r = k_->Mmap(elsewhere, 1 * kMiB, Prot::kReadWrite, 0);
  ASSERT_EQ(r.err, 0);
  EXPECT_EQ(r.addr, elsewhere);
  EXPECT_EQ(k_->Mmap(elsewhere + kMiB, kMiB, Prot::kReadWrite, kMapFixed).err, 0);
  EXPECT_THAT(Window(), ::testing::IsEmpty());
  EXPECT_EQ(k_->Munmap(elsewhere, 2 * kMiB), 0);
}

TEST_P(HintlessWindowKernelTest, AMappingInTheWayIsFatal) {
  // Something else of the process at the window's top: the placement is not
  // honoured, and the harness says so instead of counting a different layout.
  ASSERT_EQ(k_->inner().Mmap(kHi - 64 * kKiB, 64 * kKiB, Prot::kReadWrite, kMapFixed).err, 0);
  EXPECT_EXIT(k_->Mmap(0, 256 * kKiB, Prot::kReadWrite, 0), ::testing::ExitedWithCode(2),
              "window for the runtime's hint-less mappings is not free");
  ASSERT_EQ(k_->inner().Munmap(kHi - 64 * kKiB, 64 * kKiB), 0);
}

INSTANTIATE_TEST_SUITE_P(Kernels, HintlessWindowKernelTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Linux" : "Sim";
                         });

}  // namespace
}  // namespace thp
