// Random workloads on the Go 1.21 runtime: allocations of every kind, drops,
// GCs, background sweeping, scavenger time and stacks, with the page heap's
// and the simulated kernel's checkers after every step (the page heap's
// covers the page reclaimer's bitmaps and state) and a check that no live
// object was swept, by the sweeper or by the page reclaimer.
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "mheap/go121/mbitmap.h"
#include "mheap/go121/runtime.h"
#include "runtime_port/base/clock.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace go121 {
namespace {

struct Param {
  std::string variant;
  int procs;
  uint32_t seed;
};

class RandomRuntimeTest : public ::testing::TestWithParam<Param> {};

uintptr_t RandomSize(std::mt19937& rng) {
  switch (rng() % 8) {
    case 0: return 1 + rng() % 15;             // tiny if noscan
    case 1: return 1 + rng() % 1024;
    case 2: return 1 + rng() % 32768;
    case 3: return 32769 + rng() % (256 << 10);  // large
    default: return 8 << (rng() % 8);
  }
}

TEST_P(RandomRuntimeTest, InvariantsHoldAfterEveryStep) {
  SimulatedKernel sim;
  VirtualClock clock{1'000'000'000};
  RuntimeOptions o;
  o.variant = GetParam().variant;
  o.gomaxprocs = GetParam().procs;
  o.touch_memory = GetParam().seed % 2 == 0;  // seeds 2 and 4 write what they get
  absl::StatusOr<std::unique_ptr<Runtime>> r = Runtime::Create(sim, clock, o);
  ASSERT_TRUE(r.ok()) << r.status();
  Runtime& rt = **r;
  std::mt19937 rng(GetParam().seed);
  std::vector<uintptr_t> live;
  std::vector<std::pair<uintptr_t, int>> stacks;  // lo, P
  std::vector<size_t> gs;  // running goroutines
  int reclaim_claims = 0;  // steps in which the page reclaimer claimed chunks
  uint64_t reclaim_index = 0;
  for (int step = 0; step < 8000; ++step) {
    const int p = static_cast<int>(rng() % static_cast<uint32_t>(o.gomaxprocs));
    const uint32_t op = rng() % 120;
    if (op >= 100) {
      // The phase 2b ops: transient runs, the held stack, goroutines.
      if (op < 104) {
        ASSERT_TRUE(rt.AllocateTransientRun(RandomSize(rng), rng() % 2 == 0, p, rng() % 2000).ok());
      } else if (op < 108) {
        ASSERT_TRUE(rt.AllocateHeld(RandomSize(rng), rng() % 2 == 0, p).ok());
      } else if (op < 110) {
        rt.DropHeldTo(rt.held_height() / 2);
      } else if (op < 114) {
        absl::StatusOr<size_t> g = rt.NewGoroutine(p);
        ASSERT_TRUE(g.ok()) << g.status();
        gs.push_back(*g);
      } else if (op < 116) {
        if (!gs.empty()) {
          const size_t g = gs[rng() % gs.size()];
          ASSERT_TRUE(rt.GrowGoroutine(g, uintptr_t{2048} << (rng() % 6), p).ok());
        }
      } else if (!gs.empty()) {
        const size_t i = rng() % gs.size();
        ASSERT_TRUE(rt.ExitGoroutine(gs[i], p).ok());
        gs[i] = gs.back();
        gs.pop_back();
      }
    } else if (op < 45) {
      absl::StatusOr<uintptr_t> x = rt.Allocate(RandomSize(rng), rng() % 2 == 0, p);
      ASSERT_TRUE(x.ok()) << x.status();
      live.push_back(*x);
    } else if (op < 60) {
      ASSERT_TRUE(rt.AllocateTransient(RandomSize(rng), rng() % 2 == 0, p).ok());
    } else if (op < 85) {
      if (!live.empty()) {
        const size_t i = rng() % live.size();
        ASSERT_TRUE(rt.Drop(live[i]).ok());
        live[i] = live.back();
        live.pop_back();
      }
    } else if (op < 87) {
      rt.GC();
    } else if (op < 91) {
      rt.sweeper().BackgroundSweep(static_cast<int>(rng() % 8));
    } else if (op < 95) {
      // Time passes: computing or sleeping, up to 3 s (forced GCs need
      // 2 min without a cycle: GOGC stays on, so they are rare here).
      const int64_t until = clock.NanoTime() + int64_t{1'000'000} * (rng() % 3000);
      rt.RunUntil(until, rng() % 2 == 0, [&clock](int64_t t) { clock.Set(t); });
      if (rng() % 50 == 0) rt.FreeOSMemory();
    } else if (op < 98) {
      absl::StatusOr<uintptr_t> s = rt.NewStack(uintptr_t{2048} << (rng() % 7), p);
      ASSERT_TRUE(s.ok()) << s.status();
      stacks.push_back({*s, p});
    } else if (!stacks.empty()) {
      const size_t i = rng() % stacks.size();
      ASSERT_TRUE(rt.FreeStack(stacks[i].first, p).ok());
      stacks[i] = stacks.back();
      stacks.pop_back();
    }
    const uint64_t reclaim_index_before = reclaim_index;
    reclaim_index = rt.heap().reclaim_index();
    if (reclaim_index != 0 && reclaim_index != reclaim_index_before) ++reclaim_claims;
    rt.heap().CheckInvariants();
    sim.CheckInvariants();
    for (uintptr_t x : live) {
      const MSpan* s = rt.heap().SpanOf(x);
      ASSERT_TRUE(s != nullptr && s->state == SpanState::kInUse)
          << "step " << step << ": live object " << x << " lost its span";
      ASSERT_FALSE(IsFree(*s, ObjIndex(*s, x))) << "step " << step << ": live object freed";
    }
    for (size_t g : gs) {
      const MSpan* s = rt.heap().SpanOf(rt.goroutines().stack_lo(g));
      ASSERT_TRUE(s != nullptr && s->state == SpanState::kManual)
          << "step " << step << ": goroutine " << g << " lost its stack";
    }
    for (size_t g = 0; g < rt.goroutines().allglen(); ++g) {
      const uintptr_t x = rt.goroutines().g_struct(g);
      const MSpan* s = rt.heap().SpanOf(x);
      ASSERT_TRUE(s != nullptr && !IsFree(*s, ObjIndex(*s, x))) << "step " << step << ": g freed";
    }
  }
  rt.GC();
  rt.heap().CheckInvariants();
  int heap_triggered = 0;
  for (const GcCycle& c : rt.gc().cycles()) heap_triggered += c.forced ? 0 : 1;
  EXPECT_GT(heap_triggered, 0);
  EXPECT_GT(reclaim_claims, 0);
}

INSTANTIATE_TEST_SUITE_P(
    Go121, RandomRuntimeTest,
    ::testing::Values(Param{"hugepage_eager", 1, 1}, Param{"collapse", 2, 2}, Param{"none", 3, 3},
                      Param{"disablethp", 2, 4}),
    [](const ::testing::TestParamInfo<Param>& i) {
      return i.param.variant + "_" + std::to_string(i.param.procs) + "P_seed" +
             std::to_string(i.param.seed);
    });

}  // namespace
}  // namespace go121
}  // namespace thp
