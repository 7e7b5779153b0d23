#include "scavenger/go121/sysmon.h"

#include <algorithm>

namespace thp {
namespace go121 {

Sysmon::Sysmon(int64_t start_ns, SysmonOptions options) : options_(options) { Usleep(start_ns); }

// The top of sysmon's loop: pick the delay, usleep.
void Sysmon::Usleep(int64_t now) {
  if (idle_ == 0) {
    delay_us_ = 20;
  } else if (idle_ > 50) {
    delay_us_ *= 2;
  }
  delay_us_ = std::min<int64_t>(delay_us_, 10'000);
  wake_at_ = now + delay_us_ * 1000 + options_.usleep_overshoot_ns;
  in_note_ = false;
}

bool Sysmon::Wake(bool all_ps_idle, int64_t next_timer) {
  const int64_t now = wake_at_;
  if (!in_note_ && all_ps_idle && next_timer > now) {
    in_note_ = true;
    wake_at_ = now + std::min(kForceGcPeriodNs / 2, next_timer - now);
    return false;
  }
  // The duties happen now; retake finds nothing, so the round is idle.
  ++rounds_;
  ++idle_;
  Usleep(now);
  return true;
}

}  // namespace go121
}  // namespace thp
