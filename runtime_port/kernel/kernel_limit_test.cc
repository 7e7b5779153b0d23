// The vm.max_map_count boundary on the real kernel and the simulated one.
//
// The test drives this very process to the limit (alternating NOHUGEPAGE /
// HUGEPAGE on 8 KiB units of a MAP_NORESERVE range until a split is
// refused), then records what the kernel does at the boundary: a split, a
// non-mergeable mmap at map_count == limit and again above it, a munmap that
// punches a hole, a munmap that trims an end. Nothing is allocated while the
// process sits at the limit (results go into a fixed array). Then it undoes
// everything and replays the same steps on a SimulatedKernel whose baseline
// is the process's count before the test; errnos and counts must agree.
//
// Skipped under AddressSanitizer, whose runtime maps memory whenever it
// likes and so cannot sit at the limit deterministically.
#include <array>
#include <cerrno>
#include <cstdio>

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "runtime_port/kernel/linux_kernel.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

constexpr uintptr_t kArena = uintptr_t{0x220000000000};
constexpr uintptr_t kArenaLen = uintptr_t{1} << 30;
constexpr uintptr_t kOther1 = uintptr_t{0x230000000000};
constexpr uintptr_t kOther2 = uintptr_t{0x231000000000};
constexpr uintptr_t k8K = 8192;

struct Outcome {
  int64_t refused_unit = -1;  // the first unit whose advice was refused
  int refusal = 0;
  std::array<int, 6> err{};
  std::array<int64_t, 7> count{};

  std::string ToString() const {
    return absl::StrFormat(
        "refused unit %d with %s; counts %d %d %d %d %d %d %d; errnos %s %s %s %s %s %s",
        refused_unit, ErrnoName(refusal), count[0], count[1], count[2], count[3], count[4],
        count[5], count[6], ErrnoName(err[0]), ErrnoName(err[1]), ErrnoName(err[2]),
        ErrnoName(err[3]), ErrnoName(err[4]), ErrnoName(err[5]));
  }
  bool operator==(const Outcome& o) const {
    return refused_unit == o.refused_unit && refusal == o.refusal && err == o.err &&
           count == o.count;
  }
};

// The same steps on any kernel. Returns with the kernel back where it was.
[[maybe_unused]] Outcome Drive(Kernel& k) {
  Outcome o;
  o.count[0] = k.MapCount();
  k.Mmap(kArena, kArenaLen, Prot::kReadWrite, kMapNoReserve | kMapFixed);
  for (int64_t i = 0; i * k8K < kArenaLen / 2; ++i) {
    int err = k.Madvise(kArena + i * k8K, k8K, i % 2 ? Advice::kHugePage : Advice::kNoHugePage);
    if (err != 0) {
      o.refused_unit = i;
      o.refusal = err;
      break;
    }
  }
  o.count[1] = k.MapCount();                                        // == limit
  o.err[0] = k.Mmap(kOther1, 65536, Prot::kRead, kMapFixed).err;     // count == limit: allowed
  o.count[2] = k.MapCount();                                        // limit + 1
  o.err[1] = k.Mmap(kOther2, 65536, Prot::kRead, kMapFixed).err;     // count > limit: ENOMEM
  o.err[2] = k.Munmap(kArena + kArenaLen - 64 * k8K, k8K);          // hole punch: ENOMEM
  o.count[3] = k.MapCount();
  o.err[3] = k.Munmap(kOther1, 65536);                              // back to the limit
  o.count[4] = k.MapCount();
  o.err[4] = k.Munmap(kArena + kArenaLen - k8K, k8K);               // trims an end: allowed
  o.count[5] = k.MapCount();
  o.err[5] = k.Madvise(kArena + kArenaLen - 4 * k8K, k8K, Advice::kNoHugePage);  // needs 2 splits
  k.Munmap(kArena, kArenaLen);
  o.count[6] = k.MapCount();
  return o;
}

TEST(KernelLimit, SimulatedBoundaryMatchesTheRealKernel) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer maps memory on its own; the limit is not reproducible";
#else
  absl::StatusOr<int64_t> limit = ReadMaxMapCount();
  ASSERT_TRUE(limit.ok()) << limit.status();
  LinuxKernel real;
  ASSERT_TRUE(real.RangeUnmapped(kArena, kArenaLen));
  const int64_t baseline = real.MapCount();
  const Outcome r = Drive(real);

  SimOptions opts;
  opts.max_map_count = *limit;
  opts.baseline_vmas = baseline;
  SimulatedKernel sim(opts);
  const Outcome s = Drive(sim);

  EXPECT_EQ(r.refusal, EAGAIN) << r.ToString();
  EXPECT_EQ(r.count[1], *limit) << r.ToString();
  EXPECT_EQ(r.err[0], 0) << r.ToString();
  EXPECT_EQ(r.err[1], ENOMEM) << r.ToString();
  EXPECT_EQ(r.err[2], ENOMEM) << r.ToString();
  EXPECT_EQ(r.err[4], 0) << r.ToString();
  EXPECT_EQ(r.err[5], EAGAIN) << r.ToString();
  EXPECT_EQ(r.count[6], baseline) << r.ToString();
  EXPECT_TRUE(r == s) << "real: " << r.ToString() << "\n sim: " << s.ToString();
  std::fprintf(stderr, "real kernel at the limit: %s\n", r.ToString().c_str());
#endif
}

}  // namespace
}  // namespace thp
