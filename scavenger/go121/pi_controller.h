// The proportional-integral controller of Go 1.21's mgcscavenge.go
// (piController, go1.21.0 = 21ff9be0eb, unchanged through 1.21.x), which the
// background scavenger uses to hold its CPU share at 1%: input the measured
// fraction, setpoint the ideal one, output the ratio of time worked to time
// slept. The integral term has anti-windup (tracking time tt), and an
// overflow of either the output or the integral resets the integral and
// reports failure, after which the scavenger sleeps conservatively.
#ifndef THP_SCAVENGER_GO121_PI_CONTROLLER_H_
#define THP_SCAVENGER_GO121_PI_CONTROLLER_H_

namespace thp {
namespace go121 {

struct PiController {
  double kp = 0;   // proportional constant
  double ti = 0;   // integral time constant
  double tt = 0;   // reset (tracking) time
  double min = 0;  // output bounds
  double max = 0;

  double err_integral = 0;
  bool err_overflow = false;    // the integral overflowed at some point
  bool input_overflow = false;  // the output computation overflowed

  struct Output {
    double value;
    bool ok;
  };
  // next: a new sample `input` after `period` (any unit, consistent).
  Output Next(double input, double setpoint, double period);
  // reset: clears the integral, keeps the flags.
  void Reset() { err_integral = 0; }
};

}  // namespace go121
}  // namespace thp

#endif  // THP_SCAVENGER_GO121_PI_CONTROLLER_H_
