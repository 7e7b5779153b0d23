// Which of the model's sleeps a recorded sysmon round (sysmon_rounds.h)
// stands for, by what the benchmark's timed loop lets sysmon do (issue 13;
// scavenger/sysmon.h):
// - kEveryPBusy: the loop keeps every P running (go15_suite.h
//   kEveryPBusy): a 10 ms sleep ended on a busy machine
//   (SysmonOptions::capped_overshoot_every_p_busy_ns).
// - kNoteSleeps: sysmon slept on its note in the round (go1.5.1 proc1.go
//   sysmon: sched.gcwaiting, or every P idle), which the model does
//   itself: the loop sleeps or calls runtime.GC, or it never reaches a
//   preemption point (kNoSafePoint) and the round began during a cycle,
//   whose stop of the world waits there for the loop's end.
// - kCapped: the others, one 10 ms usleep and what it overshot by
//   (SysmonOptions::capped_overshoot_ns).
// It mirrors no Go code.
#ifndef THP_BENCH_CALIBRATE_SYSMON_ROUND_KINDS_H_
#define THP_BENCH_CALIBRATE_SYSMON_ROUND_KINDS_H_

#include <cstdint>
#include <vector>

#include "bench/calibrate/sysmon_rounds.h"
#include "bench/workloads/go15_suite.h"

namespace thp {
namespace calibrate {

enum class SysmonRoundKind { kCapped, kEveryPBusy, kNoteSleeps };

class SysmonRoundKinds {
 public:
  // Builds one b.N = 1 run of the benchmark to read its loop.
  explicit SysmonRoundKinds(const Go15Benchmark& b);

  SysmonRoundKind Of(const SysmonRound& r) const;
  // Whether an iteration of the loop sleeps or calls runtime.GC.
  bool loop_sleeps_or_gcs() const { return loop_sleeps_or_gcs_; }

 private:
  LoopSched loop_;
  bool loop_sleeps_or_gcs_ = false;
};

// Rounds' overshoots in ns, by kind.
struct OvershootsByKind {
  std::vector<int64_t> capped, every_p_busy, note_sleeps;
  void Add(SysmonRoundKind kind, int64_t overshoot_ns);
};

}  // namespace calibrate
}  // namespace thp

#endif  // THP_BENCH_CALIBRATE_SYSMON_ROUND_KINDS_H_
