// sysmon's timing in Go 1.21 (proc.go's sysmon, go1.21.0 = master
// 21ff9be0eb) on the virtual clock: when it wakes to do its duties. What
// it does then is the caller's (the duties that touch the heap in 1.21:
// wake the scavenger if sysmonWake is set, inject the forcegc goroutine
// when gcTriggerTime holds).
//
// Each round: usleep(delay), where delay is 20 us, doubled once more than
// 50 rounds in a row woke nobody, capped at 10 ms; then, if every P is
// idle, a note sleep until the next timer (timeSleepUntil) but at most
// forcegcperiod/2, unless that timer is already due; then the duties.
// retake never retakes a P here (no syscalls, no preemption is modelled),
// so every round counts as idle and a busy program sees sysmon every
// 10 ms plus the usleep overshoot. The default is the 100 us usleep
// overshot alone on this machine kind (scavenger/sysmon.h); the Go 1.5
// sysmon's larger overshoot after a 10 ms sleep was measured in a recorded
// Go 1.5.1 run, and no Go 1.21 run has been recorded. Nothing ends a note
// sleep early (syscallWake stays false).
#ifndef THP_SCAVENGER_GO121_SYSMON_H_
#define THP_SCAVENGER_GO121_SYSMON_H_

#include <cstdint>

namespace thp {
namespace go121 {

// forcegcperiod.
inline constexpr int64_t kForceGcPeriodNs = int64_t{2} * 60 * 1'000'000'000;

struct SysmonOptions {
  int64_t usleep_overshoot_ns = 100'000;
};

class Sysmon {
 public:
  // sysmon starts (newm at schedinit's end) at start_ns.
  Sysmon(int64_t start_ns, SysmonOptions options);

  // When sysmon next needs attention: the end of its usleep or note sleep.
  int64_t next_wake() const { return wake_at_; }
  // Call at next_wake(). `all_ps_idle`: whether every P is idle then;
  // `next_timer`: timeSleepUntil (INT64_MAX if no timer). Returns true if
  // sysmon does its duties now (the caller does them, at next_wake()
  // before this call); false if it went into a note sleep instead.
  bool Wake(bool all_ps_idle, int64_t next_timer);

  int64_t rounds() const { return rounds_; }
  int64_t delay_us() const { return delay_us_; }

 private:
  void Usleep(int64_t now);

  SysmonOptions options_;
  int64_t wake_at_ = 0;
  bool in_note_ = false;
  int idle_ = 0;
  int64_t delay_us_ = 0;
  int64_t rounds_ = 0;
};

}  // namespace go121
}  // namespace thp

#endif  // THP_SCAVENGER_GO121_SYSMON_H_
