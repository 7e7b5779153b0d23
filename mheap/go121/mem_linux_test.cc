// The Go 1.21 memory layer at each release state: the exact system calls of
// every entry point and of every policy hook, on the simulated kernel.
#include "mheap/go121/mem_linux.h"

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime_port/kernel/recording_kernel.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace go121 {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr uintptr_t kMiB = uintptr_t{1} << 20;
constexpr uintptr_t kBase = uintptr_t{0xc000000000};

class MemTest : public ::testing::Test {
 protected:
  std::unique_ptr<MemLinux> Make(const std::string& variant, MemOptions o = {}) {
    absl::StatusOr<std::unique_ptr<MemLinux>> m = NewMemLinux(rec_, variant, o);
    EXPECT_TRUE(m.ok()) << m.status();
    return *std::move(m);
  }
  // A 64 MiB reservation at the first heap hint with its first 4 MiB mapped.
  void MapFirstChunk(MemLinux& m) {
    ASSERT_EQ(m.SysReserve(kBase, 64 * kMiB), kBase);
    m.SysMap(kBase, 4 * kMiB, &stat_);
    rec_.Clear();
  }

  SimulatedKernel sim_;
  RecordingKernel rec_{sim_};
  uint64_t stat_ = 0;
};

TEST_F(MemTest, ReserveIsProtNoneAtTheHintAndMapIsFixedReadWrite) {
  std::unique_ptr<MemLinux> m = Make("none");
  EXPECT_EQ(m->SysReserve(kBase, 64 * kMiB), kBase);
  m->SysMap(kBase, 4 * kMiB, &stat_);
  EXPECT_EQ(stat_, 4 * kMiB);
  EXPECT_EQ(m->mapped_ready(), 0u);  // Prepared, not Ready
  ASSERT_EQ(rec_.calls().size(), 2u);
  EXPECT_EQ(rec_.calls()[0].prot, Prot::kNone);
  EXPECT_EQ(rec_.calls()[0].flags, 0u);
  EXPECT_EQ(rec_.calls()[1].prot, Prot::kReadWrite);
  EXPECT_EQ(rec_.calls()[1].flags, uint32_t{kMapFixed});
  EXPECT_THAT(sim_.Vmas(kBase, kBase + 64 * kMiB),
              ElementsAre(Vma{kBase, kBase + 4 * kMiB, Prot::kReadWrite, HugeFlag::kNone},
                          Vma{kBase + 4 * kMiB, kBase + 64 * kMiB, Prot::kNone, HugeFlag::kNone}));
  // A taken hint gives another address; the caller decides what to do.
  EXPECT_NE(m->SysReserve(kBase, 64 * kMiB), kBase);
}

TEST_F(MemTest, UnusedIsDontNeedOnlyAndUsedIsNothing) {
  for (const char* v : {"hugepage_eager", "collapse", "none", "disablethp"}) {
    SCOPED_TRACE(v);
    SimulatedKernel sim;
    RecordingKernel rec(sim);
    absl::StatusOr<std::unique_ptr<MemLinux>> m = NewMemLinux(rec, v);
    ASSERT_TRUE(m.ok());
    uint64_t stat = 0;
    (*m)->SysReserve(kBase, 64 * kMiB);
    (*m)->SysMap(kBase, 4 * kMiB, &stat);
    rec.Clear();
    (*m)->SysUsed(kBase, 4 * kMiB, 4 * kMiB);
    EXPECT_THAT(rec.calls(), IsEmpty());
    (*m)->SysUnused(kBase + 8192, 3 * 8192);
    EXPECT_THAT(rec.calls(), ElementsAre(MadviseCall(kBase + 8192, 3 * 8192, Advice::kDontNeed)));
    EXPECT_EQ((*m)->mapped_ready(), 4 * kMiB - 3 * 8192);
  }
}

TEST_F(MemTest, HugePageRoundsInwardAndNoHugePageIsExact) {
  std::unique_ptr<MemLinux> m = Make("none");
  MapFirstChunk(*m);
  m->SysHugePage(kBase + 8192, 4 * kMiB - 8192, AdviceSite::kMetadata);
  m->SysHugePage(kBase + 8192, kMiB, AdviceSite::kMetadata);  // no whole huge page: nothing
  m->SysNoHugePage(kBase + 8192, 8192, AdviceSite::kMetadata);
  EXPECT_THAT(rec_.calls(),
              ElementsAre(MadviseCall(kBase + 2 * kMiB, 2 * kMiB, Advice::kHugePage),
                          MadviseCall(kBase + 8192, 8192, Advice::kNoHugePage)));
  EXPECT_EQ(m->counters().CallsAt(AdviceSite::kMetadata, Advice::kHugePage), 1);
}

TEST_F(MemTest, HooksPerReleaseState) {
  struct Want {
    std::string variant;
    std::vector<KernelCall> grow, dense_small, dense_whole, before_scavenge;
  };
  const uintptr_t chunk = kBase;
  const std::vector<Want> wants = {
      {"hugepage_eager",
       {MadviseCall(kBase, 4 * kMiB, Advice::kHugePage)},
       {MadviseCall(chunk, 4 * kMiB, Advice::kHugePage)},
       {MadviseCall(chunk, 4 * kMiB, Advice::kHugePage)},
       {MadviseCall(chunk, 4 * kMiB, Advice::kNoHugePage)}},
      {"collapse", {}, {MadviseCall(chunk, 4 * kMiB, Advice::kCollapse)}, {}, {}},
      {"none", {}, {}, {}, {}},
      {"disablethp", {}, {}, {}, {}},
  };
  for (const Want& w : wants) {
    SCOPED_TRACE(w.variant);
    SimulatedKernel sim;
    RecordingKernel rec(sim);
    absl::StatusOr<std::unique_ptr<MemLinux>> m = NewMemLinux(rec, w.variant);
    ASSERT_TRUE(m.ok());
    uint64_t stat = 0;
    (*m)->SysReserve(kBase, 64 * kMiB);
    (*m)->SysMap(kBase, 4 * kMiB, &stat);
    rec.Clear();
    (*m)->HeapGrown(kBase, 4 * kMiB);
    EXPECT_EQ(rec.calls(), w.grow);
    rec.Clear();
    (*m)->ChunkBecameDense(chunk, 497);
    EXPECT_EQ(rec.calls(), w.dense_small);
    rec.Clear();
    (*m)->ChunkBecameDense(chunk, 512);
    EXPECT_EQ(rec.calls(), w.dense_whole);
    rec.Clear();
    (*m)->BeforeChunkScavenge(chunk);
    EXPECT_EQ(rec.calls(), w.before_scavenge);
  }
}

TEST_F(MemTest, DisableThpAdvisesEveryMappedRange) {
  std::unique_ptr<MemLinux> m = Make("disablethp");
  m->SysReserve(kBase, 64 * kMiB);
  rec_.Clear();
  m->SysMap(kBase, 4 * kMiB, &stat_);
  m->SysMap(kBase + 4 * kMiB, 8 * kMiB, &stat_);
  ASSERT_EQ(rec_.calls().size(), 4u);
  EXPECT_EQ(rec_.calls()[1], MadviseCall(kBase, 4 * kMiB, Advice::kNoHugePage));
  EXPECT_EQ(rec_.calls()[3], MadviseCall(kBase + 4 * kMiB, 8 * kMiB, Advice::kNoHugePage));
  EXPECT_THAT(sim_.Vmas(kBase, kBase + 12 * kMiB),
              ElementsAre(Vma{kBase, kBase + 12 * kMiB, Prot::kReadWrite, HugeFlag::kNoHuge}));
}

TEST_F(MemTest, LockStateIsReadAtEachCall) {
  std::unique_ptr<MemLinux> m = Make("collapse");
  HeapLock lock;
  m->set_heap_lock(&lock);
  MapFirstChunk(*m);
  sim_.Touch(kBase, 8192);  // a collapse needs a resident page
  lock.Lock();
  m->ChunkBecameDense(kBase, 10);
  lock.Unlock();
  m->SysUnused(kBase, 8192);
  EXPECT_EQ(m->counters().heap_locked_latency[static_cast<int>(Advice::kCollapse)].count(), 1);
  EXPECT_EQ(m->counters().heap_locked_latency[static_cast<int>(Advice::kDontNeed)].count(), 0);
  EXPECT_EQ(m->counters().latency[static_cast<int>(Advice::kDontNeed)].count(), 1);
  // The same split site by site (what thp_cost's calls_by_site reads).
  EXPECT_EQ(m->counters().HeapLockedCallsAt(AdviceSite::kChunkDense, Advice::kCollapse), 1);
  EXPECT_EQ(m->counters().HeapLockedCallsAt(AdviceSite::kSysUnused, Advice::kDontNeed), 0);
  EXPECT_EQ(m->counters().CallsAt(AdviceSite::kSysUnused, Advice::kDontNeed), 1);
}

TEST_F(MemTest, FailedDontNeedFallsBackToMmapForGood) {
  std::unique_ptr<MemLinux> m = Make("none");
  MapFirstChunk(*m);
  // A hole makes madvise fail with ENOMEM; Go then stops using madvise.
  m->SysUnused(kBase + 64 * kMiB, 8192);
  m->SysUnused(kBase, 8192);
  EXPECT_TRUE(m->madvise_unsupported());
  ASSERT_EQ(rec_.calls().size(), 3u);
  EXPECT_EQ(rec_.calls()[0], MadviseCall(kBase + 64 * kMiB, 8192, Advice::kDontNeed));
  EXPECT_EQ(rec_.calls()[1], MmapCall(kBase + 64 * kMiB, 8192));
  EXPECT_EQ(rec_.calls()[2], MmapCall(kBase, 8192));
}

TEST_F(MemTest, HardDecommitRemapsBothWays) {
  std::unique_ptr<MemLinux> m = Make("none", MemOptions{.harddecommit = true});
  MapFirstChunk(*m);
  m->SysUnused(kBase, 8192);
  EXPECT_EQ(sim_.Vmas(kBase, kBase + 8192)[0].prot, Prot::kNone);
  m->SysUsed(kBase, 8192, 8192);
  EXPECT_EQ(sim_.Vmas(kBase, kBase + 8192)[0].prot, Prot::kReadWrite);
  EXPECT_EQ(rec_.calls().size(), 3u);  // DONTNEED, PROT_NONE mmap, read-write mmap
}

TEST_F(MemTest, AllocRoundsTheMappingButCountsWhatWasAsked) {
  std::unique_ptr<MemLinux> m = Make("none");
  const uintptr_t p = m->SysAlloc(1133584, &stat_);  // sizeof(heapArena)
  ASSERT_NE(p, 0u);
  EXPECT_EQ(stat_, 1133584u);
  EXPECT_EQ(m->mapped_ready(), 1133584u);
  EXPECT_EQ(rec_.calls()[0].len, RoundUp(1133584, 4096));
}

TEST_F(MemTest, RefusesFixedBatchedAndUnknownNames) {
  EXPECT_FALSE(NewMemLinux(sim_, "fixed_batched").ok());
  absl::StatusOr<std::unique_ptr<MemLinux>> bad = NewMemLinux(sim_, "colapse");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), ::testing::HasSubstr("\"colapse\""));
}

TEST_F(MemTest, UnalignedUnusedThrows) {
  std::unique_ptr<MemLinux> m = Make("none");
  EXPECT_DEATH(m->SysUnused(kBase + 100, 8192), "unaligned sysUnused");
  EXPECT_DEATH(m->SysNoHugePage(kBase + 100, 8192, AdviceSite::kMetadata),
               "unaligned sysNoHugePageOS");
}

}  // namespace
}  // namespace go121
}  // namespace thp
