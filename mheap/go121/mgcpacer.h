// The GC pacer of Go 1.21 (mgcpacer.go, go1.21.0 = master 21ff9be0eb): the
// heap goal, the trigger and the counters they read, as gcControllerState
// computes them.
//
// Ported: init, setGCPercent, setMemoryLimit, startCycle's `triggered`,
// endCycle's cons/mark estimate, resetLive, update, heapGoal /
// heapGoalInternal (GOGC goal including stacks and globals, the 1.18 rule;
// the sweep-distance minimum; the 64 KiB minimum runway past `triggered`),
// memoryLimitHeapGoal (3% / 1 MiB headroom), trigger (bounds at 45/64 and
// 61/64 of the runway from heapMarked, goal - 4 MiB as the upper bound for
// large goals), commit.
//
// Not ported: mark-worker scheduling, assist credit, revise (nothing runs
// during an instantaneous mark), the GC CPU limiter. With an instantaneous
// mark nothing is allocated between trigger and mark termination, so
// endCycle sees heapLive == triggered and keeps its cons/mark estimate at 0:
// the runway is 0 and the trigger always sits at its upper bound. That is a
// property of the model, not of Go.
#ifndef THP_MHEAP_GO121_MGCPACER_H_
#define THP_MHEAP_GO121_MGCPACER_H_

#include <array>
#include <cstdint>
#include <functional>

namespace thp {
namespace go121 {

inline constexpr uint64_t kDefaultHeapMinimum = 4 << 20;      // defaultHeapMinimum
inline constexpr uint64_t kSweepMinHeapDistance = 1 << 20;    // sweepMinHeapDistance
inline constexpr double kGcBackgroundUtilization = 0.25;      // gcBackgroundUtilization
inline constexpr double kGcGoalUtilization = kGcBackgroundUtilization;
inline constexpr uint64_t kMemoryLimitMinHeapGoalHeadroom = 1 << 20;
inline constexpr uint64_t kMemoryLimitHeapGoalHeadroomPercent = 3;
inline constexpr uint64_t kTriggerRatioDen = 64;
inline constexpr uint64_t kMinTriggerRatioNum = 45;
inline constexpr uint64_t kMaxTriggerRatioNum = 61;

// What memoryLimitHeapGoal reads from outside the controller.
struct MemoryLimitInputs {
  uint64_t heap_free = 0;     // heapFree: free, unscavenged heap memory
  uint64_t mapped_ready = 0;  // mappedReady: mapped memory in the Ready state
};

class GcController {
 public:
  // init(gcPercent, memoryLimit). `inputs` is read by memoryLimitHeapGoal.
  GcController(int32_t gc_percent, int64_t memory_limit,
               std::function<MemoryLimitInputs()> inputs);

  // setGCPercent / setMemoryLimit (without gcControllerCommit).
  int32_t SetGcPercent(int32_t in);
  int64_t SetMemoryLimit(int64_t in);
  // startCycle's bookkeeping: the heap size at the trigger.
  void StartCycle() { triggered_ = heap_live_; }
  // endCycle: lastHeapGoal and the cons/mark estimate. `scan_work` is the
  // heap, stack and globals bytes scanned.
  void EndCycle(uint64_t scan_work);
  // resetLive: the marked bytes become heapMarked and heapLive.
  void ResetLive(uint64_t bytes_marked, uint64_t heap_scan_work, uint64_t stack_scan_work);
  // update.
  void Update(int64_t d_heap_live, int64_t d_heap_scan);
  // commit(isSweepDone).
  void Commit(bool is_sweep_done);

  uint64_t HeapGoal() const;
  // trigger(): {trigger, goal}.
  struct TriggerAndGoal {
    uint64_t trigger;
    uint64_t goal;
  };
  TriggerAndGoal Trigger() const;
  uint64_t MemoryLimitHeapGoal() const;

  // gcController.totalAlloc / totalFree: heap object bytes.
  void AddTotalAlloc(int64_t n) { total_alloc_ += static_cast<uint64_t>(n); }
  void AddTotalFree(int64_t n) { total_free_ += static_cast<uint64_t>(n); }
  // addGlobals / the scannable stack total.
  void AddGlobals(int64_t n) { globals_scan_ += static_cast<uint64_t>(n); }
  void AddScannableStack(int64_t n) { max_stack_scan_ += static_cast<uint64_t>(n); }

  int32_t gc_percent() const { return gc_percent_; }
  int64_t memory_limit() const { return memory_limit_; }
  uint64_t heap_minimum() const { return heap_minimum_; }
  uint64_t heap_live() const { return heap_live_; }
  uint64_t heap_marked() const { return heap_marked_; }
  uint64_t heap_scan() const { return heap_scan_; }
  uint64_t last_heap_goal() const { return last_heap_goal_; }
  uint64_t total_alloc() const { return total_alloc_; }
  uint64_t total_free() const { return total_free_; }
  uint64_t max_stack_scan() const { return max_stack_scan_; }
  uint64_t globals_scan() const { return globals_scan_; }
  uint64_t runway() const { return runway_; }
  double cons_mark() const { return cons_mark_; }

 private:
  struct GoalAndMinTrigger {
    uint64_t goal;
    uint64_t min_trigger;
  };
  GoalAndMinTrigger HeapGoalInternal() const;

  std::function<MemoryLimitInputs()> inputs_;
  int32_t gc_percent_ = 100;
  int64_t memory_limit_ = INT64_MAX;
  uint64_t heap_minimum_ = kDefaultHeapMinimum;
  uint64_t heap_live_ = 0;
  uint64_t heap_scan_ = 0;
  uint64_t heap_marked_ = 0;
  uint64_t triggered_ = ~uint64_t{0};
  uint64_t last_heap_goal_ = 0;
  uint64_t last_heap_scan_ = 0;
  uint64_t last_stack_scan_ = 0;
  uint64_t max_stack_scan_ = 0;
  uint64_t globals_scan_ = 0;
  uint64_t total_alloc_ = 0;
  uint64_t total_free_ = 0;
  uint64_t gc_percent_heap_goal_ = 0;
  uint64_t sweep_dist_min_trigger_ = 0;
  uint64_t runway_ = 0;
  double cons_mark_ = 0;
  std::array<double, 4> last_cons_mark_{};
};

}  // namespace go121
}  // namespace thp

#endif  // THP_MHEAP_GO121_MGCPACER_H_
