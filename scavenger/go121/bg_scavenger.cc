#include "scavenger/go121/bg_scavenger.h"

#include <utility>

#include "runtime_port/base/check.h"
#include "scavenger/go121/pacing.h"

namespace thp {
namespace go121 {

BackgroundScavenger::BackgroundScavenger(const Clock& clock, ScavengerHooks hooks)
    : clock_(clock), hooks_(std::move(hooks)) {
  THP_CHECK(hooks_.scavenge && hooks_.should_stop && hooks_.gomaxprocs,
            "the scavenger needs its scavenge, shouldStop and gomaxprocs functions");
  // Tuned by Go loosely with Ziegler-Nichols; output ratio between 1:1000
  // and 1000:1.
  controller_.kp = 0.3375;
  controller_.ti = 3.2e6;
  controller_.tt = 1e9;
  controller_.min = 0.001;
  controller_.max = 1000.0;
}

void BackgroundScavenger::Wake() {
  if (state_ == State::kRunnable) return;
  sysmon_wake_ = false;
  state_ = State::kRunnable;
}

BackgroundScavenger::RunResult BackgroundScavenger::Run() {
  ++runs_;
  uintptr_t released = 0;
  double worked = 0;
  while (worked < kMinScavWorkTime) {
    if (hooks_.should_stop()) break;
    const ScavengeWork w = hooks_.scavenge(kScavengeQuantum);
    // A clock too coarse to see the work (or a virtual one): 10 us a page.
    if (w.duration_ns == 0) {
      worked += kApproxWorkedNsPerPhysicalPage * static_cast<double>(w.released / 4096);
    } else {
      worked += static_cast<double>(w.duration_ns);
    }
    released += w.released;
    if (w.released < kScavengeQuantum) break;  // the heap has no more for now
  }
  if (released > 0 && released < 4096) Throw("released less than one physical page of memory");
  return {released, worked};
}

int64_t BackgroundScavenger::SleepTime(double* worked) const {
  // Less than the minimum work is treated as the minimum: sleep longer
  // rather than sleep too briefly to be reliable.
  if (*worked < kMinScavWorkTime) *worked = kMinScavWorkTime;
  *worked *= 1 + kScavengeCostRatio;
  return static_cast<int64_t>(*worked / sleep_ratio_);
}

void BackgroundScavenger::AfterSleep(int64_t slept, double worked) {
  if (controller_cooldown_ > 0) {
    // Holding the conservative ratio after a controller failure.
    const int64_t t = slept + static_cast<int64_t>(worked);
    controller_cooldown_ = t > controller_cooldown_ ? 0 : controller_cooldown_ - t;
    return;
  }
  const double ideal = kScavengePercent / 100.0;
  const double cpu_fraction =
      worked / ((static_cast<double>(slept) + worked) * hooks_.gomaxprocs());
  const PiController::Output o =
      controller_.Next(cpu_fraction, ideal, static_cast<double>(slept) + worked);
  sleep_ratio_ = o.value;
  if (!o.ok) {
    sleep_ratio_ = kStartingScavSleepRatio;
    controller_cooldown_ = 5'000'000'000;  // 5 s
    print_controller_reset_ = true;        // controllerFailed
  }
}

uintptr_t BackgroundScavenger::RunDue() {
  const int64_t now = clock_.NanoTime();
  if (state_ == State::kSleeping && now >= deadline_) state_ = State::kRunnable;  // the timer
  uintptr_t total = 0;
  while (state_ == State::kRunnable) {
    if (in_sleep_) {
      // Back from gopark in sleep(): the rest of sleep, then the loop.
      in_sleep_ = false;
      AfterSleep(now - sleep_start_, sleep_worked_);
    }
    RunResult r = Run();
    if (r.released == 0) {
      state_ = State::kParked;
      break;
    }
    released_total_ += r.released;
    total += r.released;
    const int64_t sleep_time = SleepTime(&r.worked);
    if (hooks_.sleep_stub) {
      AfterSleep(hooks_.sleep_stub(sleep_time), r.worked);
      continue;
    }
    in_sleep_ = true;
    sleep_start_ = now;
    deadline_ = now + sleep_time;
    sleep_worked_ = r.worked;
    state_ = State::kSleeping;
  }
  return total;
}

}  // namespace go121
}  // namespace thp
