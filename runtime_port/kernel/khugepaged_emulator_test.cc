// Which regions the khugepaged emulation collapses, on the simulated kernel
// and on the real one (MADV_COLLAPSE, observed through mincore and the
// AnonHugePages of smaps), over the same layout of eight 2 MiB regions:
//   R0  one present page                        -> collapsed (max_ptes_none >= 511)
//   R1  VM_NOHUGEPAGE, one present page          -> nohugepage
//   R2  straddles a none and a HUGEPAGE VMA      -> not_in_one_vma
//   R3  half VM_NOHUGEPAGE, a page in the other  -> nohugepage
//   R4  all 512 pages present                    -> full (left alone)
//   R5  nothing present                          -> empty
//   R6  three present pages (509 absent)         -> collapsed iff max_ptes_none >= 509
//   R7  read-only                                -> not_writable
// The real-kernel instance needs MADV_COLLAPSE (Linux 6.1+) and THP mode
// "madvise" (under "always" the faults themselves would be huge and the real
// khugepaged would collapse these regions behind the test's back); it skips,
// saying why, otherwise.
#include "runtime_port/kernel/khugepaged_emulator.h"

#include <time.h>

#include <cerrno>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "runtime_port/kernel/linux_kernel.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

constexpr uintptr_t kMiB = uintptr_t{1} << 20;
constexpr uintptr_t kRegion = kHugePageSize;
constexpr int kRegions = 8;
constexpr uintptr_t kPage = kOsPageSize;

// Why the real kernel cannot run these cases, or "" if it can.
std::string LinuxSkipReason() {
  absl::StatusOr<ThpMode> mode = ReadThpMode();
  if (!mode.ok()) return "cannot read the THP mode: " + std::string(mode.status().message());
  if (*mode != ThpMode::kMadvise) {
    return "THP mode is " + std::string(ThpModeName(*mode)) +
           "; the cases assume \"madvise\" (4 KiB faults outside VM_HUGEPAGE, no background "
           "khugepaged on them)";
  }
  // Probe MADV_COLLAPSE on a region of its own with one present page.
  LinuxKernel k;
  MmapResult m = k.Mmap(0, 2 * kRegion, Prot::kReadWrite, 0);
  if (m.err != 0) return "mmap failed: " + ErrnoName(m.err);
  const uintptr_t r = RoundUp(m.addr, kRegion);
  std::string why;
  if (k.Touch(r, kPage) != 0) {
    why = "cannot fault a page";
  } else if (const int err = k.Madvise(r, kRegion, Advice::kCollapse); err != 0) {
    why = "MADV_COLLAPSE unavailable (" + ErrnoName(err) + "; it needs Linux 6.1+)";
  } else if (k.ResidentBytes(r, r + kRegion) != kRegion) {
    why = "MADV_COLLAPSE succeeded but did not populate the region";
  }
  k.Munmap(m.addr, 2 * kRegion);
  return why;
}

std::unique_ptr<Kernel> NewKernel(const std::string& name) {
  if (name == "linux") return std::make_unique<LinuxKernel>();
  SimOptions o;
  o.thp_mode = ThpMode::kMadvise;
  return std::make_unique<SimulatedKernel>(o);
}

class KhugepagedEmulatorTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "linux") {
      const std::string why = LinuxSkipReason();
      if (!why.empty()) GTEST_SKIP() << "real kernel: " << why;
    }
    kernel_ = NewKernel(GetParam());
    Kernel& k = *kernel_;
    // Read-only fences around the layout, so nothing outside merges with it.
    static uintptr_t next_hint = uintptr_t{0x230000000000};
    MmapResult fence = k.Mmap(next_hint, kRegions * kRegion + 8 * kMiB, Prot::kRead, 0);
    next_hint += uintptr_t{1} << 32;
    ASSERT_EQ(fence.err, 0);
    fence_ = fence.addr;
    base_ = RoundUp(fence.addr + kMiB, kRegion) + kRegion;
    ASSERT_EQ(MapFixed(k, base_, kRegions * kRegion), 0);

    ASSERT_EQ(k.Touch(R(0) + 100 * kPage, kPage), 0);
    ASSERT_EQ(k.Madvise(R(1), kRegion, Advice::kNoHugePage), 0);
    ASSERT_EQ(k.Touch(R(1) + 7 * kPage, kPage), 0);
    ASSERT_EQ(k.Madvise(R(2) + kMiB, kMiB, Advice::kHugePage), 0);
    ASSERT_EQ(k.Touch(R(2), kPage), 0);
    ASSERT_EQ(k.Touch(R(2) + kMiB + kPage, kPage), 0);
    ASSERT_EQ(k.Madvise(R(3), kMiB, Advice::kNoHugePage), 0);
    ASSERT_EQ(k.Touch(R(3) + kMiB, kPage), 0);
    ASSERT_EQ(k.Touch(R(4), kRegion), 0);
    ASSERT_EQ(k.Touch(R(6), kPage), 0);
    ASSERT_EQ(k.Touch(R(6) + 200 * kPage, kPage), 0);
    ASSERT_EQ(k.Touch(R(6) + 511 * kPage, kPage), 0);
    ASSERT_EQ(k.Mmap(R(7), kRegion, Prot::kRead, kMapFixed).err, 0);
    ASSERT_EQ(Present(4), 512);
    ASSERT_EQ(Present(6), 3);
  }

  void TearDown() override {
    if (kernel_ != nullptr) kernel_->Munmap(fence_, kRegions * kRegion + 8 * kMiB);
  }

  uintptr_t R(int i) const { return base_ + static_cast<uintptr_t>(i) * kRegion; }
  int Present(int i) const {
    return static_cast<int>(kernel_->ResidentBytes(R(i), R(i) + kRegion) / kPage);
  }
  // AnonHugePages of the VMAs over region i (smaps on the real kernel).
  uint64_t AnonHuge(int i) const { return kernel_->ResidencyOf(R(i), R(i) + kRegion).anon_huge_bytes; }
  std::vector<AddressRange> Layout() const { return {AddressRange{R(0), R(kRegions)}}; }

  KhugepagedEmulator Emulator(int max_ptes_none) {
    KhugepagedOptions o;
    o.max_ptes_none = max_ptes_none;
    absl::StatusOr<KhugepagedEmulator> e = KhugepagedEmulator::Create(*kernel_, o);
    EXPECT_TRUE(e.ok()) << e.status();
    return *std::move(e);
  }

  static std::vector<std::string> Verdicts(const std::vector<RegionScan>& scans) {
    std::vector<std::string> out;
    for (const RegionScan& s : scans) out.emplace_back(RegionVerdictName(s.verdict));
    return out;
  }

  std::unique_ptr<Kernel> kernel_;
  uintptr_t fence_ = 0;
  uintptr_t base_ = 0;
};

TEST_P(KhugepagedEmulatorTest, MaxPtesNoneZeroCollapsesNothingAndTheDefaultOnePage) {
  KhugepagedEmulator none0 = Emulator(0);
  std::vector<RegionScan> scans = none0.Scan(Layout());
  EXPECT_EQ(Verdicts(scans),
            (std::vector<std::string>{"too_sparse", "nohugepage", "not_in_one_vma", "nohugepage",
                                      "full", "empty", "too_sparse", "not_writable"}));
  EXPECT_EQ(scans[0].present, 1);
  EXPECT_EQ(scans[1].present, -1);  // decided by its VMA flag, residency never read
  EXPECT_EQ(scans[6].present, 3);
  EXPECT_EQ(Present(0), 1);
  EXPECT_EQ(AnonHuge(0), 0u);
  EXPECT_EQ(none0.totals().bytes_added, 0u);

  KhugepagedEmulator deflt = Emulator(kDefaultMaxPtesNone);
  scans = deflt.Scan(Layout());
  EXPECT_EQ(Verdicts(scans),
            (std::vector<std::string>{"collapsed", "nohugepage", "not_in_one_vma", "nohugepage",
                                      "full", "empty", "collapsed", "not_writable"}));
  // One present page became 2 MiB resident, PMD-mapped.
  EXPECT_EQ(Present(0), 512);
  EXPECT_EQ(AnonHuge(0), kRegion);   // R0 is a VMA of its own
  EXPECT_EQ(Present(6), 512);
  EXPECT_EQ(AnonHuge(6), kRegion);   // R4..R6 share a VMA; R4 stays PTE-mapped
  EXPECT_EQ(Present(1), 1);
  EXPECT_EQ(Present(2), 2);
  EXPECT_EQ(Present(3), 1);
  EXPECT_EQ(Present(5), 0);
  EXPECT_EQ(deflt.totals().bytes_added, (511u + 509u) * kPage);
  EXPECT_EQ(deflt.totals().count(RegionVerdict::kCollapsed), 2);
  EXPECT_TRUE(deflt.totals().collapse_errors.empty());

  // A second pass finds them full and advises nothing.
  scans = deflt.Scan(Layout());
  EXPECT_EQ(scans[0].verdict, RegionVerdict::kFull);
  EXPECT_EQ(scans[6].verdict, RegionVerdict::kFull);
  EXPECT_EQ(deflt.totals().count(RegionVerdict::kCollapsed), 2);
  EXPECT_EQ(deflt.totals().scans, 2);
}

TEST_P(KhugepagedEmulatorTest, ThresholdIsAbsentPagesAtMostMaxPtesNone) {
  KhugepagedEmulator below = Emulator(508);  // R6 has 509 absent
  EXPECT_EQ(below.Scan(Layout())[6].verdict, RegionVerdict::kTooSparse);
  EXPECT_EQ(Present(6), 3);
  KhugepagedEmulator at = Emulator(509);
  std::vector<RegionScan> scans = at.Scan(Layout());
  EXPECT_EQ(scans[6].verdict, RegionVerdict::kCollapsed);
  EXPECT_EQ(scans[0].verdict, RegionVerdict::kTooSparse);  // 511 absent
  EXPECT_EQ(Present(6), 512);
}

TEST_P(KhugepagedEmulatorTest, KernelAgreesWithRulesOneAndTwo) {
  // The rule keeps MADV_COLLAPSE off NOHUGEPAGE and straddling regions; the
  // kernel itself would not collapse them either.
  for (int i : {1, 2, 3}) {
    const int before = Present(i);
    kernel_->Madvise(R(i), kRegion, Advice::kCollapse);
    EXPECT_EQ(Present(i), before) << "region " << i;
    EXPECT_EQ(AnonHuge(i), 0u) << "region " << i;
  }
}

TEST_P(KhugepagedEmulatorTest, TimesEachCollapseWhenGivenAClock) {
  KhugepagedOptions o;
  o.wall_ns = [] {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
  };
  absl::StatusOr<KhugepagedEmulator> e = KhugepagedEmulator::Create(*kernel_, o);
  ASSERT_TRUE(e.ok()) << e.status();
  e->Scan(Layout());
  ASSERT_EQ(e->totals().collapse_ns.size(), 2u);  // R0 and R6, nothing else advised
  for (int64_t ns : e->totals().collapse_ns) EXPECT_GE(ns, 0);
}

INSTANTIATE_TEST_SUITE_P(Kernels, KhugepagedEmulatorTest, ::testing::Values("sim", "linux"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(KhugepagedEmulator, RejectsMaxPtesNoneOutsideTheKernelsRange) {
  SimulatedKernel k;
  for (int bad : {-1, 512}) {
    KhugepagedOptions o;
    o.max_ptes_none = bad;
    absl::StatusOr<KhugepagedEmulator> e = KhugepagedEmulator::Create(k, o);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.status().message(),
              "max_ptes_none=" + std::to_string(bad) + ": expected 0 to 511");
  }
}

TEST(KhugepagedEmulator, A2015KernelCollapsesThroughTheSimsKhugepaged) {
  SimOptions so;
  so.profile = Linux2015Profile();
  so.thp_mode = ThpMode::kMadvise;
  SimulatedKernel k(so);
  absl::StatusOr<KhugepagedEmulator> no = KhugepagedEmulator::Create(k, KhugepagedOptions());
  ASSERT_FALSE(no.ok());
  EXPECT_EQ(no.status().message(),
            "kernel sim has no MADV_COLLAPSE to collapse with, and no collapser was given");

  const uintptr_t base = uintptr_t{0x240000000000};
  ASSERT_EQ(MapFixed(k, base, 2 * kRegion), 0);
  ASSERT_EQ(k.Touch(base + kRegion, kPage), 0);
  KhugepagedOptions o;
  o.collapse = [&k](uintptr_t r) { return k.CollapseRegion(r); };
  absl::StatusOr<KhugepagedEmulator> e = KhugepagedEmulator::Create(k, o);
  ASSERT_TRUE(e.ok()) << e.status();
  std::vector<RegionScan> scans = e->Scan({AddressRange{base, base + 2 * kRegion}});
  ASSERT_EQ(scans.size(), 2u);
  EXPECT_EQ(scans[0].verdict, RegionVerdict::kEmpty);
  EXPECT_EQ(scans[1].verdict, RegionVerdict::kCollapsed);
  EXPECT_EQ(k.ResidencyOf(base, base + 2 * kRegion), (Residency{kRegion, kRegion}));
  // The sim's khugepaged collapse refuses what MADV_COLLAPSE refuses.
  EXPECT_EQ(k.CollapseRegion(base + kPage), EINVAL);              // unaligned
  EXPECT_EQ(k.CollapseRegion(base + 4 * kRegion), EINVAL);        // unmapped
  ASSERT_EQ(k.Madvise(base, kRegion, Advice::kNoHugePage), 0);
  ASSERT_EQ(k.Touch(base, kPage), 0);
  EXPECT_EQ(k.CollapseRegion(base), EINVAL);                      // VM_NOHUGEPAGE
}

TEST(KhugepagedEmulator, ScansOnlyRegionsWhollyInsideTheRanges) {
  SimOptions so;
  so.thp_mode = ThpMode::kMadvise;
  SimulatedKernel k(so);
  const uintptr_t base = uintptr_t{0x250000000000};
  ASSERT_EQ(MapFixed(k, base, 4 * kRegion), 0);
  ASSERT_EQ(k.Touch(base, 4 * kRegion), 0);
  ASSERT_EQ(k.Madvise(base, 4 * kRegion, Advice::kDontNeed), 0);
  for (int i = 0; i < 4; ++i) ASSERT_EQ(k.Touch(base + i * kRegion + kMiB, kPage), 0);
  absl::StatusOr<KhugepagedEmulator> e = KhugepagedEmulator::Create(k, KhugepagedOptions());
  ASSERT_TRUE(e.ok());
  // [base + 4 KiB, base + 3 regions + 1 MiB) wholly contains regions 1 and 2.
  std::vector<RegionScan> scans =
      e->Scan({AddressRange{base + kPage, base + 3 * kRegion + kMiB}});
  ASSERT_EQ(scans.size(), 2u);
  EXPECT_EQ(scans[0].base, base + kRegion);
  EXPECT_EQ(scans[1].base, base + 2 * kRegion);
  EXPECT_EQ(k.ResidentBytes(base, base + 4 * kRegion), 2 * kRegion + 2 * kPage);
}

}  // namespace
}  // namespace thp
