// Where the pessimal pattern stops on the simulated kernel, per variant, with
// a small vm.max_map_count so the arithmetic is visible: after unit i the
// arena has i + 2 VMAs (one flag boundary per unit plus the untouched tail),
// so with max_map_count 1000 the split of unit 999 is the one refused and the
// limit is 1000 units of the variant's granularity.
#include "bench/pessimal/pessimal_pattern.h"

#include <cerrno>

#include "gtest/gtest.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

PessimalResult RunOnSim(const std::string& variant, uint64_t max_heap,
                   KernelProfile profile = Linux6Profile()) {
  SimOptions o;
  o.profile = profile;
  o.max_map_count = 1000;
  o.baseline_vmas = 0;
  SimulatedKernel sim(o);
  MemLinuxOptions mo;
  mo.map_noreserve = true;
  absl::StatusOr<std::unique_ptr<MemLinux>> mem = NewMemLinux(sim, variant, mo);
  EXPECT_TRUE(mem.ok()) << mem.status();
  PessimalResult r = RunPessimal(**mem, max_heap, nullptr);
  sim.CheckInvariants();
  return r;
}

TEST(Pessimal, PrefixStopsAt8KiBPerVma) {
  PessimalResult r = RunOnSim("prefix", uint64_t{1} << 30);
  EXPECT_TRUE(r.hit_limit);
  EXPECT_EQ(r.unit, 8192u);
  EXPECT_EQ(r.heap_bytes, 1000u * 8192);
  EXPECT_EQ(r.vmas, 1000);
  EXPECT_EQ(r.err, EAGAIN);
}

TEST(Pessimal, FixedStopsAt2MiBPerVma) {
  PessimalResult r = RunOnSim("fixed", uint64_t{64} << 30);
  EXPECT_TRUE(r.hit_limit);
  EXPECT_EQ(r.unit, 2u << 20);
  EXPECT_EQ(r.heap_bytes, 1000u * (2u << 20));
  EXPECT_EQ(r.vmas, 1000);
  EXPECT_EQ(r.err, EAGAIN);
}

TEST(Pessimal, HugepageEagerStopsAt4MiBChunks) {
  PessimalResult r = RunOnSim("hugepage_eager", uint64_t{64} << 30);
  EXPECT_TRUE(r.hit_limit);
  EXPECT_EQ(r.heap_bytes, 1000u * (4u << 20));
}

TEST(Pessimal, The2015ProfileStopsAtTheSamePlace) {
  PessimalResult r = RunOnSim("prefix", uint64_t{1} << 30, Linux2015Profile());
  EXPECT_TRUE(r.hit_limit);
  EXPECT_EQ(r.heap_bytes, 1000u * 8192);
}

TEST(Pessimal, VariantsThatSetNoPerSpanFlagsNeverStop) {
  for (const char* v : {"none", "collapse", "try_collapse", "disablethp"}) {
    PessimalResult r = RunOnSim(v, uint64_t{8} << 30);
    EXPECT_FALSE(r.hit_limit) << v;
    EXPECT_EQ(r.heap_bytes, uint64_t{8} << 30) << v;
    EXPECT_LE(r.vmas, 8) << v;
  }
}

}  // namespace
}  // namespace thp
