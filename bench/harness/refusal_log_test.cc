// The refusal log under a simulated kernel at a small vm.max_map_count, with
// a recording kernel linked beside it: the two call structs
// (RefusedCall here, the recorder's KernelCall) live in one binary.
#include "bench/harness/refusal_log.h"

#include <cerrno>

#include "gtest/gtest.h"
#include "runtime_port/kernel/recording_kernel.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

constexpr uintptr_t kBase = uintptr_t{0xc000000000};

TEST(RefusalLogTest, NamesTheFirstRefusedSplitAndTheLastRefusedMap) {
  SimOptions o;
  o.max_map_count = 3;
  SimulatedKernel sim(o);
  RecordingKernel recorder(sim);
  int64_t now = 1500000000;
  RefusalLog log(recorder, [&now] { return now; });

  ASSERT_EQ(log.Mmap(kBase, 8 * kHugePageSize, Prot::kReadWrite, kMapFixed).err, 0);
  // The last huge page flagged: one split, two VMAs.
  EXPECT_EQ(log.Madvise(kBase + 7 * kHugePageSize, kHugePageSize, Advice::kNoHugePage), 0);
  now += 1000000;
  // A page in the middle needs two splits; the second meets the limit
  // (EAGAIN), and so does every later flag change that needs one.
  EXPECT_EQ(log.Madvise(kBase + 2 * kHugePageSize, kHugePageSize, Advice::kHugePage), EAGAIN);
  EXPECT_EQ(log.Madvise(kBase + 4 * kHugePageSize, kHugePageSize, Advice::kNoHugePage), EAGAIN);
  // A DONTNEED changes no flag and splits nothing.
  EXPECT_EQ(log.Madvise(kBase, kHugePageSize, Advice::kDontNeed), 0);
  EXPECT_EQ(log.refused_splits(), 2);
  const RefusedCall& split = log.first_refused_split();
  EXPECT_EQ(split.op, "madvise(HUGEPAGE)");
  EXPECT_EQ(split.map_count, 3);
  EXPECT_EQ(RefusedCallToString(split),
            "madvise(HUGEPAGE)(0xc000400000, 2097152) = EAGAIN at t=1.501s");

  // A mapping that cannot merge: the first at map_count == limit still
  // succeeds (the kernel compares before it maps), the next is refused.
  EXPECT_TRUE(log.last_refused_map().op.empty());
  EXPECT_EQ(log.Mmap(kBase + 16 * kHugePageSize, kHugePageSize, Prot::kReadWrite, kMapFixed).err, 0);
  EXPECT_EQ(log.Mmap(kBase + 32 * kHugePageSize, kHugePageSize, Prot::kReadWrite, kMapFixed).err,
            ENOMEM);
  EXPECT_EQ(log.refused_mmaps(), 1);
  EXPECT_EQ(log.last_refused_map().map_count, 4);
  EXPECT_EQ(RefusedCallToString(log.last_refused_map()),
            "mmap(0xc004000000, 2097152, MAP_FIXED) = ENOMEM at t=1.501s");

  // Every call went through the recorder below the log, refused or not.
  ASSERT_EQ(recorder.calls().size(), 7u);
  EXPECT_EQ(KernelCallToString(recorder.calls()[2]), "madvise(0xc000400000, 0x200000, HUGEPAGE) = EAGAIN");
}

}  // namespace
}  // namespace thp
