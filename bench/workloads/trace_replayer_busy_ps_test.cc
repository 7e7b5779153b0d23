// Loops that keep every P busy ("everypbusy"): what the Go 1.5 runtime
// readies meanwhile waits for sysmon to preempt a P (go1.5.1 proc1.go
// retake: a P whose schedtick it has seen unchanged for forcePreemptNS).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/workloads/trace_line_testing.h"
#include "bench/workloads/trace_replayer.h"
#include "gtest/gtest.h"
#include "runtime_port/kernel/sim_kernel.h"
#include "scavenger/sysmon.h"

namespace thp {
namespace {

// sysmon's period once it has grown, with every P busy: usleep(10 ms) and
// its overshoot then (scavenger/sysmon.h).
const int64_t kSysmonPeriodNs = 10000000 + SysmonOptions().capped_overshoot_every_p_busy_ns;

// The GC cycles of `trace` under GODEBUG=scavenge=1 (sysmon forces a GC
// when none ended for 10 ms).
std::vector<GcCycle> Cycles(const std::string& trace) {
  SimulatedKernel sim;
  const std::unique_ptr<TraceReplayer> r =
      ReplayTraceText(sim, trace, /*batched=*/true, /*scavenge_debug=*/true);
  if (r == nullptr) return {};
  return r->runtime().gc().cycles();
}

// In a one-second loop that keeps every P busy, sysmon forces a GC as
// before, but forcegc.g waits for the Ps' preemption: retake sees their
// schedtick change at the last cycle's end in its next round and preempts
// them in the round after, so each forced cycle starts two sysmon periods
// after the last one ended (sysmon found 10 ms since it in the first).
// Its mark termination waits likewise: the mark's work is done after
// kBackgroundCycleNs, and the GC goroutine then waits for the second round
// after the cycle's start stopped the world. Go 1.5.1's own cycles in such
// loops: 20.2 ms from gc_start to gc_mark_term, 19.8 to 20.1 ms from one
// gc_done to the next gc_start (BenchmarkChanSem,
// testdata/go151_heaplog/prefix.hlog.xz); the model's periods are sysmon's
// mean there, a little longer than its median.
TEST(TraceBusyPs, CyclesInALoopKeepingEveryPBusyWaitTwoSysmonPeriodsForAP) {
  const std::vector<GcCycle> cycles =
      Cycles("thp-trace 1\ngc\nloop 1000 1000000 everypbusy\nend\ncompute 2000000\n");
  ASSERT_GE(cycles.size(), 5u);
  EXPECT_EQ(cycles[0].mode, GcMode::kForceBlock);
  // From the second background cycle on, sysmon runs at its full period.
  for (size_t i = 2; i + 1 < cycles.size(); ++i) {
    EXPECT_EQ(cycles[i].mode, GcMode::kBackground);
    EXPECT_EQ(cycles[i].end_ns - cycles[i].start_ns, 2 * kSysmonPeriodNs) << i;
    EXPECT_EQ(cycles[i].start_ns - cycles[i - 1].end_ns, 2 * kSysmonPeriodNs) << i;
  }
  // Four periods a cycle: about half as many as when a P is idle.
  EXPECT_GE(cycles.size(), 1u + 23u);
  EXPECT_LE(cycles.size(), 1u + 26u);
}

// Leaving the loop, the Ps schedule and what waited for one runs: a cycle
// whose mark's work is done terminates at the loop's end, and a forced GC
// that sysmon readied starts there. The loops below end early on the
// same course as a long one: inside its fourth background cycle's wait
// for mark termination, and inside forcegc.g's wait before that cycle.
TEST(TraceBusyPs, WhatWaitsForAPRunsWhenTheLoopEnds) {
  const auto trace = [](int64_t iterations) {
    return absl::StrCat("thp-trace 1\ngc\nloop ", iterations, " 1000000 everypbusy\nend\n");
  };
  const std::vector<GcCycle> whole = Cycles(trace(1000));
  ASSERT_GE(whole.size(), 6u);
  const int64_t t0 = whole[0].end_ns;  // the loop's start
  const GcCycle& fourth = whole[4];
  ASSERT_EQ(fourth.end_ns - fourth.start_ns, 2 * kSysmonPeriodNs);
  // 5 ms into the wait for mark termination (the work took about 1 ms).
  const int64_t in_mark = (fourth.start_ns - t0) / 1000000 + 6;
  std::vector<GcCycle> cycles = Cycles(trace(in_mark));
  ASSERT_EQ(cycles.size(), 5u);
  EXPECT_EQ(cycles[4].start_ns, fourth.start_ns);
  EXPECT_EQ(cycles[4].end_ns, t0 + in_mark * 1000000);
  // 2 to 3 ms before the preemption that would start the fourth cycle,
  // forcegc.g readied a period before it.
  const int64_t in_wait = (fourth.start_ns - t0) / 1000000 - 2;
  ASSERT_GT(t0 + in_wait * 1000000, whole[3].end_ns + kSysmonPeriodNs);
  cycles = Cycles(absl::StrCat(trace(in_wait), "compute 2000000\n"));
  ASSERT_EQ(cycles.size(), 5u);
  EXPECT_EQ(cycles[4].start_ns, t0 + in_wait * 1000000);
  // A P is idle now: the mark's own time (the GC's three goroutines' stacks
  // scanned: backgroundgc and a mark worker per P).
  EXPECT_EQ(cycles[4].end_ns - cycles[4].start_ns,
            kBackgroundCycleNs + 3 * (kBackgroundCycleNsPerAllG + kBackgroundCycleNsPerG));
}

}  // namespace
}  // namespace thp
