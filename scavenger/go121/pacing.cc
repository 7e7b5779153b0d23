#include "scavenger/go121/pacing.h"

#include <cmath>

namespace thp {
namespace go121 {
namespace {

constexpr uint64_t kPhysPageSize = 4096;

// CVTTSD2SQ: truncation toward zero, or the "integer indefinite" value for
// NaN and anything outside int64.
int64_t Cvttsd2si(double x) {
  if (std::isnan(x) || x >= 9223372036854775808.0 || x < -9223372036854775808.0) {
    return INT64_MIN;
  }
  return static_cast<int64_t>(x);
}

}  // namespace

uint64_t GoFloat64ToUint64(double x) {
  constexpr double kCutoff = 9223372036854775808.0;  // 2^63
  if (x < kCutoff) return static_cast<uint64_t>(Cvttsd2si(x));
  return static_cast<uint64_t>(Cvttsd2si(x - kCutoff)) | (uint64_t{1} << 63);
}

ScavengeGoals GcPaceScavenger(const PacingInputs& in) {
  ScavengeGoals g;
  // The memory-limit goal first. 1.21's factor is 95, not 0.95 (see the
  // header); kept as shipped.
  const uint64_t memory_limit_goal =
      GoFloat64ToUint64(static_cast<double>(in.memory_limit) * (100.0 - kReduceExtraPercent));
  g.memory_limit_goal = in.mapped_ready <= memory_limit_goal ? kNoGoal : memory_limit_goal;

  // Before the first GC there is no history to scale from.
  if (in.last_heap_goal == 0) {
    g.gc_percent_goal = kNoGoal;
    return g;
  }
  const double goal_ratio =
      static_cast<double>(in.heap_goal) / static_cast<double>(in.last_heap_goal);
  uint64_t goal = GoFloat64ToUint64(static_cast<double>(in.last_heap_in_use) * goal_ratio);
  // Plus retainExtraPercent, as an integer division by 100/10.
  goal += goal / (100 / kRetainExtraPercent);
  goal = (goal + kPhysPageSize - 1) & ~(kPhysPageSize - 1);
  const uint64_t now = in.heap_retained;
  g.gc_percent_goal = (now <= goal || now - goal < kPhysPageSize) ? kNoGoal : goal;
  return g;
}

}  // namespace go121
}  // namespace thp
