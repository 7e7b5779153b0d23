// BenchmarkStackCopy's recorded runs (testdata/go151_stackcopy/): each
// background GC cycle as go1.5.1's gctrace timed its phases, placed against
// the stack doublings of the benchmark's goroutine in the run's heap-event
// log. For the tests that measure kStackScanNsPerFrame (mgc.h),
// kCopyStackNsPerFrame and kCountDescentNsPerFrame
// (bench/workloads/go15_suite.h) again from the runs.
#ifndef THP_MHEAP_GO15_TESTING_STACK_COPY_RUNS_H_
#define THP_MHEAP_GO15_TESTING_STACK_COPY_RUNS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mheap/go15/testing/median.h"

namespace thp {

// The stacks counted as the recursion's doublings: the large stacks
// (mHeap_AllocStack of a whole span) of at least this size, so that a
// phase's fixed part (the globals, the few other goroutines) is small
// beside the recursion's frames.
inline constexpr uint64_t kStackCopyMinDoublingBytes = uint64_t{1} << 20;

struct StackCopyCycle {
  int64_t start_ns = 0;       // its gc_start record
  // gctrace's clock terms: sweep termination, the stacks' scan, mark
  // termination.
  int64_t sweep_term_ns = 0;
  int64_t scan_ns = 0;
  int64_t mark_term_ns = 0;
  // The last doubling (its new stack's allocation) since the previous
  // cycle's gc_done and no later than the scan's start (start_ns +
  // sweep_term_ns); doubled_to 0 if there was none.
  int64_t doubling_ns = 0;
  uint64_t doubled_to = 0;
  // The next doubling after the scan's start, if it doubles that stack
  // again before the next cycle starts; 0 otherwise.
  int64_t next_doubling_ns = 0;

  int64_t ScanStartNs() const { return start_ns + sweep_term_ns; }
};

// The background cycles of one run, in order: its gctrace output (the gc
// lines; cycle n is the log's gc_start with numgc n-1) and its heap-event
// log (raw or xz).
absl::StatusOr<std::vector<StackCopyCycle>> RecordedStackCopyCycles(
    const std::string& gctrace_path, const std::string& log_path);

}  // namespace thp

#endif  // THP_MHEAP_GO15_TESTING_STACK_COPY_RUNS_H_
