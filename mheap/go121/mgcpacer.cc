#include "mheap/go121/mgcpacer.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace go121 {

// gcControllerState.init, go1.21.0: no sweep phase before the first cycle.
GcController::GcController(int32_t gc_percent, int64_t memory_limit,
                           std::function<MemoryLimitInputs()> inputs)
    : inputs_(std::move(inputs)) {
  heap_minimum_ = kDefaultHeapMinimum;
  triggered_ = ~uint64_t{0};
  SetGcPercent(gc_percent);
  SetMemoryLimit(memory_limit);
  Commit(/*is_sweep_done=*/true);
}

// gcControllerState.setGCPercent.
int32_t GcController::SetGcPercent(int32_t in) {
  const int32_t out = gc_percent_;
  if (in < 0) in = -1;
  // Go converts -1 to uint64 here and the product wraps; so does this.
  heap_minimum_ = kDefaultHeapMinimum * static_cast<uint64_t>(static_cast<int64_t>(in)) / 100;
  gc_percent_ = in;
  return out;
}

// gcControllerState.setMemoryLimit.
int64_t GcController::SetMemoryLimit(int64_t in) {
  const int64_t out = memory_limit_;
  if (in >= 0) memory_limit_ = in;
  return out;
}

// gcControllerState.endCycle: only the cons/mark estimate matters here (no
// assists, no idle workers: utilization is the background goal).
void GcController::EndCycle(uint64_t scan_work) {
  last_heap_goal_ = HeapGoal();
  const double utilization = kGcBackgroundUtilization;
  if (heap_live_ <= triggered_) return;
  const double idle_utilization = 0.0;
  const double current =
      static_cast<double>(heap_live_ - triggered_) * (utilization + idle_utilization) /
      (static_cast<double>(std::max<uint64_t>(scan_work, 1)) * (1 - utilization));
  cons_mark_ = current;
  for (double c : last_cons_mark_) cons_mark_ = std::max(cons_mark_, c);
  std::copy(last_cons_mark_.begin() + 1, last_cons_mark_.end(), last_cons_mark_.begin());
  last_cons_mark_.back() = current;
}

// gcControllerState.resetLive.
void GcController::ResetLive(uint64_t bytes_marked, uint64_t heap_scan_work,
                             uint64_t stack_scan_work) {
  heap_marked_ = bytes_marked;
  heap_live_ = bytes_marked;
  heap_scan_ = heap_scan_work;
  last_heap_scan_ = heap_scan_work;
  last_stack_scan_ = stack_scan_work;
  triggered_ = ~uint64_t{0};
}

// gcControllerState.update (outside a mark phase: no revise).
void GcController::Update(int64_t d_heap_live, int64_t d_heap_scan) {
  heap_live_ = static_cast<uint64_t>(static_cast<int64_t>(heap_live_) + d_heap_live);
  heap_scan_ = static_cast<uint64_t>(static_cast<int64_t>(heap_scan_) + d_heap_scan);
}

// gcControllerState.commit.
void GcController::Commit(bool is_sweep_done) {
  sweep_dist_min_trigger_ = is_sweep_done ? 0 : heap_live_ + kSweepMinHeapDistance;
  uint64_t goal = ~uint64_t{0};
  if (gc_percent_ >= 0) {
    // The 1.18 rule: stacks and globals grow the goal as the heap does.
    goal = heap_marked_ + (heap_marked_ + last_stack_scan_ + globals_scan_) *
                              static_cast<uint64_t>(gc_percent_) / 100;
  }
  if (goal < heap_minimum_) goal = heap_minimum_;
  gc_percent_heap_goal_ = goal;
  runway_ = static_cast<uint64_t>(cons_mark_ * (1 - kGcGoalUtilization) / kGcGoalUtilization *
                                  static_cast<double>(last_heap_scan_ + last_stack_scan_ +
                                                      globals_scan_));
}

uint64_t GcController::HeapGoal() const { return HeapGoalInternal().goal; }

// gcControllerState.heapGoalInternal.
GcController::GoalAndMinTrigger GcController::HeapGoalInternal() const {
  GoalAndMinTrigger r{gc_percent_heap_goal_, 0};
  const uint64_t limit_goal = MemoryLimitHeapGoal();
  if (limit_goal < r.goal) {
    r.goal = limit_goal;
    return r;
  }
  // Leave room for the sweeper to finish before the next cycle.
  if (sweep_dist_min_trigger_ > r.goal) r.goal = sweep_dist_min_trigger_;
  r.min_trigger = sweep_dist_min_trigger_;
  // A cycle already running gets at least 64 KiB to finish in.
  constexpr uint64_t kMinRunway = 64 << 10;
  if (triggered_ != ~uint64_t{0} && r.goal < triggered_ + kMinRunway) {
    r.goal = triggered_ + kMinRunway;
  }
  return r;
}

// gcControllerState.memoryLimitHeapGoal.
uint64_t GcController::MemoryLimitHeapGoal() const {
  const MemoryLimitInputs in = inputs_ ? inputs_() : MemoryLimitInputs{};
  const uint64_t heap_alloc = total_alloc_ - total_free_;
  uint64_t mapped_ready = in.mapped_ready;
  // Go rereads until the three agree; a single thread always sees them agree,
  // except that mappedReady here lacks the runtime's small persistentalloc
  // metadata (mheap.h), so it is raised to cover the heap it must contain.
  if (in.heap_free + heap_alloc > mapped_ready) mapped_ready = in.heap_free + heap_alloc;
  const uint64_t memory_limit = static_cast<uint64_t>(memory_limit_);
  const uint64_t non_heap = mapped_ready - in.heap_free - heap_alloc;
  const uint64_t overage = mapped_ready > memory_limit ? mapped_ready - memory_limit : 0;
  if (non_heap + overage >= memory_limit) return heap_marked_;
  uint64_t goal = memory_limit - (non_heap + overage);
  uint64_t headroom = goal / 100 * kMemoryLimitHeapGoalHeadroomPercent;
  if (headroom < kMemoryLimitMinHeapGoalHeadroom) headroom = kMemoryLimitMinHeapGoalHeadroom;
  if (goal < headroom || goal - headroom < headroom) {
    goal = headroom;
  } else {
    goal -= headroom;
  }
  if (goal < heap_marked_) goal = heap_marked_;
  return goal;
}

// gcControllerState.trigger.
GcController::TriggerAndGoal GcController::Trigger() const {
  const GoalAndMinTrigger gm = HeapGoalInternal();
  const uint64_t goal = gm.goal;
  uint64_t min_trigger = gm.min_trigger;
  if (heap_marked_ >= goal) return {goal, goal};
  if (min_trigger < heap_marked_) min_trigger = heap_marked_;
  const uint64_t runway_span = goal - heap_marked_;
  const uint64_t lower = runway_span / kTriggerRatioDen * kMinTriggerRatioNum + heap_marked_;
  if (min_trigger < lower) min_trigger = lower;
  uint64_t max_trigger = runway_span / kTriggerRatioDen * kMaxTriggerRatioNum + heap_marked_;
  if (goal > kDefaultHeapMinimum && goal - kDefaultHeapMinimum > max_trigger) {
    max_trigger = goal - kDefaultHeapMinimum;
  }
  if (max_trigger < min_trigger) max_trigger = min_trigger;
  uint64_t trigger = runway_ > goal ? min_trigger : goal - runway_;
  trigger = std::clamp(trigger, min_trigger, max_trigger);
  THP_CHECK(trigger <= goal, absl::StrFormat("produced a trigger greater than the heap goal: "
                                             "trigger=%d heapGoal=%d",
                                             trigger, goal));
  return {trigger, goal};
}

}  // namespace go121
}  // namespace thp
