// The background scavenger of Go 1.21 (mgcscavenge.go's scavengerState:
// init, park, ready, wake, sleep, run, controllerFailed, and the bgscavenge
// loop; go1.21.0 = 21ff9be0eb, unchanged through 1.21.x), as an event-driven
// goroutine on the project's virtual clock.
//
// Each run releases 64 KiB at a time until at least 1 ms of work is done,
// the goals are met, or the heap has nothing left; then the goroutine sleeps
// for worked/sleepRatio, where a PI controller steers sleepRatio so that the
// scavenger uses 1% of one CPU per GOMAXPROCS. A run that releases nothing
// parks until woken: by the sweeper's last sweep through sysmon (Ready), or
// directly at sweep termination (Wake).
//
// Time: the goroutine runs concurrently with the mutator, so its work takes
// no time on the mutator's virtual clock. Go measures each scavenge call
// with nanotime; on this clock the duration is 0, and Go's own rule for a
// zero duration applies: 10 us per 4 KiB page released. Sleeping is a timer
// on the clock: the driver calls RunDue at (or after) timer_deadline(), and
// the sleep it measures is the virtual time that passed, late calls
// included, as Go measures nanotime after gopark returns.
//
// For Go's own test the four stubs of scavengerState (sleepStub, scavenge,
// shouldStop, gomaxprocs) are injectable; with a sleep stub, sleeping is
// synchronous and RunDue runs until the goroutine parks.
#ifndef THP_SCAVENGER_GO121_BG_SCAVENGER_H_
#define THP_SCAVENGER_GO121_BG_SCAVENGER_H_

#include <cstdint>
#include <functional>

#include "runtime_port/base/clock.h"
#include "scavenger/go121/pi_controller.h"

namespace thp {
namespace go121 {

// startingScavSleepRatio, minScavWorkTime, scavengeQuantum,
// approxWorkedNSPerPhysicalPage, scavengeCostRatio (0 on Linux).
inline constexpr double kStartingScavSleepRatio = 0.001;
inline constexpr double kMinScavWorkTime = 1e6;
inline constexpr uintptr_t kScavengeQuantum = 64 << 10;
inline constexpr double kApproxWorkedNsPerPhysicalPage = 10e3;
inline constexpr double kScavengeCostRatio = 0.0;

struct ScavengeWork {
  uintptr_t released = 0;
  int64_t duration_ns = 0;
};

struct ScavengerHooks {
  // scavenge: release up to n bytes (mheap_.pages.scavenge(n, nil, false)
  // timed with nanotime); fewer means the heap has no more for now.
  std::function<ScavengeWork(uintptr_t n)> scavenge;
  // shouldStop: the goals are met.
  std::function<bool()> should_stop;
  std::function<int32_t()> gomaxprocs;
  // sleepStub: when set, sleep(ns) returns the time slept, synchronously.
  std::function<int64_t(int64_t ns)> sleep_stub;
};

class BackgroundScavenger {
 public:
  // bgscavenge's start: init, then park.
  BackgroundScavenger(const Clock& clock, ScavengerHooks hooks);

  // ready: ask sysmon to wake the scavenger.
  void Ready() { sysmon_wake_ = true; }
  // wake: unpark it now if it is parked or sleeping.
  void Wake();
  // sysmon's check of sysmonWake.
  void SysmonCheck() {
    if (sysmon_wake_) Wake();
  }
  // Runs the goroutine as long as it is runnable at the clock's time (an
  // expired timer wakes it first). Returns the bytes it released.
  uintptr_t RunDue();

  bool parked() const { return state_ != State::kRunnable; }
  bool sleeping() const { return state_ == State::kSleeping; }
  // When the sleep timer fires; -1 unless sleeping.
  int64_t timer_deadline() const { return state_ == State::kSleeping ? deadline_ : -1; }
  bool sysmon_wake() const { return sysmon_wake_; }
  double sleep_ratio() const { return sleep_ratio_; }
  int64_t controller_cooldown() const { return controller_cooldown_; }
  // printControllerReset; reading it clears it, as printScavTrace does.
  bool TakeControllerReset() {
    const bool r = print_controller_reset_;
    print_controller_reset_ = false;
    return r;
  }
  // Bytes released by runs (mheap_.pages.scav.releasedBg's additions).
  uint64_t released_total() const { return released_total_; }
  int64_t runs() const { return runs_; }

 private:
  enum class State { kParked, kSleeping, kRunnable };
  struct RunResult {
    uintptr_t released;
    double worked;
  };
  RunResult Run();
  // sleep(worked), split at gopark: the part before, and the part after
  // with the time actually slept.
  int64_t SleepTime(double* worked) const;
  void AfterSleep(int64_t slept, double worked);

  const Clock& clock_;
  ScavengerHooks hooks_;
  PiController controller_;
  double sleep_ratio_ = kStartingScavSleepRatio;
  int64_t controller_cooldown_ = 0;
  bool print_controller_reset_ = false;
  bool sysmon_wake_ = false;
  State state_ = State::kParked;
  // A sleep in progress (or just ended by the timer or a wake).
  bool in_sleep_ = false;
  int64_t sleep_start_ = 0;
  int64_t deadline_ = 0;
  double sleep_worked_ = 0;
  uint64_t released_total_ = 0;
  int64_t runs_ = 0;
};

}  // namespace go121
}  // namespace thp

#endif  // THP_SCAVENGER_GO121_BG_SCAVENGER_H_
