// The real kernel through the seam: read-back matches what was asked for.
#include "runtime_port/kernel/linux_kernel.h"

#include "runtime_port/base/file_io.h"
#include "runtime_port/kernel/proc_maps.h"

#include <cerrno>
#include <optional>

#include "gtest/gtest.h"

namespace thp {
namespace {

constexpr uintptr_t kMiB = uintptr_t{1} << 20;

// A 2 MiB-aligned private range fenced by read-only guards so it never merges
// with the rest of the process, placed far from where the test's own
// allocations (glibc's or ASan's) go.
uintptr_t ReserveFenced(LinuxKernel& k, uintptr_t len) {
  static uintptr_t next_hint = uintptr_t{0x210000000000};
  MmapResult r = k.Mmap(next_hint, len + 8 * kMiB, Prot::kRead, 0);
  next_hint += uintptr_t{1} << 32;
  EXPECT_EQ(r.err, 0);
  return RoundUp(r.addr + kMiB, 2 * kMiB) + 2 * kMiB;
}

TEST(LinuxKernel, MapsAdvisesAndReadsBack) {
  LinuxKernel k;
  const uintptr_t base = ReserveFenced(k, 8 * kMiB);
  ASSERT_EQ(k.Vmas(base - 2 * kMiB, base + 10 * kMiB).size(), 1u);
  ASSERT_EQ(MapFixed(k, base, 8 * kMiB), 0);
  EXPECT_EQ(k.Vmas(base - 2 * kMiB, base + 10 * kMiB).size(), 3u);  // the fence split around it
  EXPECT_GT(k.MapCount(), 3);
  ASSERT_EQ(k.Madvise(base + 8192, 8192, Advice::kNoHugePage), 0);
  std::vector<Vma> vmas = k.Vmas(base, base + 8 * kMiB);
  ASSERT_EQ(vmas.size(), 3u);
  EXPECT_EQ(vmas[1], (Vma{base + 8192, base + 16384, Prot::kReadWrite, HugeFlag::kNoHuge}));
  EXPECT_EQ(vmas[0].huge, HugeFlag::kNone);
  ASSERT_EQ(k.Touch(base, 3 * 4096), 0);
  EXPECT_EQ(k.ResidencyOf(base, base + 8 * kMiB).resident_bytes, 3 * 4096u);
  EXPECT_EQ(k.ResidencyOf(base + 4096, base + 8192).resident_bytes, 4096u);
  EXPECT_FALSE(k.RangeUnmapped(base, 4096));
  ASSERT_EQ(k.Munmap(base, 8 * kMiB), 0);
  EXPECT_TRUE(k.RangeUnmapped(base, 8 * kMiB));
}

TEST(LinuxKernel, TouchOfABadRangeIsAnErrnoNotACrash) {
  LinuxKernel k;
  const uintptr_t base = ReserveFenced(k, 4 * kMiB);
  EXPECT_EQ(k.Touch(base, 4096), EINVAL);  // read-only fence
  ASSERT_EQ(k.Munmap(base, 4 * kMiB), 0);
  EXPECT_EQ(k.Touch(base, 4096), ENOMEM);
}

TEST(LinuxKernel, TryCollapseIsNotAKernelFeature) {
  LinuxKernel k;
  EXPECT_FALSE(k.Supports(Advice::kTryCollapse));
  EXPECT_TRUE(k.Supports(Advice::kCollapse));
}

TEST(LinuxKernel, ResidentBytesAgreesWithResidencyOf) {
  LinuxKernel k;
  const uintptr_t base = ReserveFenced(k, 8 * kMiB);
  ASSERT_EQ(MapFixed(k, base, 6 * kMiB), 0);
  ASSERT_EQ(k.Madvise(base + 2 * kMiB, 2 * kMiB, Advice::kHugePage), 0);
  ASSERT_EQ(k.Touch(base + 4096, 3 * 4096), 0);
  ASSERT_EQ(k.Touch(base + 2 * kMiB + 8192, 4096), 0);  // a huge fault
  ASSERT_EQ(k.Munmap(base + 5 * kMiB, kMiB), 0);         // a hole: mincore's ENOMEM
  const uintptr_t cuts[] = {base, base + 4096, base + 2 * kMiB, base + 3 * kMiB + 4096,
                            base + 4 * kMiB, base + 6 * kMiB};
  for (uintptr_t lo : cuts) {
    for (uintptr_t hi : cuts) {
      if (hi <= lo) continue;
      EXPECT_EQ(k.ResidentBytes(lo, hi), k.ResidencyOf(lo, hi).resident_bytes)
          << std::hex << lo - base << ".." << hi - base;
    }
  }
  EXPECT_EQ(k.ResidentBytes(base, base + 2 * kMiB), 3 * 4096u);
  EXPECT_EQ(k.ResidentBytes(base + 2 * kMiB, base + 4 * kMiB), 2 * kMiB);
  EXPECT_EQ(k.ResidentBytes(base, base + 6 * kMiB), 2 * kMiB + 3 * 4096);  // across the hole
}

// The two ways of reading residency agree: the ioctls (PROCMAP_QUERY,
// PAGEMAP_SCAN) and /proc/self/smaps with mincore, over ranges that cut
// VMAs, a hole, huge pages (where this machine's THP mode makes them) and
// a DONTNEED inside one.
TEST(LinuxKernel, ResidencyByScanAgreesWithSmaps) {
  LinuxKernel k;
  const uintptr_t base = ReserveFenced(k, 12 * kMiB);
  ASSERT_EQ(MapFixed(k, base, 10 * kMiB), 0);
  if (!k.ResidencyByScan(base, base + kMiB).has_value()) {
    GTEST_SKIP() << "this kernel has no PROCMAP_QUERY or PAGEMAP_SCAN (Linux 6.11+); smaps is used";
  }
  ASSERT_EQ(k.Madvise(base + 2 * kMiB, 6 * kMiB, Advice::kHugePage), 0);
  ASSERT_EQ(k.Touch(base + 4096, 3 * 4096), 0);
  ASSERT_EQ(k.Touch(base + 2 * kMiB, 6 * kMiB), 0);          // three huge faults
  ASSERT_EQ(k.Madvise(base + 4 * kMiB + 8192, 8192, Advice::kDontNeed), 0);  // splits one
  ASSERT_EQ(k.Madvise(base + 6 * kMiB, 2 * kMiB, Advice::kNoHugePage), 0);  // a VMA of its own
  ASSERT_EQ(k.Munmap(base + 9 * kMiB, kMiB), 0);             // a hole
  const uintptr_t cuts[] = {base, base + 4096, base + 2 * kMiB, base + 3 * kMiB + 4096,
                            base + 4 * kMiB, base + 6 * kMiB + 8192, base + 8 * kMiB,
                            base + 10 * kMiB};
  for (uintptr_t lo : cuts) {
    for (uintptr_t hi : cuts) {
      if (hi <= lo) continue;
      // The range's VMAs are HUGEPAGE, so this machine's khugepaged may
      // collapse the split region back between two reads (adding the two
      // pages DONTNEED dropped): compare the two methods on a state that
      // held across both, read again if a scan after smaps differs.
      std::optional<Residency> scan;
      Residency smaps;
      for (int attempt = 0; attempt < 5; ++attempt) {
        scan = k.ResidencyByScan(lo, hi);
        ASSERT_TRUE(scan.has_value());
        smaps = k.ResidencyBySmaps(lo, hi);
        const std::optional<Residency> again = k.ResidencyByScan(lo, hi);
        ASSERT_TRUE(again.has_value());
        if (again->resident_bytes == scan->resident_bytes &&
            again->anon_huge_bytes == scan->anon_huge_bytes) {
          break;
        }
      }
      EXPECT_EQ(scan->resident_bytes, smaps.resident_bytes) << std::hex << lo - base << ".." << hi - base;
      EXPECT_EQ(scan->anon_huge_bytes, smaps.anon_huge_bytes) << std::hex << lo - base << ".." << hi - base;
    }
  }
  // An unaligned range is smaps' to read, and does not turn the ioctls off.
  EXPECT_FALSE(k.ResidencyByScan(base + 100, base + kMiB).has_value());
  EXPECT_TRUE(k.ResidencyByScan(base, base + kMiB).has_value());
  const Residency all = k.ResidencyBySmaps(base, base + 10 * kMiB);
  EXPECT_GE(all.resident_bytes, 3 * 4096 + 6 * kMiB - 8192);
  EXPECT_EQ(all.anon_huge_bytes % (2 * kMiB), 0u);
}

TEST(LinuxKernel, ReadsSystemSettingsWithoutChangingThem) {
  absl::StatusOr<ThpMode> mode = ReadThpMode();
  ASSERT_TRUE(mode.ok()) << mode.status();
  absl::StatusOr<int64_t> limit = ReadMaxMapCount();
  ASSERT_TRUE(limit.ok()) << limit.status();
  EXPECT_GT(*limit, 0);
}

}  // namespace
}  // namespace thp

namespace thp {
namespace {

TEST(LinuxKernel, MapCountStreamsAndAgreesWithTheParser) {
  LinuxKernel k;
  // Reading the file allocates, and an allocator (ASan's especially) may map
  // memory while doing so; compare only when the count held still around
  // the read.
  for (int attempt = 0; attempt < 20; ++attempt) {
    const int64_t before = k.MapCount();
    absl::StatusOr<std::string> text = ReadWholeFile("/proc/self/maps");
    ASSERT_TRUE(text.ok());
    const int64_t after = k.MapCount();
    if (before != after) continue;
    absl::StatusOr<std::vector<MapsEntry>> entries = ParseMaps(*text);
    ASSERT_TRUE(entries.ok());
    EXPECT_EQ(before, MapCountOf(*entries));
    return;
  }
  FAIL() << "the VMA count never held still across a read of /proc/self/maps";
}

}  // namespace
}  // namespace thp
