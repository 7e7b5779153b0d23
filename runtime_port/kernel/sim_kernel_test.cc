// Exact VMA layouts and errnos of the simulated kernel for the cases the
// project's story rests on. The differential test holds the linux6 profile to
// the real kernel; these pin the rules by name, including the 2015 profile
// that no machine here can run.
#include "runtime_port/kernel/sim_kernel.h"

#include <cerrno>

#include "gtest/gtest.h"

namespace thp {
namespace {

constexpr uintptr_t kBase = uintptr_t{0xc820000000};
constexpr uintptr_t kMiB = uintptr_t{1} << 20;
constexpr uintptr_t k8K = 8192;

SimulatedKernel MakeKernel(KernelProfile profile = Linux6Profile()) {
  SimOptions o;
  o.profile = profile;
  return SimulatedKernel(o);
}

Vma V(uintptr_t s, uintptr_t e, HugeFlag f, Prot p = Prot::kReadWrite) {
  return Vma{kBase + s, kBase + e, p, f};
}

using F = HugeFlag;

TEST(SimKernel, FlagChangeInsideAVmaSplitsItInThree) {
  SimulatedKernel k = MakeKernel();
  ASSERT_EQ(MapFixed(k, kBase, 64 * kMiB), 0);
  EXPECT_EQ(k.MapCount(), 1);
  EXPECT_EQ(k.Madvise(kBase + k8K, k8K, Advice::kNoHugePage), 0);
  EXPECT_EQ(k.Vmas(kBase, kBase + 64 * kMiB),
            (std::vector<Vma>{V(0, k8K, F::kNone), V(k8K, 2 * k8K, F::kNoHuge),
                              V(2 * k8K, 64 * kMiB, F::kNone)}));
  k.CheckInvariants();
}

TEST(SimKernel, Go15ScavengeReuseSequenceUnder2015Profile) {
  // The advice Go 1.5.1 sends (runtime/mheap.go: scavengelist's sysUnused,
  // mHeap_AllocSpanLocked's sysUsed; mem_linux.go from 7e1b61c): scavenge S1,
  // scavenge S2 (merges), reuse S1+S2 as HUGEPAGE, scavenge the trimmed
  // remainder. The kernel side is 2015's madvise_behavior (mm/madvise.c:
  // merge with a neighbour, else split at both ends) and hugepage_madvise
  // (mm/huge_memory.c: EINVAL on a flag already set).
  SimulatedKernel k = MakeKernel(Linux2015Profile());
  ASSERT_EQ(MapFixed(k, kBase, 64 * kMiB), 0);
  const uintptr_t x1 = 3 * k8K, x2 = 7 * k8K, x3 = 12 * k8K;
  EXPECT_EQ(k.Madvise(kBase + x1, x2 - x1, Advice::kNoHugePage), 0);
  EXPECT_EQ(k.MapCount(), 3);
  EXPECT_EQ(k.Madvise(kBase + x2, x3 - x2, Advice::kNoHugePage), 0);
  EXPECT_EQ(k.Vmas(kBase, kBase + 64 * kMiB),
            (std::vector<Vma>{V(0, x1, F::kNone), V(x1, x3, F::kNoHuge),
                              V(x3, 64 * kMiB, F::kNone)}));
  EXPECT_EQ(k.Madvise(kBase + x1, x3 - x1, Advice::kHugePage), 0);
  EXPECT_EQ(k.Madvise(kBase + x1 + k8K, x3 - x1 - k8K, Advice::kNoHugePage), 0);
  EXPECT_EQ(k.Vmas(kBase, kBase + 64 * kMiB),
            (std::vector<Vma>{V(0, x1, F::kNone), V(x1, x1 + k8K, F::kHuge),
                              V(x1 + k8K, x3, F::kNoHuge), V(x3, 64 * kMiB, F::kNone)}));
  // Step 5: HUGEPAGE starting inside an already-HUGE VMA fails at once and
  // leaves the NOHUGEPAGE part after it untouched.
  EXPECT_EQ(k.Madvise(kBase + x1, x3 - x1, Advice::kHugePage), EINVAL);
  EXPECT_EQ(k.Vmas(kBase + x1, kBase + x3).back().huge, F::kNoHuge);
}

TEST(SimKernel, Linux6ReflagIsANoOpReturningZero) {
  SimulatedKernel k = MakeKernel();
  ASSERT_EQ(MapFixed(k, kBase, 8 * kMiB), 0);
  ASSERT_EQ(k.Madvise(kBase + 2 * kMiB, 2 * kMiB, Advice::kHugePage), 0);
  EXPECT_EQ(k.Madvise(kBase + 2 * kMiB, 4 * kMiB, Advice::kHugePage), 0);
  EXPECT_EQ(k.Vmas(kBase, kBase + 8 * kMiB),
            (std::vector<Vma>{V(0, 2 * kMiB, F::kNone), V(2 * kMiB, 6 * kMiB, F::kHuge),
                              V(6 * kMiB, 8 * kMiB, F::kNone)}));
}

TEST(SimKernel, SeparatelyFaultedVmasDoNotMergeUnderLinux6) {
  SimulatedKernel k = MakeKernel();
  ASSERT_EQ(MapFixed(k, kBase, 6 * kMiB), 0);
  ASSERT_EQ(k.Madvise(kBase, 2 * kMiB, Advice::kHugePage), 0);
  ASSERT_EQ(k.Madvise(kBase + 4 * kMiB, 2 * kMiB, Advice::kHugePage), 0);
  ASSERT_EQ(k.Touch(kBase, k8K), 0);                // first piece gets anon_vma A
  ASSERT_EQ(k.Touch(kBase + 4 * kMiB, k8K), 0);     // third gets anon_vma B
  ASSERT_EQ(k.Madvise(kBase + 2 * kMiB, 2 * kMiB, Advice::kHugePage), 0);
  // The middle joins one side only: A and B cannot share one VMA.
  EXPECT_EQ(k.Vmas(kBase, kBase + 6 * kMiB),
            (std::vector<Vma>{V(0, 4 * kMiB, F::kHuge), V(4 * kMiB, 6 * kMiB, F::kHuge)}));
}

TEST(SimKernel, FaultedVmaDoesNotMergeIntoUnfaultedNeighbourUnder2015) {
  SimulatedKernel k6 = MakeKernel();
  SimulatedKernel k15 = MakeKernel(Linux2015Profile());
  for (SimulatedKernel* k : {&k6, &k15}) {
    ASSERT_EQ(MapFixed(*k, kBase, 4 * kMiB), 0);
    ASSERT_EQ(k->Madvise(kBase, 2 * kMiB, Advice::kHugePage), 0);
    ASSERT_EQ(k->Madvise(kBase + 2 * kMiB, 2 * kMiB, Advice::kNoHugePage), 0);
    ASSERT_EQ(k->Touch(kBase + 2 * kMiB, k8K), 0);  // the NOHUGE half is faulted
    ASSERT_EQ(k->Madvise(kBase + 2 * kMiB, 2 * kMiB, Advice::kHugePage), 0);
  }
  EXPECT_EQ(k6.MapCount(), 1);   // merged
  EXPECT_EQ(k15.MapCount(), 2);  // the 2015 rule keeps them apart
}

TEST(SimKernel, SplitRefusedAtTheLimitIsEagainAndLeavesFlags) {
  SimOptions o;
  o.max_map_count = 3;
  SimulatedKernel k(o);
  ASSERT_EQ(MapFixed(k, kBase, 64 * kMiB), 0);
  ASSERT_EQ(k.Madvise(kBase + k8K, k8K, Advice::kNoHugePage), 0);  // 3 VMAs now
  EXPECT_EQ(k.Madvise(kBase + 4 * k8K, k8K, Advice::kHugePage), EAGAIN);
  EXPECT_EQ(k.MapCount(), 3);
  EXPECT_EQ(k.Vmas(kBase + 4 * k8K, kBase + 5 * k8K)[0].huge, F::kNone);
  // A change that merges needs no split and still works at the limit.
  EXPECT_EQ(k.Madvise(kBase + 2 * k8K, k8K, Advice::kNoHugePage), 0);
  EXPECT_EQ(k.MapCount(), 3);
}

TEST(SimKernel, SecondSplitRefusedLeavesTheFirstDone) {
  SimOptions o;
  o.max_map_count = 2;
  SimulatedKernel k(o);
  ASSERT_EQ(MapFixed(k, kBase, 64 * kMiB), 0);
  EXPECT_EQ(k.Madvise(kBase + k8K, k8K, Advice::kNoHugePage), EAGAIN);
  EXPECT_EQ(k.Vmas(kBase, kBase + 64 * kMiB),
            (std::vector<Vma>{V(0, k8K, F::kNone), V(k8K, 64 * kMiB, F::kNone)}));
}

TEST(SimKernel, MmapLimitIsGreaterThanAndMunmapHolePunchIsAtLeast) {
  SimOptions o;
  o.max_map_count = 2;
  SimulatedKernel k(o);
  ASSERT_EQ(MapFixed(k, kBase, 2 * kMiB), 0);
  ASSERT_EQ(k.Mmap(kBase + 4 * kMiB, 2 * kMiB, Prot::kNone, 0).err, 0);  // count 2 == limit
  // count == limit: one more non-mergeable mmap is still allowed (>), ...
  MmapResult third = k.Mmap(kBase + 8 * kMiB, 2 * kMiB, Prot::kNone, kMapNoReserve);
  ASSERT_EQ(third.err, 0);
  EXPECT_EQ(k.MapCount(), 3);
  // ... after which every mmap fails, even one that would merge.
  EXPECT_EQ(k.Mmap(kBase + 2 * kMiB, 2 * kMiB, Prot::kReadWrite, kMapFixed).err, ENOMEM);
  // Punching a hole needs count < limit; trimming an end does not.
  EXPECT_EQ(k.Munmap(kBase + kMiB / 2, k8K), ENOMEM);
  EXPECT_EQ(k.Munmap(kBase, k8K), 0);
  EXPECT_EQ(k.MapCount(), 3);
}

TEST(SimKernel, MadviseOverAHoleAdvisesTheRestAndReportsEnomem) {
  SimulatedKernel k = MakeKernel();
  ASSERT_EQ(MapFixed(k, kBase, 2 * kMiB), 0);
  ASSERT_EQ(MapFixed(k, kBase + 4 * kMiB, 2 * kMiB), 0);
  EXPECT_EQ(k.Madvise(kBase, 6 * kMiB, Advice::kNoHugePage), ENOMEM);
  EXPECT_EQ(k.Vmas(kBase, kBase + 6 * kMiB),
            (std::vector<Vma>{V(0, 2 * kMiB, F::kNoHuge), V(4 * kMiB, 6 * kMiB, F::kNoHuge)}));
  EXPECT_EQ(k.Madvise(kBase + 1, k8K, Advice::kDontNeed), EINVAL);
  EXPECT_EQ(k.Madvise(kBase, 0, Advice::kDontNeed), 0);
}

TEST(SimKernel, HugeFaultsDontneedAndCollapse) {
  SimulatedKernel k = MakeKernel();  // THP mode "madvise"
  ASSERT_EQ(MapFixed(k, kBase, 8 * kMiB), 0);
  ASSERT_EQ(k.Madvise(kBase + 2 * kMiB, 4 * kMiB, Advice::kHugePage), 0);
  ASSERT_EQ(k.Touch(kBase + 2 * kMiB, 4096), 0);
  EXPECT_EQ(k.ResidencyOf(kBase, kBase + 8 * kMiB), (Residency{2 * kMiB, 2 * kMiB}));
  // A partial DONTNEED splits the huge page.
  ASSERT_EQ(k.Madvise(kBase + 2 * kMiB, 4096, Advice::kDontNeed), 0);
  EXPECT_EQ(k.ResidencyOf(kBase, kBase + 8 * kMiB), (Residency{2 * kMiB - 4096, 0}));
  // A whole-region DONTNEED frees the table; the next fault is huge again.
  ASSERT_EQ(k.Madvise(kBase + 2 * kMiB, 2 * kMiB, Advice::kDontNeed), 0);
  ASSERT_EQ(k.Touch(kBase + 2 * kMiB + 8192, 4096), 0);
  EXPECT_EQ(k.ResidencyOf(kBase, kBase + 8 * kMiB), (Residency{2 * kMiB, 2 * kMiB}));
  // COLLAPSE: one present page suffices, none (pmd_none) is EINVAL, a range
  // that clamps to no region is 0 in a faulted VMA (EINVAL when it starts and
  // ends inside one huge page) and EINVAL in a VMA that never had a fault.
  ASSERT_EQ(k.Touch(kBase, 4096), 0);
  EXPECT_EQ(k.Madvise(kBase, 2 * kMiB, Advice::kCollapse), 0);
  EXPECT_EQ(k.ResidencyOf(kBase, kBase + 2 * kMiB), (Residency{2 * kMiB, 2 * kMiB}));
  for (uintptr_t lo = kBase; lo < kBase + 8 * kMiB; lo += kMiB + 4096) {
    for (uintptr_t hi = lo + 4096; hi <= kBase + 8 * kMiB; hi += 3 * kMiB / 2) {
      EXPECT_EQ(k.ResidentBytes(lo, hi), k.ResidencyOf(lo, hi).resident_bytes);
    }
  }
  EXPECT_EQ(k.Madvise(kBase + 6 * kMiB, 2 * kMiB, Advice::kCollapse), EINVAL);
  EXPECT_EQ(k.Madvise(kBase + kMiB, 2 * kMiB, Advice::kCollapse), 0);  // hstart == hend per VMA
  EXPECT_EQ(k.Madvise(kBase + 4 * kMiB + 8192, 8192, Advice::kCollapse), EINVAL);  // hstart > hend
  EXPECT_EQ(k.Madvise(kBase + 7 * kMiB, kMiB, Advice::kCollapse), EINVAL);
  // NOHUGEPAGE is respected by COLLAPSE.
  ASSERT_EQ(k.Madvise(kBase + 6 * kMiB, 2 * kMiB, Advice::kNoHugePage), 0);
  ASSERT_EQ(k.Touch(kBase + 6 * kMiB, 4096), 0);
  EXPECT_EQ(k.Madvise(kBase + 6 * kMiB, 2 * kMiB, Advice::kCollapse), EINVAL);
}

TEST(SimKernel, CollapseIsUnknownUnder2015Profile) {
  SimulatedKernel k = MakeKernel(Linux2015Profile());
  ASSERT_EQ(MapFixed(k, kBase, 4 * kMiB), 0);
  ASSERT_EQ(k.Touch(kBase, 4096), 0);
  EXPECT_FALSE(k.Supports(Advice::kCollapse));
  EXPECT_EQ(k.Madvise(kBase, 2 * kMiB, Advice::kCollapse), EINVAL);
}

TEST(SimKernel, TouchErrorsMirrorPopulateWrite) {
  SimulatedKernel k = MakeKernel();
  ASSERT_EQ(MapFixed(k, kBase, 2 * kMiB), 0);
  ASSERT_EQ(k.Mmap(kBase + 2 * kMiB, 2 * kMiB, Prot::kNone, kMapFixed).err, 0);
  EXPECT_EQ(k.Touch(kBase + kMiB, 2 * kMiB), EINVAL);  // pages before it are faulted
  EXPECT_EQ(k.ResidencyOf(kBase, kBase + 4 * kMiB).resident_bytes, kMiB);
  EXPECT_EQ(k.Touch(kBase + 8 * kMiB, 4096), ENOMEM);
}

TEST(SimKernel, KernelChosenAddressesAreTopDownAndThpAligned) {
  SimulatedKernel k = MakeKernel();
  MmapResult a = k.Mmap(0, 256 * 1024, Prot::kReadWrite, 0);
  MmapResult b = k.Mmap(0, 256 * 1024, Prot::kReadWrite, 0);
  ASSERT_EQ(a.err, 0);
  ASSERT_EQ(b.err, 0);
  EXPECT_EQ(b.addr + 256 * 1024, a.addr);
  EXPECT_EQ(k.MapCount(), 1);  // adjacent and alike: merged
  MmapResult c = k.Mmap(0, 4 * kMiB, Prot::kReadWrite, 0);
  ASSERT_EQ(c.err, 0);
  EXPECT_EQ(c.addr % (2 * kMiB), 0u);
  // A free hint is honoured.
  MmapResult d = k.Mmap(kBase, 64 * 1024, Prot::kNone, 0);
  EXPECT_EQ(d.addr, kBase);
  EXPECT_TRUE(k.RangeUnmapped(kBase + 64 * 1024, 4096));
  EXPECT_FALSE(k.RangeUnmapped(kBase, 4096));
}

TEST(SimKernel, NoreserveMappingsDoNotMergeWithAccountedOnes) {
  SimulatedKernel k = MakeKernel();
  ASSERT_EQ(MapFixed(k, kBase, 2 * kMiB, /*noreserve=*/false), 0);
  ASSERT_EQ(MapFixed(k, kBase + 2 * kMiB, 2 * kMiB, /*noreserve=*/true), 0);
  EXPECT_EQ(k.MapCount(), 2);
  ASSERT_EQ(MapFixed(k, kBase + 4 * kMiB, 2 * kMiB, /*noreserve=*/true), 0);
  EXPECT_EQ(k.MapCount(), 2);
}

TEST(SimKernel, ModelCostsKilobytesNotGigabytes) {
  SimulatedKernel k = MakeKernel();
  ASSERT_EQ(MapFixed(k, kBase, uintptr_t{128} << 30, /*noreserve=*/true), 0);
  ASSERT_EQ(k.Touch(kBase, 4096), 0);
  ASSERT_EQ(k.Touch(kBase + (uintptr_t{100} << 30), 4096), 0);
  EXPECT_EQ(k.ResidencyOf(kBase, kBase + (uintptr_t{128} << 30)).resident_bytes, 8192u);
}

}  // namespace
}  // namespace thp
