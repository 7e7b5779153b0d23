// The Go 1.5 background sweeper (bgsweep, go1.5.1 mgcsweep.go) on the
// replayer's virtual clock (mheap/heap_runtime/go15_heap_runtime.h): its
// measured pace on an idle P, each span stamped when it is freed, none on
// one busy P, its turns in the global run queue while the workload reports
// every P busy, the sysmon passes that wait for it, and the moment of a
// loop allocation that races it for spans.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/workloads/trace_format.h"
#include "bench/workloads/trace_line_testing.h"
#include "bench/workloads/trace_replayer.h"
#include "gtest/gtest.h"
#include "mheap/go15/mheap.h"
#include "mheap/heap_runtime/go15_heap_runtime.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

// The garbage: 16 KiB objects, each alone in a two-page span of its size
// class.
constexpr uint64_t kSpanBytes = 16384;
// What bgsweep takes over one of those spans (mgc.h: a span and its one
// object slot).
const int64_t kSpanNs = kBgSweepNsPerSpan + std::llround(kBgSweepNsPerObject);
// The first background cycle makes the GC's own goroutines (backgroundgc,
// a mark worker per P): allgs grows from nothing to 4, and the arrays of 1
// and 2 pointers it outgrows are garbage too, each alone in a one-page span
// of its size class.
constexpr uint64_t kAllgsGarbage = 2 * 8192;

// When the heap's spans were freed (their stamp), when a pass released a
// span stamped after its `now`, and each pass's `now` with the time it
// took the heap lock and the heap's last stamped free before it.
class FreeTimes final : public MHeapObserver {
 public:
  explicit FreeTimes(const Clock& clock, const GcModel* gc = nullptr) : clock_(clock), gc_(gc) {}
  void OnGrow(PageCount, uintptr_t, uintptr_t) override {}
  void OnFreeSpan(PageId, PageCount, bool, bool, bool stamped, const MSpan& merged) override {
    if (!stamped) return;
    stamps.push_back(merged.unusedsince);  // coalescing keeps the freed span's
    last_free_ns = clock_.NanoTime();
  }
  void OnAllocSpan(const MSpan*, PageCount, PageCount) override {}
  void OnStaleRelease(PageCount) override {
    stale_after_last_free_ns.push_back(clock_.NanoTime() - last_free_ns);
    stale_at.push_back(clock_.NanoTime());
  }
  void OnScavenge(int32_t, uint64_t now, uint64_t) override {
    passes.push_back({static_cast<int64_t>(now), clock_.NanoTime(), last_free_ns,
                      gc_ != nullptr && gc_->sweepdone()});
  }
  struct Pass {
    int64_t now, locked_at, last_free_ns;
    bool sweep_done;  // (with a GcModel given)
  };
  std::vector<Pass> passes;

  std::vector<int64_t> stamps;
  int64_t last_free_ns = 0;
  std::vector<int64_t> stale_after_last_free_ns;
  std::vector<int64_t> stale_at;

 private:
  const Clock& clock_;
  const GcModel* gc_;
};

class BgSweepTest : public ::testing::Test {
 protected:
  void Start(int gomaxprocs, uint64_t sweep_wait_seed = kSweepWaitSeed) {
    RuntimeOptions o;
    o.gomaxprocs = gomaxprocs;
    o.sweep_wait_seed = sweep_wait_seed;
    absl::StatusOr<std::unique_ptr<TraceReplayer>> r =
        TraceReplayer::Create(sim_, o, /*scavenge_debug=*/true, nullptr);
    ASSERT_TRUE(r.ok()) << r.status();
    r_ = *std::move(r);
  }
  void Apply(const std::string& line) { ApplyTraceLine(*r_, line); }
  void RunUntilPassesWaited(int64_t waits, FreeTimes& times);
  // After runtime.GC() and whatever `before` says, objects of `bytes`, each
  // `keep_every`-th kept (none with 0) and the others dropped once
  // allocated, until an allocation starts a background cycle; spans_ counts
  // them, end_ is when its concurrent mark ends.
  void ObjectsUntilACycle(uint64_t bytes, int keep_every, const std::string& before = "") {
    Apply("gc");
    if (!before.empty()) Apply(before);
    const GcModel& gc = r_->runtime().gc();
    while (gc.cycles_started() < 2) {
      ++spans_;
      ASSERT_LT(spans_, 100000);
      Apply(absl::StrCat("alloc ", spans_, " ", bytes, " noscan 0"));
      if (keep_every == 0 || spans_ % keep_every != 0) Apply(absl::StrCat("drop ", spans_));
    }
    ASSERT_TRUE(gc.marking());  // a background cycle
    end_ = gc.mark_end_ns();
    inuse_ = stats().heap_inuse;
  }
  // Garbage spans of kSpanBytes (ObjectsUntilACycle).
  void GarbageUntilACycle(const std::string& before = "") {
    ObjectsUntilACycle(kSpanBytes, /*keep_every=*/0, before);
    ASSERT_GT(spans_, 100);
  }
  // Computes until the cycle's concurrent mark has ended.
  void ComputeUntilTheMarkEnds() {
    while (r_->now_ns() < end_) Apply("compute 100000");
  }
  // Over `n` * `apart_ns` of computing, bgsweep frees `n` spans, each
  // stamped `apart_ns` after the one before, the last no later than now.
  void ExpectFreesApart(int n, int64_t apart_ns) {
    FreeTimes times(r_->runtime().heap().clock());
    r_->runtime().heap().set_observer(&times);
    Apply(absl::StrCat("compute ", n * apart_ns));
    r_->runtime().heap().set_observer(nullptr);
    ASSERT_EQ(times.stamps.size(), static_cast<size_t>(n));
    for (size_t i = 1; i < times.stamps.size(); ++i) {
      EXPECT_EQ(times.stamps[i] - times.stamps[i - 1], apart_ns) << i;
    }
    last_stamp_ = times.stamps.back();
    EXPECT_LE(last_stamp_, r_->now_ns());
  }
  // Spans given back to the heap since the cycle started.
  int64_t Freed() const { return static_cast<int64_t>((inuse_ - stats().heap_inuse) / kSpanBytes); }
  // Bytes given back to the heap since the cycle started.
  uint64_t FreedBytes() const { return inuse_ - stats().heap_inuse; }
  const std::vector<GcCycle>& cycles() const { return r_->runtime().gc().cycles(); }
  const MemStats& stats() const { return r_->runtime().heap().stats(); }

  SimulatedKernel sim_;
  std::unique_ptr<TraceReplayer> r_;
  int spans_ = 0;
  int64_t end_ = 0;
  uint64_t inuse_ = 0;
  int64_t last_stamp_ = 0;  // ExpectFreesApart's last span
};

// On a P the program leaves idle, bgsweep starts as the cycle ends and frees
// one span every kSpanNs of virtual time (each of these spans' time), the
// span in progress carried from one step to the next; before it gets to a
// span, the span is still in use.
TEST_F(BgSweepTest, OnAnIdlePItFreesASpanPerMeasuredInterval) {
  Start(2);
  GarbageUntilACycle();
  const int64_t end = end_;
  // The object whose allocation started the cycle was live when marked.
  const int64_t garbage = spans_ - 1;
  auto due = [&] {
    return std::min<int64_t>(garbage, std::max<int64_t>(0, r_->now_ns() - end) / kSpanNs);
  };
  while (r_->now_ns() < end) {
    EXPECT_EQ(Freed(), 0);
    Apply("compute 100000");
  }
  EXPECT_EQ(Freed(), due());
  for (int step = 0; step < 40; ++step) {  // steps shorter than a span's time
    Apply(absl::StrCat("compute ", kSpanNs / 3));
    EXPECT_EQ(Freed(), due()) << "step " << step;
  }
  EXPECT_GT(Freed(), 10);
  EXPECT_LT(Freed(), garbage);
  Apply(absl::StrCat("compute ", kSpanNs * spans_));
  EXPECT_EQ(FreedBytes(), static_cast<uint64_t>(garbage) * kSpanBytes + kAllgsGarbage);
  EXPECT_TRUE(r_->runtime().gc().sweepdone());
}

// Each span bgsweep frees goes back to the heap at its own time, one
// kSpanNs after the one before, however long the step that
// covers them (mHeap_FreeSpanLocked stamps it with nanotime() then).
TEST_F(BgSweepTest, EachSpanItFreesIsStampedWithItsOwnTime) {
  Start(2);
  GarbageUntilACycle();
  ComputeUntilTheMarkEnds();
  ExpectFreesApart(30, kSpanNs);
  EXPECT_GT(last_stamp_, r_->now_ns() - kSpanNs);
}

// A span bgsweep keeps (an object on it still live) takes none of its
// time (mgc.h): with every other span held, the freed ones still go back
// one kSpanNs after another.
TEST_F(BgSweepTest, ASpanItKeepsTakesNoTime) {
  Start(2);
  ObjectsUntilACycle(kSpanBytes, /*keep_every=*/2);
  ComputeUntilTheMarkEnds();
  ExpectFreesApart(30, kSpanNs);
}

// A span of many object slots takes longer than one of a single slot:
// 4 KiB objects, two to a one-page span, take kBgSweepNsPerObject more.
TEST_F(BgSweepTest, ItTakesLongerOverASpanOfMoreSlots) {
  Start(2);
  ObjectsUntilACycle(4096, /*keep_every=*/0);
  ComputeUntilTheMarkEnds();
  ExpectFreesApart(30, kBgSweepNsPerSpan + std::llround(2 * kBgSweepNsPerObject));
}

// Runs PassesDueInsideTheSweep's workload until `waits` passes have waited
// for a sweep (at most some 10^6 ops), then on past the last one's sweep.
void BgSweepTest::RunUntilPassesWaited(int64_t waits, FreeTimes& times) {
  r_->runtime().heap().set_observer(&times);
  Apply("gc");
  // 16 MiB held: each cycle leaves about as much garbage, 1,024 spans of
  // one slot made 5 us apart (a cycle every 5 ms or so, before sysmon
  // would force one), whose sweep (about 1.7 ms at the measured pace)
  // sysmon's 10 ms rounds fall into now and then.
  constexpr int kHeld = 1024;
  for (int id = 1; id <= kHeld; ++id) Apply(absl::StrCat("alloc ", id, " 16384 noscan 0"));
  const Go15HeapRuntime& go15 = r_->go15();
  for (int id = kHeld + 1; go15.sweep_lock_waits() < waits && id < 1000000; ++id) {
    Apply(absl::StrCat("alloc ", id, " 16384 noscan 0"));
    Apply(absl::StrCat("drop ", id));
    Apply("compute 5000");
  }
  Apply("compute 20000000");  // past the last waiting pass's sweep
  r_->runtime().heap().set_observer(nullptr);
}

// Of sysmon's passes due while bgsweep still has spans to free on the idle
// P, one in kSweepPassesPerLateClock (drawn) reads its clock only once the
// sweeper finds nothing left, and of the others one in
// kMidSweepPassesPerLockWait takes the heap lock only then, and releases
// the spans freed since its `now` however young (scavengelist's unsigned
// test); no other pass releases any of those.
TEST_F(BgSweepTest, PassesDueInsideTheSweepReadTheClockLateOrWaitForItsEnd) {
  Start(2);
  FreeTimes times(r_->runtime().heap().clock(), &r_->runtime().gc());
  constexpr int64_t kWaits = 3;
  RunUntilPassesWaited(kWaits, times);
  const Go15HeapRuntime& go15 = r_->go15();
  ASSERT_EQ(go15.sweep_lock_waits(), kWaits) << go15.passes_in_sweep() << " passes inside a sweep";
  // Each pass due is late or reads its clock then; the draws come at about
  // their rates (kSweepWaitSeed's sequence: a bound, not a count).
  const int64_t late = go15.passes_due_in_sweep() - go15.passes_in_sweep();
  ASSERT_GE(late, 3);
  EXPECT_GE(go15.passes_in_sweep(), kWaits * Go15HeapRuntime::kMidSweepPassesPerLockWait / 4);
  EXPECT_LE(go15.passes_in_sweep(), kWaits * Go15HeapRuntime::kMidSweepPassesPerLockWait * 4);
  EXPECT_GE(go15.passes_due_in_sweep(), late * Go15HeapRuntime::kSweepPassesPerLateClock / 4);
  EXPECT_LE(go15.passes_due_in_sweep(), late * Go15HeapRuntime::kSweepPassesPerLateClock * 4);
  // The passes that waited took the lock later than they read the clock;
  // the late ones read it as they took the lock, as the sweep was done (at
  // most one span's time after its last free).
  int waited = 0, read_late = 0;
  for (const FreeTimes::Pass& p : times.passes) {
    if (p.now < p.locked_at) {
      ++waited;
      EXPECT_TRUE(p.sweep_done);
      EXPECT_LE(p.locked_at - p.last_free_ns, kSpanNs);
    } else if (p.sweep_done && p.locked_at - p.last_free_ns <= kSpanNs) {
      ++read_late;
    }
  }
  EXPECT_EQ(waited, kWaits);
  EXPECT_EQ(read_late, late);
  // Every release of a span stamped after its pass's `now` came from a
  // waiting pass, once the sweeper's last sweepone found nothing.
  ASSERT_FALSE(times.stale_at.empty());
  for (int64_t after : times.stale_after_last_free_ns) {
    EXPECT_GE(after, 0);
    EXPECT_LE(after, kSpanNs);
  }
  std::vector<int64_t> stale_passes = times.stale_at;
  stale_passes.erase(std::unique(stale_passes.begin(), stale_passes.end()), stale_passes.end());
  EXPECT_LE(stale_passes.size(), static_cast<size_t>(kWaits));
}

// Which passes wait is a seeded draw (RuntimeOptions::sweep_wait_seed): the
// same seed picks the same passes, run after run; another seed others.
TEST_F(BgSweepTest, TheSweepWaitSeedPicksWhichPassesWait) {
  auto waiting_passes = [this](uint64_t seed) {
    Start(2, seed);
    FreeTimes times(r_->runtime().heap().clock(), &r_->runtime().gc());
    RunUntilPassesWaited(2, times);
    std::vector<int64_t> nows;
    for (const FreeTimes::Pass& p : times.passes) {
      if (p.now < p.locked_at) nows.push_back(p.now);
    }
    return nows;
  };
  const std::vector<int64_t> a = waiting_passes(kSweepWaitSeed);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(waiting_passes(kSweepWaitSeed), a);
  const std::vector<int64_t> b = waiting_passes(kSweepWaitSeed + 1);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_NE(b, a);
}

// On one P the benchmark goroutine keeps the P: bgsweep sweeps nothing
// while the P is busy, and sweeps at its measured pace while it is idle.
TEST_F(BgSweepTest, OnOnePItRunsOnlyWhileThePIsIdle) {
  Start(1);
  GarbageUntilACycle();
  Apply("compute 3000000");  // past the cycle's end, the P busy
  EXPECT_EQ(Freed(), 0);
  Apply(absl::StrCat("sleep ", 10 * kSpanNs));
  EXPECT_EQ(Freed(), 10);
}

// While the workload reports its run queue (every P busy), bgsweep sweeps
// one span from runnext as the cycle ends, then one each time a P takes it
// from the global run queue, where it waits behind the gs queued before it
// (go1.5.1: gcSweep's ready, bgsweep's Gosched).
TEST_F(BgSweepTest, WithEveryPBusyItWaitsInTheGlobalRunQueue) {
  Start(2);
  GarbageUntilACycle("globrunqput 5");
  while (r_->now_ns() < end_) {
    EXPECT_EQ(Freed(), 0);
    Apply("compute 100000");
  }
  EXPECT_EQ(Freed(), 1);  // readied into runnext as the cycle ends
  Apply("compute 2000000");
  EXPECT_EQ(Freed(), 1);  // no P idle, whatever the time
  Apply("globrunqget 0 2");
  Apply("globrunqget 1 3");
  EXPECT_EQ(Freed(), 1);  // the five queued before it
  Apply("globrunqget 0 0");
  EXPECT_EQ(Freed(), 2);  // its turn; then back to the tail, first there
  Apply("globrunqput 4");
  Apply("globrunqget 1 1");
  EXPECT_EQ(Freed(), 3);
  Apply("globrunqget 0 2");
  EXPECT_EQ(Freed(), 3);  // now behind three
  ASSERT_EQ(cycles().size(), 2u);
  Apply("gc");
  EXPECT_TRUE(r_->runtime().gc().sweepdone());
  EXPECT_EQ(FreedBytes(), static_cast<uint64_t>(spans_) * kSpanBytes + kAllgsGarbage);
}

// Every kCycleEndsPerParkStall-th background cycle's GC goroutine parks
// only a stall after the cycle's end (Go15HeapRuntime::ParkDelay, the
// first stall kParkStallsNs[0]): until then bggc.working holds, so however
// far the heap grows past the trigger no cycle starts, and bgsweep, readied
// onto that goroutine's P, frees nothing. It frees its first span a span's
// time after the park, and the next allocation past the trigger starts
// the next cycle. The cycles before it end without a stall.
// (The program's own sweep, in its allocations, is not held up.)
TEST_F(BgSweepTest, EveryNinthCycleEndStallsTheGcGoroutineAndTheSweeper) {
  Start(2);
  Apply("gc");
  const GcModel& gc = r_->runtime().gc();
  auto background_ends = [&] {
    return std::count_if(cycles().begin(), cycles().end(),
                         [](const GcCycle& c) { return c.mode == GcMode::kBackground; });
  };
  int id = 0;
  int64_t ended = 0;
  while (background_ends() < Go15HeapRuntime::kCycleEndsPerParkStall) {
    ASSERT_LT(++id, 1000000);
    Apply(absl::StrCat("alloc ", id, " 16384 noscan 0"));
    Apply(absl::StrCat("drop ", id));
    if (background_ends() > ended) {
      ended = background_ends();
      if (ended < Go15HeapRuntime::kCycleEndsPerParkStall) {
        EXPECT_EQ(gc.bggc_parks_ns(), 0) << ended;
      }
    }
    Apply("compute 5000");
  }
  const GcCycle last = cycles().back();
  ASSERT_EQ(last.mode, GcMode::kBackground);
  const int64_t parks = last.end_ns + Go15HeapRuntime::kParkStallsNs[0];
  ASSERT_EQ(gc.bggc_parks_ns(), parks);
  ASSERT_LT(r_->now_ns(), parks);
  FreeTimes times(r_->runtime().heap().clock());
  r_->runtime().heap().set_observer(&times);
  // Past the trigger at once, with no time passing: no cycle starts.
  const size_t started = gc.cycles_started();
  while (stats().heap_live < stats().next_gc) {
    ASSERT_LT(++id, 1000000);
    Apply(absl::StrCat("alloc ", id, " 16384 noscan 0"));
    Apply(absl::StrCat("drop ", id));
  }
  Apply(absl::StrCat("alloc ", ++id, " 16384 noscan 0"));
  EXPECT_EQ(gc.cycles_started(), started);
  // The program's own sweep freed spans as it allocated; bgsweep, with
  // spans left, frees none while the program computes up to the park.
  ASSERT_FALSE(gc.sweepdone());
  const size_t by_program = times.stamps.size();
  while (r_->now_ns() + 5000 < parks) Apply("compute 5000");
  EXPECT_EQ(gc.cycles_started(), started);
  EXPECT_EQ(times.stamps.size(), by_program);
  Apply("compute 10000");  // past the park
  ASSERT_GT(times.stamps.size(), by_program);
  EXPECT_EQ(times.stamps[by_program], parks + kSpanNs);
  Apply(absl::StrCat("alloc ", ++id, " 16384 noscan 0"));
  EXPECT_EQ(gc.cycles_started(), started + 1);
  r_->runtime().heap().set_observer(nullptr);
}

// The time of each span the heap hands out.
class AllocTimes final : public MHeapObserver {
 public:
  explicit AllocTimes(const Clock& clock) : clock_(clock) {}
  void OnGrow(PageCount, uintptr_t, uintptr_t) override {}
  void OnFreeSpan(PageId, PageCount, bool, bool, bool, const MSpan&) override {}
  void OnAllocSpan(const MSpan*, PageCount, PageCount) override { at.push_back(clock_.NanoTime()); }
  std::vector<int64_t> at;

 private:
  const Clock& clock_;
};

// A loop's allocation that takes a span while bgsweep sweeps the same
// spans on the idle P (a large object: mHeap_Alloc's reclaim sweeps some
// first) comes at its own moment, the loop's time before it passed: each
// iteration's 1 us, far inside the loop's slice. Once the sweep is done,
// a slice's allocations come at its start again (the model's resolution
// for what races nothing).
TEST_F(BgSweepTest, AnAllocationThatRacesItForSpansComesAtItsOwnMoment) {
  Start(2);
  r_->set_loop_slice_ns(1000000);
  constexpr uint64_t kLargeBytes = 40000;  // five pages
  ObjectsUntilACycle(kLargeBytes, /*keep_every=*/0);
  ComputeUntilTheMarkEnds();
  const GcModel& gc = r_->runtime().gc();
  ASSERT_FALSE(gc.sweepdone());
  constexpr int kIterations = 20;
  constexpr int64_t kIterationNs = 1000;
  const std::string loop = absl::StrCat("thp-trace 1\nloop ", kIterations, " ", kIterationNs,
                                        "\nalloc 1000000 ", kLargeBytes,
                                        " noscan 0\ndrop 1000000\nend\n");
  auto run_loop = [&] {
    AllocTimes times(r_->runtime().heap().clock());
    r_->runtime().heap().set_observer(&times);
    absl::StatusOr<std::vector<TraceEvent>> events = ParseTrace(loop);
    EXPECT_TRUE(events.ok()) << events.status();
    if (events.ok()) {
      EXPECT_TRUE(r_->Run(*events, nullptr).ok());
    }
    r_->runtime().heap().set_observer(nullptr);
    return times.at;
  };
  int64_t start = r_->now_ns();
  std::vector<int64_t> at = run_loop();
  ASSERT_EQ(at.size(), static_cast<size_t>(kIterations));
  for (int k = 0; k < kIterations; ++k) EXPECT_EQ(at[k], start + k * kIterationNs) << k;
  ASSERT_FALSE(gc.sweepdone());  // the sweep outlasted the loop
  while (!gc.sweepdone()) Apply("compute 100000");
  start = r_->now_ns();
  at = run_loop();
  ASSERT_EQ(at.size(), static_cast<size_t>(kIterations));
  for (int k = 0; k < kIterations; ++k) EXPECT_EQ(at[k], start) << k;
}

}  // namespace
}  // namespace thp
