// Seeded random op sequences on the Go 1.21 heap, every release state, one
// and several Ps, with the heap's recompute-and-compare checker and the
// simulated kernel's after every op (heap_driver.h).
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mheap/go121/heap_driver.h"

namespace thp {
namespace go121 {
namespace {

struct Param {
  std::string variant;
  int nprocs;
};

class RandomHeapTest : public ::testing::TestWithParam<Param> {};

TEST_P(RandomHeapTest, CheckerHoldsAfterEveryStep) {
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    SCOPED_TRACE(seed);
    std::mt19937_64 rng(seed);
    HeapDriver d(GetParam().variant, GetParam().nprocs);
    // Allocation-heavy at first so the heap grows, then mixed.
    std::vector<uint8_t> ops;
    for (int step = 0; step < 3000; ++step) {
      const uint64_t r = rng();
      uint8_t op;
      if (step < 300) {
        op = r % 3 == 0 ? 2 : 0;
      } else {
        // alloc, stack, free, scavenge, gc, tick, p, limit, flush
        static constexpr int kWeights[HeapDriver::kOps] = {30, 6, 34, 2, 4, 12, 5, 2, 5};
        int x = static_cast<int>(r % 100);
        op = 0;
        while (x >= kWeights[op]) x -= kWeights[op++];
      }
      d.Step(op, static_cast<uint8_t>(r >> 32));
    }
    // Everything the workload did was checked; it also did something.
    EXPECT_GT(d.heap().stats().heap_in_use + d.heap().stats().heap_free +
                  d.heap().stats().heap_released,
              0u);
    EXPECT_GT(d.mem().counters().Calls(Advice::kDontNeed), 0);
    EXPECT_GT(d.bg().runs(), 0);
    const MadviseCounters& c = d.mem().counters();
    // The release states' own advice happened.
    if (GetParam().variant == "collapse") {
      EXPECT_GT(c.CallsAt(AdviceSite::kChunkDense, Advice::kCollapse), 0);
    }
    if (GetParam().variant == "hugepage_eager") {
      EXPECT_GT(c.CallsAt(AdviceSite::kChunkDense, Advice::kHugePage), 0);
      EXPECT_GT(c.CallsAt(AdviceSite::kChunkScavenge, Advice::kNoHugePage), 0);
    }
    std::printf("%s/%dP seed %d: grown %lu MiB, DONTNEED %ld, HUGEPAGE %ld, NOHUGEPAGE %ld, "
                "COLLAPSE %ld, bg runs %ld, eager %lu KiB\n",
                GetParam().variant.c_str(), GetParam().nprocs, static_cast<int>(seed),
                static_cast<unsigned long>(d.heap().pages().in_use().total_bytes() >> 20),
                static_cast<long>(c.Calls(Advice::kDontNeed)),
                static_cast<long>(c.Calls(Advice::kHugePage)),
                static_cast<long>(c.Calls(Advice::kNoHugePage)),
                static_cast<long>(c.Calls(Advice::kCollapse)), static_cast<long>(d.bg().runs()),
                static_cast<unsigned long>(d.heap().released_eager_total() >> 10));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Go121, RandomHeapTest,
    ::testing::Values(Param{"hugepage_eager", 1}, Param{"collapse", 1}, Param{"none", 1},
                      Param{"disablethp", 1}, Param{"collapse", 4}, Param{"none", 3}),
    [](const ::testing::TestParamInfo<Param>& i) {
      return i.param.variant + "_" + std::to_string(i.param.nprocs) + "P";
    });

}  // namespace
}  // namespace go121
}  // namespace thp
