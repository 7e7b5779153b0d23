// SysmonOptions' overshoots (scavenger/sysmon.h), measured again from Go
// 1.5.1's own run (testdata/go151_heaplog/prefix.hlog.xz) the way their
// comment says, from each round's overshoot (sysmon_rounds.h) by the kind
// of sleep it stands for (sysmon_round_kinds.h): the 10 ms sleep's shares
// where not every P is busy, its mean where every P is, and the note
// timeout's from the rounds while a stop waits for a loop; then what the
// passes' sweep-lock waits pin.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "bench/calibrate/real_tally.h"
#include "bench/calibrate/recorded_log_testing.h"
#include "bench/calibrate/sweep_lock_waits.h"
#include "bench/calibrate/sysmon_round_kinds.h"
#include "bench/calibrate/sysmon_rounds.h"
#include "bench/workloads/go15_suite.h"
#include "gtest/gtest.h"
#include "mheap/heap_runtime/go15_heap_runtime.h"
#include "scavenger/sysmon.h"

namespace thp {
namespace calibrate {
namespace {

// Each benchmark's loop schedule (go15_suite.h), by name.
absl::flat_hash_map<std::string, LoopSched> Loops() {
  absl::flat_hash_map<std::string, LoopSched> loop;
  for (const Go15Benchmark& b : Go15RuntimeBenchmarks()) loop[b.name] = b.loop;
  return loop;
}

// The recorded rounds of each kind (sysmon_round_kinds.h), over the suite.
struct RoundsByKind {
  OvershootsByKind all;
  std::vector<int64_t> notes_without_safe_point;  // kNoSafePoint loops' rounds in a cycle
};
const RoundsByKind& Rounds() {
  static const RoundsByKind* rounds = [] {
    absl::flat_hash_map<std::string, const Go15Benchmark*> bench;
    for (const Go15Benchmark& b : Go15RuntimeBenchmarks()) bench[b.name] = &b;
    auto* r = new RoundsByKind;
    int benchmarks = 0;
    for (const RealSegment& s : RecordedLog().segments) {
      auto it = bench.find(s.base);
      if (it == bench.end()) continue;  // the start-up segment
      ++benchmarks;
      const SysmonRoundKinds kinds(*it->second);
      for (const SysmonRound& round : s.sysmon_rounds) {
        const SysmonRoundKind kind = kinds.Of(round);
        r->all.Add(kind, round.overshoot_ns);
        if (kind == SysmonRoundKind::kNoteSleeps && !kinds.loop_sleeps_or_gcs()) {
          r->notes_without_safe_point.push_back(round.overshoot_ns);
        }
      }
    }
    EXPECT_EQ(benchmarks, 243);
    return r;
  }();
  return *rounds;
}

std::string Micros(const std::vector<int64_t>& ns) {
  std::string out;
  for (int64_t v : ns) out += std::to_string(v / 1000) + " ";
  return out;
}

// The 10 ms sleep's overshoot where not every P is busy, as SysmonOptions
// holds it: the recorded rounds of that kind sorted and cut into
// kCappedOvershootShares equal shares (the first ones one round shorter
// where the count does not divide), each share's mean to the nearest 10 us.
TEST(SysmonRoundsLog, TheCappedOvershootSharesAreTheRecordedRounds) {
  std::vector<int64_t> v = Rounds().all.capped;
  ASSERT_GT(v.size(), 10000u);
  std::sort(v.begin(), v.end());
  std::vector<int64_t> shares;
  const size_t n = v.size();
  for (size_t i = 0; i < static_cast<size_t>(kCappedOvershootShares); ++i) {
    const size_t lo = n * i / kCappedOvershootShares;
    const size_t hi = n * (i + 1) / kCappedOvershootShares;
    double sum = 0;
    for (size_t k = lo; k < hi; ++k) sum += static_cast<double>(v[k]);
    shares.push_back(std::llround(sum / static_cast<double>(hi - lo) / 10000) * 10000);
  }
  const SysmonOptions o;
  const std::vector<int64_t> model(o.capped_overshoot_ns.begin(), o.capped_overshoot_ns.end());
  EXPECT_EQ(model, shares) << n << " rounds; the shares in us: " << Micros(shares);
}

// Where every P is busy, the rounds' mean to the nearest 10 us.
TEST(SysmonRoundsLog, TheEveryPBusyOvershootIsTheRecordedRoundsMean) {
  const std::vector<int64_t>& busy = Rounds().all.every_p_busy;
  ASSERT_GT(busy.size(), 1000u);
  const double mean = static_cast<double>(SummarizeRounds(busy).mean_ns);
  EXPECT_EQ(SysmonOptions().capped_overshoot_every_p_busy_ns, std::llround(mean / 10000) * 10000)
      << "mean " << mean << " ns over " << busy.size() << " rounds";
}

// While a forced GC's stop waits for a loop without a preemption point,
// sysmon's rounds are a 20 us usleep and a maxsleep (5 ms) note sleep that
// times out, and its passes come every second round: 10 ms and 2 x (20 us
// + usleep_overshoot_ns + note_timeout_overshoot_ns). The note's overshoot
// is what makes those gaps' mean Go's, to the nearest 10 us; their median
// is the 20 us usleep's and the note's without the tail, nearer 2 x (20 us
// + 2 x usleep_overshoot_ns).
TEST(SysmonRoundsLog, RoundsWhileAStopWaitsForALoopAreTwoNoteSleeps) {
  const std::vector<int64_t>& v = Rounds().notes_without_safe_point;
  ASSERT_GT(v.size(), 10000u);
  const SysmonRounds r = SummarizeRounds(v);
  const SysmonOptions o;
  const double note = static_cast<double>(r.mean_ns) / 2 - 20000 - static_cast<double>(o.usleep_overshoot_ns);
  EXPECT_EQ(o.note_timeout_overshoot_ns, std::llround(note / 10000) * 10000)
      << "mean " << r.mean_ns << " ns over " << v.size() << " rounds";
  EXPECT_EQ(std::llround(static_cast<double>(r.median_ns) / 10000) * 10000,
            2 * (20000 + 2 * o.usleep_overshoot_ns))
      << "median " << r.median_ns;
}

// The sweep-lock counts (sweep_lock_waits.h), by benchmark and summed,
// over the benchmarks whose loops leave a P idle (not kEveryPBusy, where bgsweep has no P of
// its own).
absl::flat_hash_map<std::string, SweepLockWaits> WaitsByBenchmarkWhereAPIsLeftIdle() {
  const absl::flat_hash_map<std::string, LoopSched> loop = Loops();
  absl::flat_hash_map<std::string, SweepLockWaits> by_name;
  for (const RealSegment& s : RecordedLog().segments) {
    auto it = loop.find(s.base);
    if (it != loop.end() && it->second != kEveryPBusy) by_name[s.base] += s.sweep_lock_waits;
  }
  return by_name;
}
SweepLockWaits WaitsWhereAPIsLeftIdle() {
  SweepLockWaits w;
  for (const auto& [name, b] : WaitsByBenchmarkWhereAPIsLeftIdle()) w += b;
  return w;
}

// Go15HeapRuntime's two rates, over the benchmarks whose loops leave a P
// idle (not kEveryPBusy, where bgsweep has no P of its own), to the
// nearest whole number (sweep_lock_waits.h): kMidSweepPassesPerLockWait,
// the passes that read the clock mid-burst over those of them that took the
// heap lock only after the sweep's last free; kSweepPassesPerLateClock, the
// passes due mid-burst over those that read the clock only once the sweep
// was over. Those are the passes just after a sweep's last free beyond as
// many as the next stretch as long holds; the passes due mid-burst are
// they and the ones that read the clock there.
TEST(SysmonRoundsLog, OnePassInSoManyDueInsideTheSweepReadsTheClockLateOrWaits) {
  const SweepLockWaits w = WaitsWhereAPIsLeftIdle();
  ASSERT_GT(w.mid_burst_waited, 10u);
  EXPECT_EQ(Go15HeapRuntime::kMidSweepPassesPerLockWait,
            std::llround(static_cast<double>(w.mid_burst) / static_cast<double>(w.mid_burst_waited)))
      << w.mid_burst_waited << " of " << w.mid_burst << " passes";
  ASSERT_GT(w.just_after, w.next_after);
  const double late = static_cast<double>(w.just_after - w.next_after);
  EXPECT_EQ(Go15HeapRuntime::kSweepPassesPerLateClock,
            std::llround((static_cast<double>(w.mid_burst) + late) / late))
      << late << " late of " << w.mid_burst + late;
}

// Which passes wait is not one rate for all: it follows how fast the sweep
// freed spans in the pass's window (PassInSweep::FreesPerMs; bgsweep takes
// the heap lock for each span it frees). Over the same benchmarks as
// above, split at the median rate, the faster half waited several times as
// often as the slower, and among the passes read mid-burst alone the
// faster half still waited twice as often. Go15HeapRuntime's rates do not
// follow the sweep's pace (issue 13); this pins what a rule that does must
// reproduce.
TEST(SysmonRoundsLog, PassesWaitMoreOftenWhereTheSweepFreesFaster) {
  const RealLog& log = RecordedLog();
  const absl::flat_hash_map<std::string, LoopSched> loop = Loops();
  std::vector<PassInSweep> passes;
  for (const PassInSweep& p : log.passes_in_sweep) {
    auto it = loop.find(log.segments[p.segment].base);
    if (it != loop.end() && it->second != kEveryPBusy) passes.push_back(p);
  }
  ASSERT_GT(passes.size(), 100u);
  std::vector<double> rates;
  for (const PassInSweep& p : passes) rates.push_back(p.FreesPerMs());
  std::nth_element(rates.begin(), rates.begin() + rates.size() / 2, rates.end());
  const double median = rates[rates.size() / 2];
  int slow_passes = 0, slow_waits = 0, fast_passes = 0, fast_waits = 0;
  for (const PassInSweep& p : passes) {
    if (p.FreesPerMs() < median) {
      ++slow_passes;
      slow_waits += p.waited;
    } else {
      ++fast_passes;
      fast_waits += p.waited;
    }
  }
  EXPECT_EQ(std::llround(median), 87);  // frees per ms
  EXPECT_EQ(slow_passes, 408);
  EXPECT_EQ(slow_waits, 5);
  EXPECT_EQ(fast_passes, 409);
  EXPECT_EQ(fast_waits, 24);
  EXPECT_GE(fast_waits, 4 * slow_waits);

  std::vector<PassInSweep> mid;
  for (const PassInSweep& p : passes) {
    if (p.MidBurst()) mid.push_back(p);
  }
  std::vector<double> mid_rates;
  for (const PassInSweep& p : mid) mid_rates.push_back(p.FreesPerMs());
  std::nth_element(mid_rates.begin(), mid_rates.begin() + mid_rates.size() / 2, mid_rates.end());
  const double mid_median = mid_rates[mid_rates.size() / 2];
  int mid_slow_waits = 0, mid_fast_waits = 0, mid_slow = 0;
  for (const PassInSweep& p : mid) {
    const bool slow = p.FreesPerMs() < mid_median;
    mid_slow += slow;
    (slow ? mid_slow_waits : mid_fast_waits) += p.waited;
  }
  EXPECT_EQ(std::llround(mid_median), 115);  // frees per ms
  EXPECT_EQ(mid_slow, 245);  // of 490
  EXPECT_EQ(mid_slow_waits, 8);
  EXPECT_EQ(mid_fast_waits, 19);
  EXPECT_GE(mid_fast_waits, 2 * mid_slow_waits);
}

// Where the passes that waited read their clocks: all but a few mid-burst
// (a sweep free less than kMidBurstNs before), where bgsweep takes the heap
// lock for each span it frees; the passes whose window had a stretch without
// a sweep free at their `now` (bgsweep not yet started, paused, or done
// before a last free of the program's own) almost never waited. And sysmon
// read its clock just after a sweep's last free (kJustAfterNs) several
// times as often as a pass at a random instant would: a round due while
// the sweeper and the program held both CPUs often began only once the
// sweeper stopped. Over the same benchmarks as above.
TEST(SysmonRoundsLog, PassesWaitMidBurstAndOftenReadTheClockJustAfterTheSweep) {
  const SweepLockWaits w = WaitsWhereAPIsLeftIdle();
  EXPECT_EQ(w.mid_burst, 490u);
  EXPECT_EQ(w.mid_burst_waited, 27u);  // 1 in 18
  EXPECT_EQ(w.passes_in_sweep - w.mid_burst, 327u);
  EXPECT_EQ(w.waited - w.mid_burst_waited, 2u);
  EXPECT_GE(w.mid_burst_waited, 10 * (w.waited - w.mid_burst_waited));
  EXPECT_EQ(w.just_after, 134u);
  EXPECT_EQ(w.next_after, 22u);
  EXPECT_GE(w.just_after, 4 * w.next_after);
}

// Go's waits scatter over the benchmarks as widely as independent draws
// would, or more (why Go15HeapRuntime draws each pass instead of counting
// them): over the same benchmarks, of those with 20 or more passes read
// mid-burst, several had no pass that waited, and two had five.
TEST(SysmonRoundsLog, SomeBenchmarksPassesNeverWaitedAndOthersOftenDid) {
  int busy = 0, none = 0;
  std::vector<std::string> most;
  for (const auto& [name, w] : WaitsByBenchmarkWhereAPIsLeftIdle()) {
    if (w.mid_burst < 20) continue;
    ++busy;
    none += w.mid_burst_waited == 0;
    if (w.mid_burst_waited >= 5) most.push_back(name);
  }
  std::sort(most.begin(), most.end());
  EXPECT_EQ(busy, 14);
  EXPECT_EQ(none, 5);
  EXPECT_EQ(most, (std::vector<std::string>{"BenchmarkCallClosure4", "BenchmarkConvT2ILarge"}));
}

}  // namespace
}  // namespace calibrate
}  // namespace thp
