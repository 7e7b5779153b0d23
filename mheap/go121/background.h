// What runs in a Go 1.21 program (go1.21.0 = master 21ff9be0eb) while its
// goroutines compute or sleep, on the virtual clock: the background
// scavenger's due runs (bg_scavenger.h, driven as heap_driver.h drives
// it), sysmon's duties that touch the heap (scavenger/go121/sysmon.h for
// when: the check of sysmonWake that wakes the scavenger, and forcegc's
// gcTriggerTime cycle when none ended for forcegcperiod), and the
// background sweeper's turns.
//
// Order. RunUntil(until) first does, at the current time, what is already
// runnable (the background sweeper if it may run, then the scavenger);
// then each event up to and including `until` in time order: sysmon's
// wake-ups and the scavenger's sleep timer. At one instant sysmon goes
// first (scavenger wake, then a forced GC), then the sweeper, then the
// scavenger. The clock is set to each event's time before it acts, and
// to `until` at the end.
//
// Simplified: work takes no virtual time (as the scavenger's does, see
// bg_scavenger.h). The background sweeper (bgsweep) sweeps until done
// whenever a P is free for it: at once if GOMAXPROCS > 1 or the program
// is idle (goschedIfBusy yields only when no P is idle). With one P and a
// busy program it gets one batch of 10 sweepone calls (sweepBatchSize,
// then goschedIfBusy yields) per 10 ms scheduling quantum (forcePreemptNS),
// taken at the first sysmon wake-up 10 ms after the last batch. The
// forcegc goroutine and the scavenger run as soon as they are runnable.
// "Idle" means every P is idle for sysmon (its note sleep ends at the
// program's wake-up, a timer, or forcegcperiod/2).
#ifndef THP_MHEAP_GO121_BACKGROUND_H_
#define THP_MHEAP_GO121_BACKGROUND_H_

#include <cstdint>
#include <functional>

#include "mheap/go121/mgc.h"
#include "mheap/go121/mgcsweep.h"
#include "runtime_port/base/clock.h"
#include "scavenger/go121/bg_scavenger.h"
#include "scavenger/go121/sysmon.h"

namespace thp {
namespace go121 {

// sweepBatchSize (bgsweep) and forcePreemptNS.
inline constexpr int kSweepBatchSize = 10;
inline constexpr int64_t kForcePreemptNs = 10'000'000;

class BackgroundWork {
 public:
  BackgroundWork(const Clock& clock, GcModel& gc, Sweeper& sweeper,
                 BackgroundScavenger& scavenger, int gomaxprocs, SysmonOptions sysmon);

  // Runs what is due from the clock's time up to until_ns, the program
  // computing (idle false) or sleeping (idle true) meanwhile; set_clock
  // moves the clock.
  void RunUntil(int64_t until_ns, bool idle, const std::function<void(int64_t)>& set_clock);

  const Sysmon& sysmon() const { return sysmon_; }
  int64_t forced_gcs() const { return forced_gcs_; }
  int64_t sweep_turns() const { return sweep_turns_; }

 private:
  // What is runnable at t, after sysmon (if it woke) has acted.
  void RunRunnable(int64_t t, bool idle, bool sysmon_woke);

  const Clock& clock_;
  GcModel& gc_;
  Sweeper& sweeper_;
  BackgroundScavenger& scavenger_;
  int gomaxprocs_;
  Sysmon sysmon_;
  int64_t last_sweep_batch_ = INT64_MIN / 2;
  int64_t forced_gcs_ = 0;
  int64_t sweep_turns_ = 0;
};

}  // namespace go121
}  // namespace thp

#endif  // THP_MHEAP_GO121_BACKGROUND_H_
