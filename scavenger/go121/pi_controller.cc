#include "scavenger/go121/pi_controller.h"

#include <cmath>

namespace thp {
namespace go121 {

PiController::Output PiController::Next(double input, double setpoint, double period) {
  const double prop = kp * (setpoint - input);
  const double raw = prop + err_integral;
  if (std::isinf(raw) || std::isnan(raw)) {
    // The input (or arithmetic on it) overflowed: start over.
    Reset();
    input_overflow = true;
    return {min, false};
  }
  double output = raw;
  if (output < min) {
    output = min;
  } else if (output > max) {
    output = max;
  }
  if (ti != 0 && tt != 0) {
    // Integrate the error, and bleed off what the clamp cut (anti-windup).
    err_integral += (kp * period / ti) * (setpoint - input) + (period / tt) * (output - raw);
    if (std::isinf(err_integral) || std::isnan(err_integral)) {
      Reset();
      err_overflow = true;
      return {min, false};
    }
  }
  return {output, true};
}

}  // namespace go121
}  // namespace thp
