// The mem_linux port in every variant: the exact madvise calls (advice,
// start, length, order) of sysUnused and sysUsed for the range shapes that
// matter, the failure paths Go takes, and one conformance suite that every
// variant passes.
#include "runtime_port/mem_linux/mem_linux.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime_port/kernel/linux_kernel.h"
#include "runtime_port/kernel/recording_kernel.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr uintptr_t A = uintptr_t{0xc820000000};  // arena_start of Go 1.5
constexpr uintptr_t M = uintptr_t{1} << 20;
constexpr uintptr_t K8 = 8192;

constexpr Advice kDontNeed = Advice::kDontNeed;
constexpr Advice kHuge = Advice::kHugePage;
constexpr Advice kNoHuge = Advice::kNoHugePage;

// A simulated kernel with 64 MiB mapped at A, seen through a recorder.
class Fixture {
 public:
  explicit Fixture(absl::string_view variant, SimOptions o = SimOptions())
      : sim_(o), rec_(sim_) {
    EXPECT_EQ(MapFixed(sim_, A, 64 * M), 0);
    absl::StatusOr<std::unique_ptr<MemLinux>> m = NewMemLinux(rec_, variant);
    EXPECT_TRUE(m.ok()) << m.status();
    mem_ = *std::move(m);
  }
  MemLinux& mem() { return *mem_; }
  RecordingKernel& rec() { return rec_; }
  SimulatedKernel& sim() { return sim_; }
  std::vector<KernelCall> Unused(uintptr_t v, uintptr_t n) {
    rec_.Clear();
    mem_->SysUnused(v, n);
    return rec_.MadviseCalls();
  }
  std::vector<KernelCall> Used(uintptr_t v, uintptr_t n) {
    rec_.Clear();
    mem_->SysUsed(v, n);
    return rec_.MadviseCalls();
  }

 private:
  SimulatedKernel sim_;
  RecordingKernel rec_;
  std::unique_ptr<MemLinux> mem_;
};

KernelCall C(uintptr_t a, uintptr_t n, Advice adv) { return MadviseCall(a, n, adv); }

// Range shapes.
constexpr uintptr_t kAlignedV = A, kAlignedN = 4 * M;
constexpr uintptr_t kUnalignedV = A + K8, kUnalignedN = 6 * M - 2 * K8;  // ends in 3rd huge page
constexpr uintptr_t kAdjacentV = A + K8, kAdjacentN = 2 * M;              // ends in 2nd huge page
constexpr uintptr_t kSubV = A + K8, kSubN = 2 * K8;                       // inside one huge page
constexpr uintptr_t kTailOnlyV = A, kTailOnlyN = 2 * M + K8;              // aligned start

TEST(MemLinuxPrefix, SysUnusedMarksTheExactRangeUnlessFullyAligned) {
  Fixture f("prefix");
  EXPECT_THAT(f.Unused(kAlignedV, kAlignedN), ElementsAre(C(kAlignedV, kAlignedN, kDontNeed)));
  EXPECT_THAT(f.Unused(kUnalignedV, kUnalignedN),
              ElementsAre(C(kUnalignedV, kUnalignedN, kNoHuge),
                          C(kUnalignedV, kUnalignedN, kDontNeed)));
  EXPECT_THAT(f.Unused(kAdjacentV, kAdjacentN),
              ElementsAre(C(kAdjacentV, kAdjacentN, kNoHuge), C(kAdjacentV, kAdjacentN, kDontNeed)));
  EXPECT_THAT(f.Unused(kSubV, kSubN),
              ElementsAre(C(kSubV, kSubN, kNoHuge), C(kSubV, kSubN, kDontNeed)));
  // Aligned start but a length that is not a multiple of 2 MiB still counts.
  EXPECT_THAT(f.Unused(kTailOnlyV, kTailOnlyN),
              ElementsAre(C(kTailOnlyV, kTailOnlyN, kNoHuge), C(kTailOnlyV, kTailOnlyN, kDontNeed)));
}

TEST(MemLinuxPrefix, SysUsedMarksTheExactRangeHuge) {
  Fixture f("prefix");
  EXPECT_THAT(f.Used(kAlignedV, kAlignedN), ElementsAre(C(kAlignedV, kAlignedN, kHuge)));
  EXPECT_THAT(f.Used(kSubV, kSubN), ElementsAre(C(kSubV, kSubN, kHuge)));
  EXPECT_THAT(f.Used(kUnalignedV, kUnalignedN), ElementsAre(C(kUnalignedV, kUnalignedN, kHuge)));
}

TEST(MemLinuxFixed, SysUnusedMarksOnlyTheHugePagesHoldingUnalignedEnds) {
  Fixture f("fixed");
  EXPECT_THAT(f.Unused(kAlignedV, kAlignedN), ElementsAre(C(kAlignedV, kAlignedN, kDontNeed)));
  EXPECT_THAT(f.Unused(kUnalignedV, kUnalignedN),
              ElementsAre(C(A, 2 * M, kNoHuge), C(A + 4 * M, 2 * M, kNoHuge),
                          C(kUnalignedV, kUnalignedN, kDontNeed)));
  // Head and tail in neighbouring huge pages: one 4 MiB call.
  EXPECT_THAT(f.Unused(kAdjacentV, kAdjacentN),
              ElementsAre(C(A, 4 * M, kNoHuge), C(kAdjacentV, kAdjacentN, kDontNeed)));
  // Head and tail in the same huge page: one 2 MiB call.
  EXPECT_THAT(f.Unused(kSubV, kSubN), ElementsAre(C(A, 2 * M, kNoHuge), C(kSubV, kSubN, kDontNeed)));
  EXPECT_THAT(f.Unused(kTailOnlyV, kTailOnlyN),
              ElementsAre(C(A + 2 * M, 2 * M, kNoHuge), C(kTailOnlyV, kTailOnlyN, kDontNeed)));
}

TEST(MemLinuxFixed, SysUsedMarksOnlyTheAlignedInterior) {
  Fixture f("fixed");
  EXPECT_THAT(f.Used(kAlignedV, kAlignedN), ElementsAre(C(A, 4 * M, kHuge)));
  EXPECT_THAT(f.Used(kUnalignedV, kUnalignedN), ElementsAre(C(A + 2 * M, 2 * M, kHuge)));
  EXPECT_THAT(f.Used(kAdjacentV, kAdjacentN), IsEmpty());
  EXPECT_THAT(f.Used(kSubV, kSubN), IsEmpty());
  EXPECT_THAT(f.Used(kTailOnlyV, kTailOnlyN), ElementsAre(C(A, 2 * M, kHuge)));
}

TEST(MemLinuxFixed, FlagsChangeOnlyAtHugePageBoundaries) {
  Fixture f("fixed");
  f.Unused(A + 3 * K8, 5 * K8);
  f.Unused(A + 9 * K8, 7 * K8);
  f.Used(A, 8 * M);
  for (const Vma& v : f.sim().Vmas(A, A + 64 * M)) {
    EXPECT_EQ(v.start % (2 * M), 0u) << VmaToString(v);
    EXPECT_EQ(v.end % (2 * M), 0u) << VmaToString(v);
  }
}

// Three disjoint spans of one scavenge pass: unaligned over three huge
// pages, aligned, and inside one huge page.
constexpr uintptr_t kS1 = A + K8, kN1 = 6 * M - 2 * K8;
constexpr uintptr_t kS2 = A + 8 * M, kN2 = 4 * M;
constexpr uintptr_t kS3 = A + 16 * M + K8, kN3 = 2 * K8;

void ReleaseThreeSpansInAPass(MemLinux& mem) {
  mem.BeginScavengePass();
  mem.SysUnused(kS1, kN1);
  mem.SysUnused(kS2, kN2);
  mem.SysUnused(kS3, kN3);
  mem.EndScavengePass();
}

TEST(MemLinuxFixedBatched, APassSendsFixedsFlagsPerSpanAndTheDontNeedsInOneBatch) {
  Fixture f("fixed_batched");
  ASSERT_EQ(f.sim().Touch(A, 64 * M), 0);
  f.rec().Clear();
  f.mem().BeginScavengePass();
  f.mem().SysUnused(kS1, kN1);
  f.mem().SysUnused(kS2, kN2);
  f.mem().SysUnused(kS3, kN3);
  // Inside the pass only the flags have gone out, and nothing is released yet.
  EXPECT_THAT(f.rec().calls(), ElementsAre(C(A, 2 * M, kNoHuge), C(A + 4 * M, 2 * M, kNoHuge),
                                           C(A + 16 * M, 2 * M, kNoHuge)));
  EXPECT_EQ(f.sim().ResidencyOf(A, A + 64 * M).resident_bytes, 64 * M);
  f.mem().EndScavengePass();
  EXPECT_THAT(f.rec().calls(),
              ElementsAre(C(A, 2 * M, kNoHuge), C(A + 4 * M, 2 * M, kNoHuge),
                          C(A + 16 * M, 2 * M, kNoHuge),
                          MadviseBatchCall({{kS1, kN1}, {kS2, kN2}, {kS3, kN3}}, kDontNeed)));
  EXPECT_EQ(f.rec().calls().back().syscalls, 1);
  EXPECT_EQ(f.sim().ResidencyOf(A, A + 64 * M).resident_bytes, 64 * M - kN1 - kN2 - kN3);
}

TEST(MemLinuxFixedBatched, SameAdviceAsFixedPerRangeFlagsFirstAndTheSameEndState) {
  Fixture fixed("fixed"), batched("fixed_batched");
  for (Fixture* f : {&fixed, &batched}) {
    ASSERT_EQ(f->sim().Touch(A, 64 * M), 0);
    f->rec().Clear();
    ReleaseThreeSpansInAPass(f->mem());
  }
  // fixed interleaves flags and DONTNEEDs span by span; fixed_batched sends
  // the same calls with the DONTNEEDs moved, in order, behind the flags.
  std::vector<KernelCall> want = fixed.rec().MadviseCalls();
  ASSERT_THAT(want, ElementsAre(C(A, 2 * M, kNoHuge), C(A + 4 * M, 2 * M, kNoHuge),
                                C(kS1, kN1, kDontNeed), C(kS2, kN2, kDontNeed),
                                C(A + 16 * M, 2 * M, kNoHuge), C(kS3, kN3, kDontNeed)));
  std::stable_partition(want.begin(), want.end(),
                        [](const KernelCall& c) { return c.advice != kDontNeed; });
  const std::vector<KernelCall> got = batched.rec().MadviseCalls();
  EXPECT_EQ(got, want);
  for (const KernelCall& c : got) EXPECT_EQ(c.in_batch, c.advice == kDontNeed);
  // The kernel ends up in the same state.
  EXPECT_EQ(batched.sim().Vmas(A, A + 64 * M), fixed.sim().Vmas(A, A + 64 * M));
  EXPECT_EQ(batched.sim().ResidencyOf(A, A + 64 * M), fixed.sim().ResidencyOf(A, A + 64 * M));
  // Counted by range like fixed; 4 system calls instead of 6.
  const MadviseCounters& cf = fixed.mem().counters();
  const MadviseCounters& cb = batched.mem().counters();
  EXPECT_EQ(cb.calls, cf.calls);
  EXPECT_EQ(cb.bytes, cf.bytes);
  EXPECT_EQ(cf.syscalls, 6);
  EXPECT_EQ(cb.syscalls, 4);
  EXPECT_EQ(cb.process_madvise_calls, 1);
  EXPECT_EQ(cf.process_madvise_calls, 0);
  EXPECT_EQ(cf.scavenge_passes, 1);
  EXPECT_EQ(cb.scavenge_passes, 1);
  EXPECT_EQ(cf.scavenge_pass_syscalls, 6);
  EXPECT_EQ(cb.scavenge_pass_syscalls, 4);
  EXPECT_EQ(cb.Summary(), "DONTNEED=3 NOHUGEPAGE=3 process_madvise=1");
  EXPECT_EQ(cf.Summary(), "DONTNEED=3 NOHUGEPAGE=3");
}

TEST(MemLinuxFixedBatched, OutsideAPassItIsFixed) {
  Fixture f("fixed_batched");
  EXPECT_THAT(f.Unused(kUnalignedV, kUnalignedN),
              ElementsAre(C(A, 2 * M, kNoHuge), C(A + 4 * M, 2 * M, kNoHuge),
                          C(kUnalignedV, kUnalignedN, kDontNeed)));
  EXPECT_FALSE(f.rec().MadviseCalls().back().in_batch);
  EXPECT_THAT(f.Used(kUnalignedV, kUnalignedN), ElementsAre(C(A + 2 * M, 2 * M, kHuge)));
}

TEST(MemLinuxFixedBatched, AnEmptyPassSendsNothing) {
  Fixture f("fixed_batched");
  f.rec().Clear();
  f.mem().BeginScavengePass();
  f.mem().EndScavengePass();
  EXPECT_THAT(f.rec().calls(), IsEmpty());
  EXPECT_EQ(f.mem().counters().scavenge_passes, 1);
  EXPECT_EQ(f.mem().counters().scavenge_pass_syscalls, 0);
}

TEST(MemLinuxFixedBatched, ErrorsAreCountedPerRange) {
  Fixture f("fixed_batched");
  ASSERT_EQ(f.sim().Munmap(A + 8 * M, 2 * M), 0);  // a hole under kS2
  f.rec().Clear();
  ReleaseThreeSpansInAPass(f.mem());
  const std::vector<KernelCall> calls = f.rec().MadviseCalls();
  ASSERT_EQ(calls.size(), 6u);
  EXPECT_EQ(calls[4], C(kS2, kN2, kDontNeed));
  EXPECT_EQ(calls[4].err, ENOMEM);
  EXPECT_EQ(calls[3].err, 0);
  EXPECT_EQ(calls[5].err, 0);
  EXPECT_EQ(f.mem().counters().Errors(kDontNeed, ENOMEM), 1);
  EXPECT_EQ(f.mem().counters().Calls(kDontNeed), 3);
  // Ranges 1-2 (stopped by 2); 2 alone; 3.
  EXPECT_EQ(f.rec().calls().back().syscalls, 3);
}

// On a kernel without process_madvise (the 2015 profile) each range gets
// its own madvise, and the process is told once, however many passes and
// memory layers meet the refusal.
TEST(MemLinuxFixedBatched, FallsBackToOneMadvisePerRange) {
  SimOptions o;
  o.profile = Linux2015Profile();
  Fixture f("fixed_batched", o);
  ASSERT_EQ(f.sim().Touch(A, 64 * M), 0);
  f.rec().Clear();
  ::testing::internal::CaptureStderr();
  ReleaseThreeSpansInAPass(f.mem());
  ::testing::internal::GetCapturedStderr();  // the notice, if this test is the first to see it
  EXPECT_EQ(f.rec().calls().back().syscalls, 3);
  const MadviseCounters& c = f.mem().counters();
  EXPECT_EQ(c.Calls(kDontNeed), 3);
  EXPECT_EQ(c.batch_fallbacks, 1);
  EXPECT_EQ(c.process_madvise_calls, 0);
  EXPECT_EQ(c.scavenge_pass_syscalls, 6);
  EXPECT_EQ(f.sim().ResidencyOf(A, A + 64 * M).resident_bytes, 64 * M - kN1 - kN2 - kN3);
}

TEST(MemLinuxFixedBatchedDeathTest, TheFallbackNoticeIsOneLineOncePerProcess) {
  // A fresh process (the threadsafe style re-runs only this test), so no
  // earlier test has used up the notice.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        SimOptions o;
        o.profile = Linux2015Profile();
        ::testing::internal::CaptureStderr();
        for (int i = 0; i < 2; ++i) {
          Fixture f("fixed_batched", o);
          ReleaseThreeSpansInAPass(f.mem());
          ReleaseThreeSpansInAPass(f.mem());
        }
        const std::string err = ::testing::internal::GetCapturedStderr();
        int lines = 0;
        for (char ch : err) lines += ch == '\n';
        std::fprintf(stderr, "%d line(s): %s", lines, err.c_str());
        std::exit(0);
      },
      ::testing::ExitedWithCode(0),
      "^1 line\\(s\\): notice: fixed_batched: kernel sim refused process_madvise\\(MADV_DONTNEED\\) "
      "on this process with ENOSYS \\(Linux 6.13\\+ takes it\\); sending one madvise per range "
      "instead\n$");
}

TEST(MemLinuxFixedBatchedDeathTest, NothingButReleasesInsideAPass) {
  Fixture f("fixed_batched");
  f.mem().BeginScavengePass();
  f.mem().SysUnused(kS1, kN1);
  EXPECT_EXIT(f.mem().SysUsed(kS1, kN1), ::testing::ExitedWithCode(2),
              "sysUsed inside a scavenge pass");
  uint64_t stat = 0;
  EXPECT_EXIT(f.mem().SysMap(A + 128 * M, M, /*reserved=*/false, &stat),
              ::testing::ExitedWithCode(2), "sysMap inside a scavenge pass");
  EXPECT_EXIT(f.mem().BeginScavengePass(), ::testing::ExitedWithCode(2),
              "a scavenge pass begun inside another");
  f.mem().EndScavengePass();
  EXPECT_EXIT(f.mem().EndScavengePass(), ::testing::ExitedWithCode(2),
              "a scavenge pass ended that was not begun");
}

TEST(MemLinuxNone, OnlyDontNeed) {
  Fixture f("none");
  EXPECT_THAT(f.Unused(kSubV, kSubN), ElementsAre(C(kSubV, kSubN, kDontNeed)));
  EXPECT_THAT(f.Used(kSubV, kSubN), IsEmpty());
  EXPECT_EQ(f.sim().MapCount(), 1);
}

TEST(MemLinuxGo121, ChunkHooksOfHugepageEager) {
  Fixture f("hugepage_eager");
  EXPECT_THAT(f.Unused(kSubV, kSubN), ElementsAre(C(kSubV, kSubN, kDontNeed)));
  EXPECT_THAT(f.Used(kSubV, kSubN), IsEmpty());
  f.rec().Clear();
  f.mem().HeapGrown(A + K8, 8 * M);
  f.mem().ChunkBecameDense(A + 4 * M, 1);
  f.mem().BeforeChunkScavenge(A + 4 * M);
  EXPECT_THAT(f.rec().MadviseCalls(),
              ElementsAre(C(A + 2 * M, 6 * M, kHuge), C(A + 4 * M, 4 * M, kHuge),
                          C(A + 4 * M, 4 * M, kNoHuge)));
}

TEST(MemLinuxGo121, CollapseSkipsWholeChunkAllocations) {
  Fixture f("collapse");
  f.rec().Clear();
  f.mem().ChunkBecameDense(A, 511);
  f.mem().ChunkBecameDense(A + 4 * M, 512);
  f.mem().HeapGrown(A, 8 * M);
  f.mem().BeforeChunkScavenge(A);
  EXPECT_THAT(f.rec().MadviseCalls(), ElementsAre(C(A, 4 * M, Advice::kCollapse)));
  EXPECT_THAT(f.Unused(kSubV, kSubN), ElementsAre(C(kSubV, kSubN, kDontNeed)));
}

TEST(MemLinuxGo121, TryCollapseRunsOnTheSimulatorOnly) {
  Fixture f("try_collapse");
  f.rec().Clear();
  f.mem().ChunkBecameDense(A, 100);
  EXPECT_THAT(f.rec().MadviseCalls(), ElementsAre(C(A, 4 * M, Advice::kTryCollapse)));

  LinuxKernel linux;
  absl::StatusOr<std::unique_ptr<MemLinux>> m = NewMemLinux(linux, "try_collapse");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(m.status().message()),
              ::testing::HasSubstr("MADV_TRY_COLLAPSE, which kernel linux does not have"));
}

TEST(MemLinuxDisableThp, EverySysMapIsMarkedNoHugepage) {
  SimulatedKernel sim;
  RecordingKernel rec(sim);
  absl::StatusOr<std::unique_ptr<MemLinux>> m = NewMemLinux(rec, "disablethp");
  ASSERT_TRUE(m.ok());
  uint64_t stat = 0;
  (*m)->SysMap(A, 4 * M, /*reserved=*/false, &stat);
  EXPECT_THAT(rec.MadviseCalls(), ElementsAre(C(A, 4 * M, kNoHuge)));
  EXPECT_EQ(sim.Vmas(A, A + 4 * M)[0].huge, HugeFlag::kNoHuge);
}

TEST(MemLinuxVariants, UnknownNameListsTheAcceptedOnes) {
  SimulatedKernel sim;
  absl::StatusOr<std::unique_ptr<MemLinux>> m = NewMemLinux(sim, "prefx");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(m.status().message(),
            "unknown variant \"prefx\" (accepted: none, prefix, fixed, fixed_batched, "
            "hugepage_eager, collapse, try_collapse, disablethp)");
}

// sysReserve / sysMap / sysAlloc as Go 1.5 does them on linux/amd64.
TEST(MemLinuxSys, ReserveAbove4GiBOnlyProbesAndMapMapsAtTheHint) {
  SimulatedKernel sim;
  RecordingKernel rec(sim);
  absl::StatusOr<std::unique_ptr<MemLinux>> m = NewMemLinux(rec, "none");
  ASSERT_TRUE(m.ok());
  bool reserved = true;
  const uintptr_t hint = uintptr_t{0xc000000000};
  EXPECT_EQ((*m)->SysReserve(hint, uintptr_t{544} << 30, &reserved), hint);
  EXPECT_FALSE(reserved);
  EXPECT_THAT(rec.calls(), ElementsAre(MmapCall(hint, 64 << 10), MunmapCall(hint, 64 << 10)));
  EXPECT_EQ(sim.MapCount(), 0);
  uint64_t heap_sys = 0;
  (*m)->SysMap(A, M, reserved, &heap_sys);
  (*m)->SysMap(A + M, M, reserved, &heap_sys);
  EXPECT_EQ(heap_sys, 2 * M);
  EXPECT_EQ(sim.Vmas(A, A + 2 * M), (std::vector<Vma>{{A, A + 2 * M, Prot::kReadWrite, HugeFlag::kNone}}));
}

TEST(MemLinuxSys, ReserveFailsWhenTheHintIsTaken) {
  SimulatedKernel sim;
  ASSERT_EQ(MapFixed(sim, uintptr_t{0xc000000000}, M), 0);
  MemLinux m(sim, *MakeHugePagePolicy("none"));
  bool reserved = false;
  EXPECT_EQ(m.SysReserve(uintptr_t{0xc000000000}, uintptr_t{544} << 30, &reserved), 0u);
  EXPECT_EQ(sim.MapCount(), 1);  // the probe that landed elsewhere was unmapped
}

TEST(MemLinuxSys, SysAllocReturnsZeroOnEnomem) {
  SimOptions o;
  o.max_map_count = 0;
  o.baseline_vmas = 1;  // map_count 1 > 0: every mmap fails
  SimulatedKernel sim(o);
  MemLinux m(sim, *MakeHugePagePolicy("none"));
  uint64_t stat = 0;
  EXPECT_EQ(m.SysAlloc(256 << 10, &stat), 0u);
  EXPECT_EQ(stat, 0u);
}

TEST(MemLinuxSysDeathTest, SysMapEnomemThrowsOutOfMemory) {
  SimOptions o;
  o.max_map_count = 0;
  o.baseline_vmas = 1;
  SimulatedKernel sim(o);
  MemLinux m(sim, *MakeHugePagePolicy("fixed"));
  uint64_t stat = 0;
  EXPECT_EXIT(m.SysMap(A, M, /*reserved=*/false, &stat), ::testing::ExitedWithCode(2),
              "fatal error: runtime: out of memory");
}

TEST(MemLinuxSysDeathTest, SysMapConflictThrowsLikeGo) {
  SimulatedKernel sim;
  ASSERT_EQ(MapFixed(sim, A, M), 0);
  MemLinux m(sim, *MakeHugePagePolicy("fixed"));
  uint64_t stat = 0;
  EXPECT_EXIT(m.SysMap(A, M, /*reserved=*/false, &stat), ::testing::ExitedWithCode(2),
              "runtime: address space conflict: map\\(0xc820000000\\) = 0x[0-9a-f]+\n"
              "fatal error: runtime: address space conflict");
}

TEST(MemLinuxCounters, ErrorsAreIgnoredButCounted) {
  SimOptions o;
  o.profile = Linux2015Profile();
  Fixture f("prefix", o);
  f.mem().SysUsed(A, 4 * K8);
  f.mem().SysUsed(A, 4 * K8);  // already HUGEPAGE: EINVAL on a 2015 kernel
  const MadviseCounters& c = f.mem().counters();
  EXPECT_EQ(c.Calls(kHuge), 2);
  EXPECT_EQ(c.Bytes(kHuge), 8 * K8);
  EXPECT_EQ(c.Errors(kHuge, EINVAL), 1);
  EXPECT_EQ(c.Summary(), "HUGEPAGE=2 errors: HUGEPAGE/EINVAL=1");
}

// Every call is filed under its site, timed, and counted as heap-locked
// where the mirrored Go version holds the heap lock: Go 1.21.0 sends its
// grow and dense-chunk HUGEPAGE under the lock but its scavenger's
// NOHUGEPAGE and DONTNEED after unlocking; Go 1.5.2 (fixed) releases and
// reuses with the lock held.
TEST(MemLinuxCounters, SitesAndHeapLockOfHugepageEager) {
  Fixture f("hugepage_eager");
  f.mem().HeapGrown(A, 8 * M);
  f.mem().ChunkBecameDense(A + 8 * M, 1);
  f.mem().BeforeChunkScavenge(A + 8 * M);
  f.mem().SysUnused(A + 8 * M, K8);
  const MadviseCounters& c = f.mem().counters();
  EXPECT_EQ(c.CallsAt(AdviceSite::kHeapGrow, kHuge), 1);
  EXPECT_EQ(c.CallsAt(AdviceSite::kChunkDense, kHuge), 1);
  EXPECT_EQ(c.CallsAt(AdviceSite::kChunkScavenge, kNoHuge), 1);
  EXPECT_EQ(c.CallsAt(AdviceSite::kSysUnused, kDontNeed), 1);
  EXPECT_EQ(c.CallsAt(AdviceSite::kSysUnused, kHuge), 0);
  for (Advice a : {kHuge, kNoHuge, kDontNeed}) {
    EXPECT_EQ(c.latency[static_cast<int>(a)].count(), c.Calls(a)) << AdviceName(a);
  }
  EXPECT_EQ(c.heap_locked_latency[static_cast<int>(kHuge)].count(), 2);
  EXPECT_EQ(c.heap_locked_latency[static_cast<int>(kNoHuge)].count(), 0);
  EXPECT_EQ(c.heap_locked_latency[static_cast<int>(kDontNeed)].count(), 0);
  EXPECT_EQ(c.HeapLockedLatency().count(), 2);
  // Site by site: the policy's table, all or nothing.
  EXPECT_EQ(c.HeapLockedCallsAt(AdviceSite::kHeapGrow, kHuge), 1);
  EXPECT_EQ(c.HeapLockedCallsAt(AdviceSite::kChunkDense, kHuge), 1);
  EXPECT_EQ(c.HeapLockedCallsAt(AdviceSite::kChunkScavenge, kNoHuge), 0);
  EXPECT_EQ(c.HeapLockedCallsAt(AdviceSite::kSysUnused, kDontNeed), 0);
}

TEST(MemLinuxCounters, SitesAndHeapLockOfCollapseAndFixed) {
  Fixture collapse("collapse");
  collapse.mem().ChunkBecameDense(A, 1);
  collapse.mem().SysUnused(A + 4 * M, K8);
  const MadviseCounters& c = collapse.mem().counters();
  EXPECT_EQ(c.CallsAt(AdviceSite::kChunkDense, Advice::kCollapse), 1);
  EXPECT_EQ(c.HeapLockedLatency().count(), 1);
  EXPECT_EQ(c.heap_locked_latency[static_cast<int>(Advice::kCollapse)].count(), 1);

  Fixture fixed("fixed");
  fixed.mem().SysUnused(kUnalignedV, kUnalignedN);  // NOHUGEPAGE x2 + DONTNEED
  fixed.mem().SysUsed(A, 4 * M);                    // HUGEPAGE
  const MadviseCounters& x = fixed.mem().counters();
  EXPECT_EQ(x.CallsAt(AdviceSite::kSysUnused, kNoHuge), x.Calls(kNoHuge));
  EXPECT_EQ(x.CallsAt(AdviceSite::kSysUsed, kHuge), 1);
  EXPECT_EQ(x.HeapLockedLatency().count(), x.TotalCalls());
}

TEST(MemLinuxCounters, GoVersionsHoldTheHeapLockWhereTheirSourcesDo) {
  auto held = [](const char* variant, AdviceSite site) {
    return (*MakeHugePagePolicy(variant))->HeapLockHeld(site);
  };
  for (AdviceSite s : {AdviceSite::kSysUnused, AdviceSite::kSysUsed, AdviceSite::kSysMap}) {
    EXPECT_TRUE(held("fixed", s)) << AdviceSiteName(s);
    EXPECT_TRUE(held("prefix", s)) << AdviceSiteName(s);
  }
  for (const char* v : {"hugepage_eager", "collapse", "try_collapse", "disablethp"}) {
    EXPECT_TRUE(held(v, AdviceSite::kHeapGrow)) << v;
    EXPECT_TRUE(held(v, AdviceSite::kChunkDense)) << v;
    EXPECT_TRUE(held(v, AdviceSite::kSysMap)) << v;
    EXPECT_FALSE(held(v, AdviceSite::kChunkScavenge)) << v;
    EXPECT_FALSE(held(v, AdviceSite::kSysUnused)) << v;
    EXPECT_FALSE(held(v, AdviceSite::kSysUsed)) << v;
  }
}

// One conformance suite for every variant.
class EveryVariant : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryVariant, SysUnusedEndsWithTheExactDontNeedAndAdviceStaysNearTheRange) {
  Fixture f(GetParam());
  for (auto [v, n] : std::vector<std::pair<uintptr_t, uintptr_t>>{
           {kAlignedV, kAlignedN}, {kUnalignedV, kUnalignedN}, {kAdjacentV, kAdjacentN},
           {kSubV, kSubN}, {kTailOnlyV, kTailOnlyN}}) {
    std::vector<KernelCall> calls = f.Unused(v, n);
    ASSERT_FALSE(calls.empty());
    EXPECT_EQ(calls.back(), C(v, n, kDontNeed));
    for (const KernelCall& c : calls) {
      EXPECT_GE(c.addr, RoundDown(v, 2 * M)) << KernelCallToString(c);
      EXPECT_LE(c.addr + c.len, RoundUp(v + n, 2 * M)) << KernelCallToString(c);
      EXPECT_EQ(c.err, 0) << KernelCallToString(c);
    }
    for (const KernelCall& c : f.Used(v, n)) {
      EXPECT_NE(c.advice, kDontNeed);
      EXPECT_GE(c.addr, v) << KernelCallToString(c);
      EXPECT_LE(c.addr + c.len, v + n) << KernelCallToString(c);
    }
  }
  // DONTNEED drops residency whatever the variant.
  ASSERT_EQ(f.sim().Touch(A, 4 * M), 0);
  f.mem().SysUnused(A, 4 * M);
  EXPECT_EQ(f.sim().ResidencyOf(A, A + 64 * M).resident_bytes, 0u);
  f.sim().CheckInvariants();
}

TEST_P(EveryVariant, NamesItselfAndTheGoItMirrors) {
  absl::StatusOr<std::unique_ptr<HugePagePolicy>> p = MakeHugePagePolicy(GetParam());
  ASSERT_TRUE(p.ok());
  EXPECT_EQ((*p)->Name(), GetParam());
  EXPECT_FALSE((*p)->Mirrors().empty());
}

INSTANTIATE_TEST_SUITE_P(AllVariants, EveryVariant,
                         ::testing::ValuesIn(HugePagePolicyNames()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace thp

namespace thp {
namespace {

// Writes down what a MemLinuxObserver is told, one line per call.
class LineObserver final : public MemLinuxObserver {
 public:
  void OnSysAlloc(uintptr_t p, uintptr_t n, int err) override {
    Add(absl::StrFormat("alloc %#x %#x %d", p, n, err));
  }
  void OnSysReserve(uintptr_t v, uintptr_t n, uintptr_t p, bool reserved) override {
    Add(absl::StrFormat("reserve %#x %#x %#x %d", v, n, p, reserved));
  }
  void OnSysMap(uintptr_t v, uintptr_t n, bool reserved) override {
    Add(absl::StrFormat("map %#x %#x %d", v, n, reserved));
  }
  void OnSysUnused(uintptr_t v, uintptr_t n) override { Add(absl::StrFormat("unused %#x %#x", v, n)); }
  void OnSysUsed(uintptr_t v, uintptr_t n) override { Add(absl::StrFormat("used %#x %#x", v, n)); }
  void OnSysFree(uintptr_t v, uintptr_t n) override { Add(absl::StrFormat("free %#x %#x", v, n)); }
  void OnMadvise(uintptr_t v, uintptr_t n, Advice advice, int err) override {
    Add(absl::StrFormat("madvise %#x %#x %s %d", v, n, AdviceName(advice), err));
  }
  std::vector<std::string> lines;

 private:
  void Add(std::string s) { lines.push_back(std::move(s)); }
};

TEST(MemLinuxObserver, SeesEachEntryPointThenItsMadviseCallsInOrder) {
  SimulatedKernel sim;
  absl::StatusOr<std::unique_ptr<MemLinux>> m = NewMemLinux(sim, "prefix");
  ASSERT_TRUE(m.ok());
  LineObserver obs;
  (*m)->set_observer(&obs);
  bool reserved = true;
  ASSERT_EQ((*m)->SysReserve(uintptr_t{0xc000000000}, uintptr_t{544} << 30, &reserved),
            uintptr_t{0xc000000000});
  (*m)->SysMap(A, M, reserved, nullptr);
  (*m)->SysUnused(A + K8, K8);
  (*m)->SysUsed(A, 2 * K8);
  const uintptr_t p = (*m)->SysAlloc(64 << 10, nullptr);
  ASSERT_NE(p, 0u);
  (*m)->SysFree(p, 64 << 10, nullptr);
  EXPECT_THAT(obs.lines,
              ElementsAre("reserve 0xc000000000 0x8800000000 0xc000000000 0", "map 0xc820000000 0x100000 0",
                          "unused 0xc820002000 0x2000", "madvise 0xc820002000 0x2000 NOHUGEPAGE 0",
                          "madvise 0xc820002000 0x2000 DONTNEED 0", "used 0xc820000000 0x4000",
                          "madvise 0xc820000000 0x4000 HUGEPAGE 0",
                          absl::StrFormat("alloc %#x 0x10000 0", p), absl::StrFormat("free %#x 0x10000", p)));
}

TEST(MemLinuxObserver, SeesFailuresWithTheirErrno) {
  SimulatedKernel sim;
  ASSERT_EQ(MapFixed(sim, uintptr_t{0xc000000000}, M), 0);
  MemLinux m(sim, *MakeHugePagePolicy("none"));
  LineObserver obs;
  m.set_observer(&obs);
  bool reserved = false;
  EXPECT_EQ(m.SysReserve(uintptr_t{0xc000000000}, uintptr_t{544} << 30, &reserved), 0u);
  m.SysUnused(A, K8);  // nothing mapped there
  EXPECT_THAT(obs.lines, ElementsAre("reserve 0xc000000000 0x8800000000 0 0", "unused 0xc820000000 0x2000",
                                     "madvise 0xc820000000 0x2000 DONTNEED 12"));
}

// A batch's ranges are reported one by one, each with its own errno, when
// the batch is sent: at the end of the pass.
TEST(MemLinuxObserver, SeesABatchRangeByRange) {
  Fixture f("fixed_batched");
  ASSERT_EQ(f.sim().Munmap(A + 8 * M, 2 * M), 0);  // a hole under kS2
  LineObserver obs;
  f.mem().set_observer(&obs);
  ReleaseThreeSpansInAPass(f.mem());
  std::vector<std::string> dontneeds;
  for (const std::string& l : obs.lines) {
    if (l.find("DONTNEED") != std::string::npos) dontneeds.push_back(l);
  }
  EXPECT_THAT(dontneeds, ElementsAre(absl::StrFormat("madvise %#x %#x DONTNEED 0", kS1, kN1),
                                     absl::StrFormat("madvise %#x %#x DONTNEED %d", kS2, kN2, ENOMEM),
                                     absl::StrFormat("madvise %#x %#x DONTNEED 0", kS3, kN3)));
  EXPECT_EQ(obs.lines.back(), dontneeds.back());
}

// The program's writes reach the kernel only for pages it has not written
// since the runtime last released or unmapped them: the rest are resident
// already, and writing them again changes nothing the kernel shows.
TEST(MemLinuxTouch, OnlyPagesNotWrittenSinceTheirReleaseReachTheKernel) {
  Fixture f("fixed");
  auto touches = [&f](uintptr_t v, uintptr_t n) {
    f.rec().Clear();
    EXPECT_EQ(f.mem().Touch(v, n), 0);
    std::vector<std::pair<uintptr_t, uintptr_t>> out;
    for (const KernelCall& c : f.rec().calls()) {
      if (c.kind == KernelCall::kTouch) out.emplace_back(c.addr - A, c.len);
    }
    return out;
  };
  using Touches = std::vector<std::pair<uintptr_t, uintptr_t>>;
  EXPECT_EQ(touches(A, 4 * K8), (Touches{{0, 4 * K8}}));
  EXPECT_EQ(touches(A, 4 * K8), Touches{});
  EXPECT_EQ(touches(A + 2 * K8, 4 * K8), (Touches{{4 * K8, 2 * K8}}));
  f.mem().SysUnused(A + K8, K8);
  EXPECT_EQ(f.sim().ResidencyOf(A, A + 6 * K8).resident_bytes, 5 * K8);
  EXPECT_EQ(touches(A, 6 * K8), (Touches{{K8, K8}}));
  EXPECT_EQ(f.sim().ResidencyOf(A, A + 6 * K8).resident_bytes, 6 * K8);
  uint64_t stat = 6 * K8;
  f.mem().SysFree(A, 6 * K8, &stat);
  f.mem().SysMap(A, 6 * K8, /*reserved=*/true, &stat);
  EXPECT_EQ(touches(A, 6 * K8), (Touches{{0, 6 * K8}}));
}

}  // namespace
}  // namespace thp
