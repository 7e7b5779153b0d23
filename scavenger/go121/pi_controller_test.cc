// Go 1.21's FuzzPIController as a seeded test: for its two seed parameter
// sets and random ones, 100 random inputs never make the output NaN or Inf.
// Plus the controller's clamp and its overflow reset.
#include "scavenger/go121/pi_controller.h"

#include <cmath>
#include <cstring>
#include <random>

#include "gtest/gtest.h"

namespace thp {
namespace go121 {
namespace {

bool Normal(double x) { return !std::isinf(x) && !std::isnan(x); }

void Fuzz(double kp, double ti, double tt, double min, double max, double set_point) {
  if (!(Normal(kp) && kp > 0) || !(Normal(ti) && ti > 0) || !(Normal(tt) && tt > 0)) return;
  if (!Normal(min) || !Normal(max) || min > max) return;
  std::mt19937_64 rs(800);
  PiController c{kp, ti, tt, min, max};
  for (int i = 0; i < 100; ++i) {
    const uint64_t bits = rs();
    double input;
    std::memcpy(&input, &bits, sizeof(input));  // any float64, NaN and Inf included
    const PiController::Output o = c.Next(input, set_point, 1.0);
    ASSERT_TRUE(Normal(o.value)) << o.value << " ok=" << o.ok;
  }
}

TEST(PiControllerTest, GoFuzzSeedsAndRandomParameters) {
  Fuzz(0.3375, 3.2e6, 1e9, 0.001, 1000.0, 0.01);
  Fuzz(0.9, 4.0, 1000.0, -1000.0, 1000.0, 0.84);
  std::mt19937_64 rng(4);
  std::uniform_real_distribution<double> u(-1e6, 1e6);
  for (int i = 0; i < 1000; ++i) {
    const double a = u(rng), b = u(rng);
    Fuzz(std::abs(u(rng)), std::abs(u(rng)), std::abs(u(rng)), std::min(a, b), std::max(a, b),
         u(rng));
  }
}

TEST(PiControllerTest, ClampsAndResetsOnOverflow) {
  PiController c{0.3375, 3.2e6, 1e9, 0.001, 1000.0};
  PiController::Output o = c.Next(1.0, 0.01, 1e6);  // far above the setpoint
  EXPECT_TRUE(o.ok);
  EXPECT_EQ(o.value, 0.001);
  o = c.Next(-1e308, 0.01, 1e308);  // the error times the period overflows
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.value, 0.001);
  EXPECT_TRUE(c.err_overflow || c.input_overflow);
  EXPECT_EQ(c.err_integral, 0.0);
}

}  // namespace
}  // namespace go121
}  // namespace thp
