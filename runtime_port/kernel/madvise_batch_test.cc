// Kernel::MadviseBatch: the driver that splits a batch into process_madvise
// calls (against a scripted call), and the same batches on the simulated and
// the real kernel, which must agree on every range's errno, the number of
// system calls, the VMAs and the residency they leave.
#include <cerrno>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime_port/kernel/kernel.h"
#include "runtime_port/kernel/linux_kernel.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr uintptr_t kMiB = uintptr_t{1} << 20;
constexpr uintptr_t kPage = 4096;

// n ranges of `len` bytes, `stride` apart, from `base`.
std::vector<AddressRange> Ranges(uintptr_t base, size_t n, uintptr_t len, uintptr_t stride) {
  std::vector<AddressRange> out;
  for (size_t i = 0; i < n; ++i) out.push_back({base + i * stride, base + i * stride + len});
  return out;
}

// ---- the driver, against a scripted vectored call -----------------------

// Records the head and length of every call; fails the range starting at
// `fail_at` (as the kernel would: bytes done before it, or -err if first),
// and stops after `cap` bytes (the MAX_RW_COUNT shortening, scaled down).
struct ScriptedCall {
  uintptr_t fail_at = 0;
  int err = ENOMEM;
  uintptr_t cap = ~uintptr_t{0};
  std::vector<std::pair<uintptr_t, size_t>> calls;  // (first range's start, ranges)

  int64_t operator()(const AddressRange* rs, size_t n) {
    calls.push_back({rs[0].lo, n});
    EXPECT_LE(n, kMaxIovecs);
    uintptr_t done = 0;
    for (size_t j = 0; j < n; ++j) {
      if (rs[j].lo == fail_at) return done > 0 ? static_cast<int64_t>(done) : -err;
      const uintptr_t len = std::min(rs[j].hi - rs[j].lo, cap - done);
      done += len;
      if (done == cap) break;
    }
    return static_cast<int64_t>(done);
  }
};

TEST(DriveVectoredMadvise, SendsAtMostUioMaxiovRangesACall) {
  const std::vector<AddressRange> ranges = Ranges(1 << 20, 2500, 8192, 16384);
  ScriptedCall s;
  const BatchResult r = DriveVectoredMadvise(ranges, [&](const AddressRange* rs, size_t n) {
    return s(rs, n);
  });
  EXPECT_EQ(r.syscalls, 3);
  EXPECT_THAT(r.errors, IsEmpty());
  EXPECT_EQ(r.refused, 0);
  EXPECT_THAT(s.calls, ElementsAre(std::make_pair(ranges[0].lo, size_t{1024}),
                                   std::make_pair(ranges[1024].lo, size_t{1024}),
                                   std::make_pair(ranges[2048].lo, size_t{452})));
}

TEST(DriveVectoredMadvise, AFailedRangeIsSentAgainAloneToLearnItsErrnoThenSkipped) {
  const std::vector<AddressRange> ranges = Ranges(1 << 20, 10, 8192, 16384);
  ScriptedCall s;
  s.fail_at = ranges[4].lo;
  const BatchResult r = DriveVectoredMadvise(ranges, [&](const AddressRange* rs, size_t n) {
    return s(rs, n);
  });
  // Ranges 0..3 done; range 4 heads the next call and fails at once; the
  // third call does 5..9.
  EXPECT_THAT(s.calls, ElementsAre(std::make_pair(ranges[0].lo, size_t{10}),
                                   std::make_pair(ranges[4].lo, size_t{6}),
                                   std::make_pair(ranges[5].lo, size_t{5})));
  EXPECT_EQ(r.syscalls, 3);
  EXPECT_THAT(r.errors, ElementsAre(RangeError{4, ENOMEM}));
  EXPECT_EQ(r.err(), ENOMEM);
}

TEST(DriveVectoredMadvise, ACallCutShortInsideARangeGoesOnFromTheFirstByteNotDone) {
  const std::vector<AddressRange> ranges = {{0x100000, 0x108000}, {0x200000, 0x240000}};
  ScriptedCall s;
  s.cap = 0x10000;  // the first range and 32 KiB of the second
  const BatchResult r = DriveVectoredMadvise(ranges, [&](const AddressRange* rs, size_t n) {
    return s(rs, n);
  });
  EXPECT_THAT(s.calls, ElementsAre(std::make_pair(uintptr_t{0x100000}, size_t{2}),
                                   std::make_pair(uintptr_t{0x208000}, size_t{1}),
                                   std::make_pair(uintptr_t{0x218000}, size_t{1}),
                                   std::make_pair(uintptr_t{0x228000}, size_t{1}),
                                   std::make_pair(uintptr_t{0x238000}, size_t{1})));
  EXPECT_EQ(r.syscalls, 5);
  EXPECT_THAT(r.errors, IsEmpty());
}

TEST(DriveVectoredMadviseDeathTest, AnEmptyRangeIsABug) {
  EXPECT_EXIT(DriveVectoredMadvise({{0x1000, 0x1000}}, [](const AddressRange*, size_t) {
                return int64_t{0};
              }),
              ::testing::ExitedWithCode(2), "empty or inverted range 0x1000-0x1000");
}

// ---- the simulated and the real kernel ----------------------------------

// Far from the test's own allocations and from ASan's shadow; each scenario
// gets its own 16 GiB slot so the real kernel's ranges never meet.
constexpr uintptr_t kSlots = uintptr_t{0x230000000000};
constexpr uintptr_t kSlotBytes = uintptr_t{16} << 30;
constexpr uintptr_t kFence = 2 * kMiB;

// What a scenario leaves, in offsets from its base.
struct Outcome {
  BatchResult result;
  std::vector<std::string> vmas;
  Residency residency;
};

class Scenario {
 public:
  // Maps [base, base+len) read-write between read-only fences, so nothing
  // else in the process merges with it, and writes `touched` bytes of it.
  Scenario(Kernel& k, int slot, uintptr_t len, uintptr_t touched, bool noreserve = false)
      : k_(k), base_(kSlots + slot * kSlotBytes + kFence), len_(len) {
    ok_ = k.Mmap(base_ - kFence, len + 2 * kFence, Prot::kRead, kMapFixed).err == 0 &&
          MapFixed(k, base_, len, noreserve) == 0 && k.Touch(base_, touched) == 0;
  }
  ~Scenario() { k_.Munmap(base_ - kFence, len_ + 2 * kFence); }

  bool ok() const { return ok_; }
  uintptr_t base() const { return base_; }
  Outcome Batch(const std::vector<AddressRange>& ranges, Advice advice) {
    Outcome o;
    o.result = k_.MadviseBatch(ranges, advice);
    for (const Vma& v : k_.Vmas(base_, base_ + len_)) {
      o.vmas.push_back(absl::StrCat(v.start - base_, "-", v.end - base_, " ",
                                    HugeFlagName(v.huge)));
    }
    o.residency = k_.ResidencyOf(base_, base_ + len_);
    return o;
  }

 private:
  Kernel& k_;
  uintptr_t base_;
  uintptr_t len_;
  bool ok_ = false;
};

// Skips a real-kernel test on a kernel that takes no DONTNEED batch.
#define SKIP_WITHOUT_PROCESS_MADVISE(kernel, result)                                       \
  if ((result).refused != 0) {                                                             \
    GTEST_SKIP() << "kernel " << (kernel).Name() << " refuses process_madvise(MADV_DONTNEED) " \
                 << "on this process (" << ErrnoName((result).refused)                     \
                 << "); batching needs Linux 6.13+";                                       \
  }

void ExpectSame(const Outcome& sim, const Outcome& real) {
  EXPECT_EQ(sim.result.syscalls, real.result.syscalls);
  EXPECT_EQ(sim.result.errors.size(), real.result.errors.size());
  for (size_t i = 0; i < sim.result.errors.size() && i < real.result.errors.size(); ++i) {
    EXPECT_EQ(sim.result.errors[i], real.result.errors[i]) << "error " << i;
  }
  EXPECT_EQ(sim.vmas, real.vmas);
  EXPECT_EQ(sim.residency.resident_bytes, real.residency.resident_bytes);
  EXPECT_EQ(sim.residency.anon_huge_bytes, real.residency.anon_huge_bytes);
}

TEST(MadviseBatch, ProcessMadviseDontNeedReallyDropsResidency) {
  LinuxKernel real;
  Scenario s(real, 0, 8 * kMiB, 8 * kMiB);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(real.ResidencyOf(s.base(), s.base() + 8 * kMiB).resident_bytes, 8 * kMiB);
  // Three ranges, the middle one across two huge-page regions.
  const Outcome o = s.Batch({{s.base(), s.base() + 8192},
                             {s.base() + 2 * kMiB - 8192, s.base() + 2 * kMiB + 16384},
                             {s.base() + 6 * kMiB, s.base() + 8 * kMiB}},
                            Advice::kDontNeed);
  SKIP_WITHOUT_PROCESS_MADVISE(real, o.result);
  EXPECT_EQ(o.result.syscalls, 1);
  EXPECT_THAT(o.result.errors, IsEmpty());
  EXPECT_EQ(o.residency.resident_bytes, 8 * kMiB - 8192 - 24576 - 2 * kMiB);
  EXPECT_EQ(real.ResidencyOf(s.base(), s.base() + 8192).resident_bytes, 0u);
  EXPECT_EQ(real.ResidencyOf(s.base() + 8192, s.base() + 12288).resident_bytes, kPage);
  EXPECT_THAT(o.vmas, ElementsAre("0-8388608 none"));  // DONTNEED splits nothing
}

// The same batch on both kernels; `make` builds the scenario's ranges.
class BothKernels : public ::testing::Test {
 protected:
  template <typename MakeRanges>
  void Compare(int slot, uintptr_t len, uintptr_t touched, bool noreserve, Advice advice,
               MakeRanges make, Outcome* sim_out) {
    Outcome real_out;
    {
      LinuxKernel real;
      Scenario s(real, slot, len, touched, noreserve);
      ASSERT_TRUE(s.ok());
      real_out = s.Batch(make(s.base(), real), advice);
    }
    if (real_out.result.refused != 0) {
      GTEST_SKIP() << "kernel linux refuses process_madvise(MADV_" << AdviceName(advice)
                   << ") on this process (" << ErrnoName(real_out.result.refused)
                   << "); batching needs Linux 6.13+";
    }
    SimulatedKernel sim;
    Scenario s(sim, slot, len, touched, noreserve);
    ASSERT_TRUE(s.ok());
    *sim_out = s.Batch(make(s.base(), sim), advice);
    ExpectSame(*sim_out, real_out);
  }
};

TEST_F(BothKernels, TwoThousandRangesGoInTwoCalls) {
  Outcome o;
  Compare(1, 64 * kMiB, 64 * kMiB, false, Advice::kDontNeed,
          [](uintptr_t base, Kernel&) { return Ranges(base, 2000, 8192, 32768); }, &o);
  if (HasFatalFailure() || IsSkipped()) return;
  EXPECT_EQ(o.result.syscalls, 2);
  EXPECT_THAT(o.result.errors, IsEmpty());
  EXPECT_EQ(o.residency.resident_bytes, 64 * kMiB - 2000 * 8192);
}

TEST_F(BothKernels, AHoleAndAnUnalignedRangeFailAloneAndTheRestIsAdvised) {
  Outcome o;
  Compare(2, 16 * kMiB, 16 * kMiB, false, Advice::kDontNeed,
          [](uintptr_t base, Kernel& k) {
            // A hole at 4 MiB: the range over it still loses its mapped pages.
            EXPECT_EQ(k.Munmap(base + 4 * kMiB, 8192), 0);
            std::vector<AddressRange> r = Ranges(base, 8, 8192, kMiB);
            r[4] = {base + 4 * kMiB - 8192, base + 4 * kMiB + 16384};
            r[6] = {base + 6 * kMiB + 100, base + 6 * kMiB + 8192};  // unaligned start
            return r;
          },
          &o);
  if (HasFatalFailure() || IsSkipped()) return;
  EXPECT_THAT(o.result.errors, ElementsAre(RangeError{4, ENOMEM}, RangeError{6, EINVAL}));
  // Ranges 0-3 and the mapped part of 4; range 4 again, alone at the head
  // (ENOMEM); 5, stopped by 6; 6 alone (EINVAL); 7.
  EXPECT_EQ(o.result.syscalls, 5);
  EXPECT_EQ(o.residency.resident_bytes, 16 * kMiB - 8192 - 6 * 8192 - 16384);
}

TEST_F(BothKernels, MoreThanMaxRwCountBytesGoOnInTheNextCall) {
  // A 3 GiB mapping, written only at its ends; one range covers it whole.
  Outcome o;
  constexpr uintptr_t kLen = uintptr_t{3} << 30;
  Compare(3, kLen, 0, /*noreserve=*/true, Advice::kDontNeed,
          [](uintptr_t base, Kernel& k) {
            EXPECT_EQ(k.Touch(base, 8192), 0);
            EXPECT_EQ(k.Touch(base + kLen - 8192, 8192), 0);
            return std::vector<AddressRange>{{base, base + 4096}, {base, base + kLen}};
          },
          &o);
  if (HasFatalFailure() || IsSkipped()) return;
  // The first call stops after kMaxRwCount bytes, inside the second range.
  EXPECT_EQ(o.result.syscalls, 2);
  EXPECT_THAT(o.result.errors, IsEmpty());
  EXPECT_EQ(o.residency.resident_bytes, 0u);
}

TEST(MadviseBatch, Linux2015HasNoProcessMadviseAndSendsOneMadvisePerRange) {
  SimOptions opts;
  opts.profile = Linux2015Profile();
  SimulatedKernel sim(opts);
  Scenario s(sim, 0, 8 * kMiB, 8 * kMiB);
  ASSERT_TRUE(s.ok());
  const Outcome o = s.Batch(Ranges(s.base(), 5, 8192, kMiB), Advice::kDontNeed);
  EXPECT_EQ(o.result.refused, ENOSYS);
  EXPECT_EQ(o.result.syscalls, 5);
  EXPECT_THAT(o.result.errors, IsEmpty());
  EXPECT_EQ(o.residency.resident_bytes, 8 * kMiB - 5 * 8192);
}

TEST(MadviseBatch, TheDefaultLoopsMadviseAndSaysItDid) {
  // A kernel that does not override MadviseBatch, as a test double would.
  class Plain final : public Kernel {
   public:
    absl::string_view Name() const override { return "plain"; }
    bool Supports(Advice) const override { return true; }
    MmapResult Mmap(uintptr_t, uintptr_t, Prot, uint32_t) override { return {0, ENOMEM}; }
    int Munmap(uintptr_t, uintptr_t) override { return 0; }
    int Madvise(uintptr_t addr, uintptr_t, Advice) override {
      advised.push_back(addr);
      return addr == 0x3000 ? EINVAL : 0;
    }
    int Touch(uintptr_t, uintptr_t) override { return 0; }
    bool RangeUnmapped(uintptr_t, uintptr_t) override { return true; }
    std::vector<Vma> Vmas(uintptr_t, uintptr_t) override { return {}; }
    int64_t MapCount() override { return 0; }
    Residency ResidencyOf(uintptr_t, uintptr_t) override { return {}; }
    std::vector<uintptr_t> advised;
  } k;
  const BatchResult r =
      k.MadviseBatch({{0x1000, 0x2000}, {0x3000, 0x4000}, {0x5000, 0x6000}}, Advice::kDontNeed);
  EXPECT_THAT(k.advised, ElementsAre(0x1000, 0x3000, 0x5000));
  EXPECT_EQ(r.syscalls, 3);
  EXPECT_EQ(r.refused, ENOSYS);
  EXPECT_THAT(r.errors, ElementsAre(RangeError{1, EINVAL}));
}

}  // namespace
}  // namespace thp
