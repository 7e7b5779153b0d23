// The release side end to end on the virtual clock: the runtime, sysmon with
// GODEBUG=scavenge=1 or the default periods, and the exact madvise calls the
// variant makes when the scavenger releases what a workload freed.
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mheap/go15/runtime.h"
#include "runtime_port/kernel/recording_kernel.h"
#include "runtime_port/kernel/sim_kernel.h"
#include "scavenger/scavenger.h"
#include "scavenger/sysmon.h"

namespace thp {
namespace {

using ::testing::ElementsAre;

constexpr int64_t kMs = 1000000;

class ScavengeRun {
 public:
  explicit ScavengeRun(bool scavenge_debug, const std::string& variant = "fixed")
      : rec_(sim_), clock_(1000) {
    RuntimeOptions o;
    o.variant = variant;
    rt_ = *Runtime::Create(rec_, clock_, o);
    SysmonOptions so;
    so.scavenge_debug = scavenge_debug;
    sysmon_ = std::make_unique<Sysmon>(clock_.NanoTime(), so);
    actions_.note_sleep = [this](int64_t, int64_t* busy_at) {
      *busy_at = busy_at_;
      return idle_;
    };
    actions_.last_gc = [] { return int64_t{0}; };
    actions_.scavenge = [this](int32_t k, uint64_t now, uint64_t limit) {
      const uintptr_t r = HeapScavenge(rt_->heap(), k, now, limit, nullptr);
      if (r > 0) releases_.push_back({static_cast<int64_t>(now), r});
    };
  }
  // The workload sleeps (all Ps idle) until `t`.
  void SleepUntil(int64_t t) {
    idle_ = true;
    busy_at_ = t;
    Run(t);
    idle_ = false;
  }
  // The workload computes (a P busy) until `t`.
  void ComputeUntil(int64_t t) { Run(t); }

  Runtime& rt() { return *rt_; }
  RecordingKernel& rec() { return rec_; }
  VirtualClock& clock() { return clock_; }
  struct Release {
    int64_t at;
    uintptr_t bytes;
  };
  std::vector<Release> releases_;

 private:
  void Run(int64_t t) {
    sysmon_->RunUntil(t, actions_, [this](int64_t now) { clock_.Set(now); });
    clock_.Set(t);
  }
  SimulatedKernel sim_;
  RecordingKernel rec_;
  VirtualClock clock_;
  std::unique_ptr<Runtime> rt_;
  std::unique_ptr<Sysmon> sysmon_;
  SysmonActions actions_;
  bool idle_ = false;
  int64_t busy_at_ = 0;
};

TEST(ScavengeIntegration, FreedMemoryIsReleasedAfterIdling30msWithScavengeDebug) {
  ScavengeRun run(/*scavenge_debug=*/true);
  // 3 MiB + 8 KiB: a span that ends in the middle of a huge page.
  absl::StatusOr<uintptr_t> keep = run.rt().Allocate(64 << 10, true, 0);
  absl::StatusOr<uintptr_t> x = run.rt().Allocate((3 << 20) + 8192, true, 0);
  ASSERT_TRUE(keep.ok() && x.ok());
  MSpan* s = run.rt().heap().LookupMaybe(*x);
  const uintptr_t base = s->base();
  ASSERT_TRUE(run.rt().Drop(*x).ok());
  run.rt().GC();  // runtime.GC: the span is free from now
  const int64_t freed_at = run.clock().NanoTime();
  run.rec().Clear();
  run.SleepUntil(freed_at + 30 * kMs);
  ASSERT_FALSE(run.releases_.empty());
  EXPECT_GT(run.releases_[0].at - freed_at, 20 * kMs);  // idle longer than scavengelimit
  EXPECT_LE(run.releases_[0].at - freed_at, 30 * kMs);
  // What fixed does with it: the free span runs from the freed object (64 KiB
  // into the arena) to the end of the second growth (392 pages after the
  // first 1 MiB), so both ends are unaligned and not in neighbouring huge
  // pages: two NOHUGEPAGE calls, then the DONTNEED of the whole span.
  const MemStats& st = run.rt().heap().stats();
  EXPECT_EQ(st.heap_released, st.heap_idle);
  const uintptr_t end = base + st.heap_idle;
  EXPECT_EQ(end, run.rt().heap().layout().arena_start + (1 << 20) + 392 * kPageSize);
  EXPECT_THAT(run.rec().MadviseCalls(),
              ElementsAre(MadviseCall(RoundDown(base, 2 << 20), 2 << 20, Advice::kNoHugePage),
                          MadviseCall(RoundDown(end - 1, 2 << 20), 2 << 20, Advice::kNoHugePage),
                          MadviseCall(base, st.heap_idle, Advice::kDontNeed)));
  run.rt().heap().CheckInvariants();
}

TEST(ScavengeIntegration, EachSpanGoesAtTheFirstScavengeAfterItsLimitBothSettings) {
  for (bool debug : {true, false}) {
    ScavengeRun run(debug);
    const int64_t limit = debug ? 20 * kMs : int64_t{300} * 1000 * kMs;
    // Three large objects separated by kept ones, freed at different times.
    std::vector<uintptr_t> objs;
    for (int i = 0; i < 3; ++i) {
      objs.push_back(*run.rt().Allocate(256 << 10, true, 0));
      run.rt().Allocate(8192 * 3, true, 0).IgnoreError();  // a kept separator
    }
    std::vector<int64_t> freed_at;
    for (int i = 0; i < 3; ++i) {
      run.ComputeUntil(run.clock().NanoTime() + (debug ? 7 : 70000) * kMs);
      ASSERT_TRUE(run.rt().Drop(objs[static_cast<size_t>(i)]).ok());
      run.rt().GC();
      freed_at.push_back(run.clock().NanoTime());
    }
    run.ComputeUntil(run.clock().NanoTime() + 3 * limit);
    // The arena's free tail was released at the first scavenge too; each
    // dropped object's 32-page span goes at the first scavenge after it has
    // been idle longer than the limit.
    ASSERT_GE(run.releases_.size(), 3u) << "debug=" << debug;
    for (int64_t f : freed_at) {
      bool seen = false;
      for (const auto& r : run.releases_) {
        if (r.at - f > limit && r.at - f <= limit + (debug ? 11 : 150001) * kMs) seen = true;
      }
      EXPECT_TRUE(seen) << "debug=" << debug << " freed at " << f;
    }
    run.rt().heap().CheckInvariants();
  }
}

// The heap's quirks as sysmon's ticks see them (scavenge=1, 20 ms limit).
TEST(ScavengeIntegration, QuirksOnTheVirtualClock) {
  struct Case {
    const char* name;
    bool coalesce;  // free the neighbour 15 ms after the first span
  };
  for (const Case& c : {Case{"coalescing restarts the idle clock", true},
                        Case{"a lone span goes after 20 ms", false}}) {
    ScavengeRun run(/*scavenge_debug=*/true);
    std::vector<uintptr_t> objs;
    for (int i = 0; i < 4; ++i) objs.push_back(*run.rt().Allocate(64 << 10, true, 0));
    // Fill the rest of the first 1 MiB so only the test's spans become free.
    while (run.rt().heap().stats().heap_idle >= (64 << 10)) {
      run.rt().Allocate(64 << 10, true, 0).IgnoreError();
    }
    const int64_t t0 = run.clock().NanoTime();
    ASSERT_TRUE(run.rt().Drop(objs[1]).ok());
    run.rt().GC();
    if (c.coalesce) {
      run.ComputeUntil(t0 + 15 * kMs);
      ASSERT_TRUE(run.rt().Drop(objs[2]).ok());
      run.rt().GC();  // coalesces with objs[1]'s span: idle since now
    }
    run.ComputeUntil(t0 + 60 * kMs);
    ASSERT_FALSE(run.releases_.empty()) << c.name;
    const int64_t idle_from = c.coalesce ? t0 + 15 * kMs : t0;
    EXPECT_GT(run.releases_[0].at - idle_from, 20 * kMs) << c.name;
    EXPECT_LE(run.releases_[0].at - idle_from, 31 * kMs) << c.name;
    EXPECT_EQ(run.releases_[0].bytes, (c.coalesce ? 2u : 1u) * (64 << 10)) << c.name;
  }
}

TEST(ScavengeIntegration, TheTrimmedRemainderIsReleasedAgainAtTheNextTick) {
  ScavengeRun run(/*scavenge_debug=*/true);
  absl::StatusOr<uintptr_t> big = run.rt().Allocate(512 << 10, true, 0);
  while (run.rt().heap().stats().heap_idle >= (64 << 10)) {
    run.rt().Allocate(64 << 10, true, 0).IgnoreError();
  }
  ASSERT_TRUE(run.rt().Drop(*big).ok());
  run.rt().GC();
  run.ComputeUntil(run.clock().NanoTime() + 40 * kMs);  // released
  ASSERT_EQ(run.releases_.size(), 1u);
  EXPECT_EQ(run.releases_[0].bytes, 512u << 10);
  // Reuse 64 KiB of it: sysUsed on all 512 KiB, the 448 KiB remainder claims
  // no released pages and keeps its old idle time, so the next scavenge tick
  // releases it again at once.
  run.rt().Allocate(64 << 10, true, 0).IgnoreError();
  EXPECT_EQ(run.rt().heap().stats().heap_released, 0u);
  run.ComputeUntil(run.clock().NanoTime() + 11 * kMs);
  ASSERT_EQ(run.releases_.size(), 2u);
  EXPECT_EQ(run.releases_[1].bytes, 448u << 10);
}

}  // namespace
}  // namespace thp
