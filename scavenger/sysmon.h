// sysmon's timing, Go 1.5 (proc1.go), as a policy on the virtual clock: the
// moments it wakes, and what it does then (force a GC when none ran for
// forcegcperiod, scavenge when scavengelimit/2 has passed since the last
// scavenge). It runs on its own thread in Go; here the driver asks it to
// catch up whenever the virtual clock moves.
//
// Its sleep: 20 us, doubled after 50 rounds in which it woke nobody, capped
// at 10 ms; when a round finds every P idle or the world stopping
// (sched.gcwaiting), up to maxsleep on a note instead, after which it
// starts again at 20 us. retake() never retakes a P in the model
// (there are no syscalls), so a running workload keeps sysmon "idle" and its
// period grows to 10 ms, as in a CPU-bound Go program; its preemption of
// long-running goroutines is the driver's (SysmonActions::retake).
//
// A note sleep that times out returns late as well, by
// note_timeout_overshoot_ns. While a forced GC waits for a loop without a
// preemption point to stop, Go 1.5.1's sysmon (testdata/go151_heaplog/
// prefix.hlog.xz) runs rounds of a 20 us usleep and a 5 ms note sleep, and
// its scavenge passes come two rounds apart: 10 ms plus 2 x (20 us + the
// usleep's overshoot + the note's). Those gaps have a median of 442 us over
// 10 ms and a mean of about 680 us (bench/calibrate:sysmon_rounds_log_test); no
// forced GC and no scavenge test there depends on a single gap (the stop
// holds bggc.working, and every gap is over 10 ms), so their mean is what
// counts, the number of passes: it makes the note's overshoot 220 us.
//
// usleep overshoots: a real usleep(10 ms) returns late (timer slack,
// wake-up latency), and the scavenge test "lastscavenge + scavengelimit/2 <
// now" is strict, so with scavenge=1 a real Go process scavenges at every
// 10 ms round, not every second one. The overshoots are measured:
// - usleep_overshoot_ns, after the sleeps under the 10 ms cap (the 20 us
//   start and its doublings, which follow an idle spell): 100 us. On this
//   machine kind, alone, usleep overshot by 76 us at 20 us and by 119 us at
//   10 ms (mean of 1000 and 100 sleeps).
// - after a 10 ms sleep, where a running program keeps sysmon, what Go
//   1.5.1's sysmon took beyond 10 ms from one round's scavenge pass to the
//   next in the recorded suite run (testdata/go151_heaplog/prefix.hlog.xz;
//   bench/calibrate/sysmon_rounds.h), leaving out the rounds whose sleeps
//   the model makes note sleeps itself (bench/calibrate/
//   sysmon_round_kinds.h). It depends on whether the program keeps every
//   P busy (SysmonActions::every_p_busy): there the rounds' mean,
//   capped_overshoot_every_p_busy_ns. Elsewhere the overshoot spreads far
//   (median 150 us, mean 500 us, the slowest tenth over 1 ms; most of
//   these rounds have a CPU left idle, and a guess, not measured, is that
//   the virtual machine wakes an idle vCPU late), and a mean in every
//   round would put sysmon's forced-GC test ("last_gc older than
//   forcegcperiod") on the wrong side wherever a cycle lasts less than the
//   mean: with scavenge=1, Go's rounds 10.2 ms apart find a cycle forced
//   one round before still younger than 10 ms and force every second
//   round, a mean's 10.7 ms every round. So each round draws its
//   overshoot from capped_overshoot_ns, Go's rounds sorted and cut into
//   kCappedOvershootShares equal shares, each share's mean: one share
//   picked at random (splitmix64 from overshoot_seed, the same sequence
//   every run), which keeps Go's mean (the number of rounds) and its
//   spread. //bench/calibrate:sysmon_rounds_log_test measures both again.
#ifndef THP_SCAVENGER_SYSMON_H_
#define THP_SCAVENGER_SYSMON_H_

#include <array>
#include <cstdint>
#include <functional>

#include "runtime_port/base/splitmix64.h"

namespace thp {

inline constexpr int kCappedOvershootShares = 40;
using CappedOvershootTable = std::array<int64_t, kCappedOvershootShares>;
inline constexpr CappedOvershootTable kCappedOvershootNs = {
    30000, 80000, 90000, 100000, 100000, 110000, 110000, 110000,
    110000, 120000, 120000, 120000, 130000, 130000, 130000, 140000,
    140000, 140000, 150000, 150000, 150000, 160000, 160000, 170000,
    170000, 180000, 180000, 190000, 200000, 210000, 220000, 230000,
    260000, 330000, 470000, 780000, 1340000, 2280000, 3540000, 6320000};
// The draws' fixed seed (not a Go thing).
inline constexpr uint64_t kSysmonOvershootSeed = 0x5eed10;

struct SysmonOptions {
  bool scavenge_debug = false;      // GODEBUG=scavenge=1
  int64_t usleep_overshoot_ns = 100000;              // after a sleep under 10 ms
  int64_t note_timeout_overshoot_ns = 220000;        // after a note sleep's maxsleep
  CappedOvershootTable capped_overshoot_ns = kCappedOvershootNs;  // after a 10 ms sleep
  int64_t capped_overshoot_every_p_busy_ns = 240000;  // the same, every P busy
  uint64_t overshoot_seed = kSysmonOvershootSeed;
};

// The mean of capped_overshoot_ns's shares: the mean overshoot of a 10 ms
// sleep where not every P is busy.
int64_t CappedOvershootMeanNs(const SysmonOptions& o);

// What sysmon acts on.
struct SysmonActions {
  // sysmon's test after its sleep (go1.5.1 proc1.go): true when every P is
  // idle at `now` (e.g. the workload sleeps) or the world is stopping
  // (sched.gcwaiting), when it sleeps on sched.sysmonnote; then returns
  // through *busy_at when that ends (>= now; a stop whose end is not known
  // yet says never, and NoteWakeup ends it).
  std::function<bool(int64_t now, int64_t* busy_at)> note_sleep;
  // The time of the last GC's end, 0 if none ran yet (memstats.last_gc).
  std::function<int64_t()> last_gc;
  // forcegchelper: print "GC forced" under gctrace and start a background GC.
  std::function<void()> force_gc;
  // mHeap_Scavenge(k, now, limit).
  std::function<void(int32_t k, uint64_t now, uint64_t limit)> scavenge;
  // retake's test of the running Ps (go1.5.1 proc1.go), at the top of the
  // round before the tests above: may be empty. The model has no
  // syscalls, so it only preempts (the round still counts as idle).
  std::function<void(int64_t now)> retake;
  // Whether the program keeps every P running now (a loop that never
  // blocks or yields on each): picks the overshoot of a 10 ms sleep. May
  // be empty (not busy).
  std::function<bool()> every_p_busy;
  // After the round's tests: what a P that retake preempted does once it
  // schedules, which in Go comes after the rest of sysmon's round (the
  // preempted goroutine notices at its next function call): may be empty.
  std::function<void(int64_t now)> after_round;
};

class Sysmon {
 public:
  Sysmon(int64_t start_ns, SysmonOptions options);

  // Runs every wake-up of sysmon up to and including `now`, in order.
  // `set_clock` moves the virtual clock to each wake-up first.
  void RunUntil(int64_t now, const SysmonActions& actions,
                const std::function<void(int64_t)>& set_clock);

  // startTheWorldWithSema's notewakeup(&sched.sysmonnote): a note sleep
  // still pending at `now` ends there (the round goes on at `now`).
  void NoteWakeup(int64_t now);

  int64_t next_wake() const { return next_wake_; }
  int64_t forcegcperiod() const { return forcegcperiod_; }
  int64_t scavengelimit() const { return scavengelimit_; }
  int32_t scavenges() const { return nscavenge_; }
  int64_t wakes() const { return wakes_; }

 private:
  // The next wake: the sleep (20 us, doubled after 50 idle rounds, capped
  // at 10 ms) and its overshoot; `a` tells a 10 ms sleep's (null: none).
  void ScheduleNext(int64_t now, const SysmonActions* a);

  SysmonOptions options_;
  int64_t forcegcperiod_;
  int64_t scavengelimit_;
  int64_t maxsleep_;
  int64_t lastscavenge_;
  int32_t nscavenge_ = 0;
  int idle_ = 0;
  int64_t delay_us_ = 0;
  int64_t next_wake_ = 0;
  int64_t wakes_ = 0;
  bool resume_after_note_ = false;  // a note sleep ended past the last horizon
  SplitMix64 overshoots_;           // which share each capped sleep takes
};

}  // namespace thp

#endif  // THP_SCAVENGER_SYSMON_H_
