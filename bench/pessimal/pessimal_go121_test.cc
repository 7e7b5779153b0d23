// Where the Go 1.21 heap's pessimal pattern stops on the simulated kernel,
// per variant, with a small vm.max_map_count so the arithmetic is visible,
// and the VMA layout the pattern leaves behind (pessimal_go121.h).
#include "bench/pessimal/pessimal_go121.h"

#include <cerrno>
#include <vector>

#include "absl/strings/str_format.h"
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

// The heap's VMAs after `units` units (no limit in sight), as
// "<offset from the heap's base, KiB> <size, KiB> <prot> <flag>" lines, read
// at the run's last progress call (the heap unmaps itself afterwards).
std::vector<std::string> HeapLayout(const std::string& variant, uint64_t units) {
  SimRun run(variant, 65530);
  const uintptr_t unit = Go121PessimalUnitFor(run.mem->policy()).pages() * 8192;
  std::vector<std::string> out;
  PessimalResult r = RunPessimalGo121(*run.mem, units * unit, [&](uint64_t heap) {
    if (heap != units * unit) return;
    out.clear();
    for (const Vma& v : run.sim.Vmas(kHeapBase, kHeapBase + (uintptr_t{64} << 20))) {
      out.push_back(absl::StrFormat("%d %d %s %s", (v.start - kHeapBase) >> 10, v.size() >> 10,
                                    ProtName(v.prot), HugeFlagName(v.huge)));
    }
  }, nullptr);
  EXPECT_FALSE(r.hit_limit);
  EXPECT_EQ(r.heap_bytes, units * unit);
  EXPECT_EQ(r.arena_start, kHeapBase);
  run.sim.CheckInvariants();
  return out;
}

// The layouts pessimal_go121.h promises, three units of each.
TEST(PessimalGo121, PrefixAlternatesAOnePageHoleWithHugepageSpans) {
  // A (16 KiB) HUGEPAGE, the hole NOHUGEPAGE, S and the next A merged
  // (32 KiB) HUGEPAGE; the rest of the first chunk untouched, the rest of
  // the arena reserved.
  EXPECT_EQ(HeapLayout("prefix", 3),
            (std::vector<std::string>{"0 16 rw- hugepage", "16 8 rw- nohugepage",
                                      "24 32 rw- hugepage", "56 8 rw- nohugepage",
                                      "64 32 rw- hugepage", "96 8 rw- nohugepage",
                                      "104 16 rw- hugepage", "120 3976 rw- none",
                                      "4096 61440 --- none"}));
}

TEST(PessimalGo121, FixedAlternatesHugePages) {
  EXPECT_EQ(HeapLayout("fixed", 3),
            (std::vector<std::string>{"0 2048 rw- hugepage", "2048 2048 rw- nohugepage",
                                      "4096 2048 rw- hugepage", "6144 2048 rw- nohugepage",
                                      "8192 2048 rw- hugepage", "10240 2048 rw- nohugepage",
                                      "12288 53248 --- none"}));
}

TEST(PessimalGo121, HugepageEagerAlternatesChunks) {
  EXPECT_EQ(HeapLayout("hugepage_eager", 3),
            (std::vector<std::string>{"0 4096 rw- hugepage", "4096 4096 rw- nohugepage",
                                      "8192 4096 rw- hugepage", "12288 4096 rw- nohugepage",
                                      "16384 4096 rw- hugepage", "20480 4096 rw- nohugepage",
                                      "24576 40960 --- none"}));
}

TEST(PessimalGo121, VariantsThatSetNoPerChunkFlagsLeaveOneVma) {
  const std::vector<std::string> plain = {"0 24576 rw- none", "24576 40960 --- none"};
  EXPECT_EQ(HeapLayout("none", 3), plain);
  EXPECT_EQ(HeapLayout("collapse", 3), plain);
  EXPECT_EQ(HeapLayout("try_collapse", 3), plain);
  EXPECT_EQ(HeapLayout("disablethp", 3),
            (std::vector<std::string>{"0 24576 rw- nohugepage", "24576 40960 --- none"}));
}

TEST(PessimalGo121, CollapseNeverCollapses) {
  // No chunk becomes dense through a share under 512 pages: no COLLAPSE,
  // so a real-kernel run allocates no huge page.
  for (const char* v : {"collapse", "try_collapse"}) {
    SimRun run(v);
    run.Run(uint64_t{1} << 30);
    EXPECT_EQ(run.mem->counters().calls[static_cast<int>(Advice::kCollapse)], 0) << v;
    EXPECT_EQ(run.mem->counters().calls[static_cast<int>(Advice::kTryCollapse)], 0) << v;
  }
}

// The map count after `units` units on a kernel with room to spare.
int64_t VmasAfter(const std::string& variant, uint64_t units) {
  SimRun run(variant, 65530);
  const uintptr_t unit = Go121PessimalUnitFor(run.mem->policy()).pages() * 8192;
  return run.Run(units * unit).vmas;
}

// With vm.max_map_count 1000 the run stops in the first unit whose VMAs do
// not fit: one unit fewer fits on a kernel with room to spare, this one does
// not; each unit costs two VMAs.
TEST(PessimalGo121, StopsAtTheFirstUnitPastTheLimit) {
  for (const char* v : {"prefix", "fixed", "hugepage_eager"}) {
    SimRun run(v, 1000);
    const PessimalResult r = run.Run(uint64_t{256} << 30);
    EXPECT_TRUE(r.hit_limit) << v;
    EXPECT_EQ(r.err, EAGAIN) << v;
    EXPECT_FALSE(r.reserve_failed) << v;
    ASSERT_EQ(r.heap_bytes % r.unit, 0u) << v;
    const uint64_t n = r.heap_bytes / r.unit;
    EXPECT_GE(r.vmas, 1000) << v;
    EXPECT_LE(VmasAfter(v, n - 1), 1000) << v;
    EXPECT_GT(VmasAfter(v, n), 1000) << v;
    EXPECT_EQ(VmasAfter(v, n) - VmasAfter(v, n - 1), 2) << v;
  }
}

TEST(PessimalGo121, MaxHeapBoundsARunWithoutLimit) {
  SimRun run("none");
  const PessimalResult r = run.Run((uint64_t{1} << 30) + 5);
  EXPECT_FALSE(r.hit_limit);
  EXPECT_EQ(r.heap_bytes, uint64_t{1} << 30);  // 128 whole units of 8 MiB
  EXPECT_EQ(r.unit, uintptr_t{8} << 20);
}

}  // namespace
}  // namespace thp
