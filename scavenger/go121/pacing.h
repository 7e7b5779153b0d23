// The scavenger's goals of Go 1.21: gcPaceScavenger and heapRetained of
// mgcscavenge.go (go1.21.0 = 21ff9be0eb, and so through 1.21.x).
//
// Two goals, recomputed at every gcControllerCommit (mark termination, and
// SetGCPercent/SetMemoryLimit); the background scavenger works while either
// is exceeded:
//  - the GC-percent goal: retained heap memory (heapInUse + heapFree) should
//    not exceed lastHeapInUse scaled by heapGoal/lastHeapGoal, plus 10%,
//    rounded up to a physical page; ~0 (none) before the first GC ends or
//    when within a page of it;
//  - the memory-limit goal: mapped Ready memory should stay below 95% of
//    GOMEMLIMIT; ~0 when it already is.
// go1.21.x computes the second as memoryLimit * (100 - 5), i.e. 95 times the
// limit rather than 0.95 times it; master fixed this in 729f214e3a (Go
// 1.22) and no 1.21 release took the fix. It is ported as 1.21 had it, so
// a GOMEMLIMIT never sets the 1.21 background scavenger working; only the
// allocation path's own check against the limit (mheap.allocSpan) does.
// For the default limit (maxInt64) the product is past 2^64 and Go's
// float-to-uint64 conversion on amd64 gives 2^63 (see GoFloat64ToUint64).
#ifndef THP_SCAVENGER_GO121_PACING_H_
#define THP_SCAVENGER_GO121_PACING_H_

#include <cstdint>

namespace thp {
namespace go121 {

// scavengePercent, retainExtraPercent, reduceExtraPercent.
inline constexpr int kScavengePercent = 1;
inline constexpr int kRetainExtraPercent = 10;
inline constexpr int kReduceExtraPercent = 5;
inline constexpr uint64_t kNoGoal = ~uint64_t{0};

// The `scavenge` globals' two goals. Their zero value is what Go has until
// the first gcControllerCommit: 0, not "none".
struct ScavengeGoals {
  uint64_t gc_percent_goal = 0;
  uint64_t memory_limit_goal = 0;
};

// What gcPaceScavenger reads besides its arguments.
struct PacingInputs {
  int64_t memory_limit = 0;        // gcController.memoryLimit
  uint64_t heap_goal = 0;          // the goal gcController.trigger() returns
  uint64_t last_heap_goal = 0;     // gcController.lastHeapGoal (0 before the first GC)
  uint64_t mapped_ready = 0;       // gcController.mappedReady
  uint64_t last_heap_in_use = 0;   // memstats.lastHeapInUse
  uint64_t heap_retained = 0;      // heapRetained(): heapInUse + heapFree
};

// gcPaceScavenger.
ScavengeGoals GcPaceScavenger(const PacingInputs& in);

// uint64(x) for a float64 x as the Go compiler converts it on amd64: below
// 2^63 a truncating CVTTSD2SQ; otherwise CVTTSD2SQ(x - 2^63) with the top
// bit set, where an out-of-range conversion yields 0x8000000000000000.
uint64_t GoFloat64ToUint64(double x);

}  // namespace go121
}  // namespace thp

#endif  // THP_SCAVENGER_GO121_PACING_H_
