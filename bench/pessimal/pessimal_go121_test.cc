// Where the Go 1.21 heap's pessimal pattern stops on the simulated kernel,
// per variant, with a small vm.max_map_count so the arithmetic is visible,
// and the VMA layout the pattern leaves behind (pessimal_go121.h).
#include "bench/pessimal/pessimal_go121.h"

#include <cerrno>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "mheap/go121/mem_linux.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

constexpr uintptr_t kHeapBase = uintptr_t{0xc000000000};

struct SimRun {
  explicit SimRun(const std::string& variant, int64_t max_map_count = 1000)
      : sim([&] {
          SimOptions o;
          o.max_map_count = max_map_count;
          o.baseline_vmas = 0;
          return o;
        }()) {
    go121::MemOptions mo;
    mo.map_noreserve = true;
    absl::StatusOr<std::unique_ptr<go121::MemLinux>> m = go121::NewMemLinux(sim, variant, mo);
    EXPECT_TRUE(m.ok()) << m.status();
    mem = *std::move(m);
  }
  PessimalResult Run(uint64_t max_heap) {
    PessimalResult r = RunPessimalGo121(*mem, max_heap, nullptr, nullptr);
    sim.CheckInvariants();
    return r;
  }
  SimulatedKernel sim;
  std::unique_ptr<go121::MemLinux> mem;
};

TEST(PessimalGo121, UnitsPerGranularity) {
  SimRun prefix("prefix"), fixed("fixed"), eager("hugepage_eager"), none("none");
  EXPECT_EQ(Go121PessimalUnitFor(prefix.mem->policy()).pages(), 5u);
  EXPECT_EQ(Go121PessimalUnitFor(fixed.mem->policy()).pages(), 512u);
  EXPECT_EQ(Go121PessimalUnitFor(eager.mem->policy()).pages(), 1024u);
  EXPECT_EQ(Go121PessimalUnitFor(none.mem->policy()).pages(), 1024u);
}

}  // namespace
}  // namespace thp
