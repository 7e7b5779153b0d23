#include "mheap/go121/background.h"

#include <algorithm>

namespace thp {
namespace go121 {

BackgroundWork::BackgroundWork(const Clock& clock, GcModel& gc, Sweeper& sweeper,
                               BackgroundScavenger& scavenger, int gomaxprocs,
                               SysmonOptions sysmon)
    : clock_(clock), gc_(gc), sweeper_(sweeper), scavenger_(scavenger), gomaxprocs_(gomaxprocs),
      sysmon_(clock.NanoTime(), sysmon) {}

void BackgroundWork::RunRunnable(int64_t t, bool idle, bool sysmon_woke) {
  if (!sweeper_.IsSweepDone()) {
    if (gomaxprocs_ > 1 || idle) {
      while (sweeper_.SweepOne() != ~uintptr_t{0}) {
      }
      ++sweep_turns_;
    } else if (sysmon_woke && t - last_sweep_batch_ >= kForcePreemptNs) {
      sweeper_.BackgroundSweep(kSweepBatchSize);
      last_sweep_batch_ = t;
      ++sweep_turns_;
    }
  }
  scavenger_.RunDue();
}

void BackgroundWork::RunUntil(int64_t until_ns, bool idle,
                              const std::function<void(int64_t)>& set_clock) {
  int64_t t = clock_.NanoTime();
  RunRunnable(t, idle, /*sysmon_woke=*/false);
  for (;;) {
    const int64_t timer = scavenger_.timer_deadline();  // -1 unless sleeping
    const int64_t next = timer >= 0 ? std::min(timer, sysmon_.next_wake()) : sysmon_.next_wake();
    if (next > until_ns) break;
    t = std::max(t, next);
    set_clock(t);
    bool woke = false;
    if (sysmon_.next_wake() <= t) {
      // timeSleepUntil: the scavenger's timer, and the program's own
      // wake-up when it sleeps.
      int64_t next_timer = idle ? until_ns : INT64_MAX;
      if (scavenger_.sleeping()) next_timer = std::min(next_timer, scavenger_.timer_deadline());
      if (sysmon_.Wake(idle, next_timer)) {
        woke = true;
        scavenger_.SysmonCheck();
        if (gc_.TimeTriggered(t)) {
          gc_.ForceGC(t);
          ++forced_gcs_;
        }
      }
    }
    RunRunnable(t, idle, woke);
  }
  if (clock_.NanoTime() != until_ns) set_clock(until_ns);
}

}  // namespace go121
}  // namespace thp
