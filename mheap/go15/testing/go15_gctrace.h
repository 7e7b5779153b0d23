// Go 1.5's GODEBUG=gctrace=1 lines, for the tests that read what a real
// Go 1.5.1 run printed (testdata/go151_stackcopy/,
// testdata/go151_gctrace_append/).
#ifndef THP_MHEAP_GO15_TESTING_GO15_GCTRACE_H_
#define THP_MHEAP_GO15_TESTING_GO15_GCTRACE_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace thp {

// One "gc 7 @0.411s 55%: a+b+c+d+e ms clock, ..." line: go1.5.1 mgc.go
// gc()'s wall-clock terms, in nanoseconds.
struct Go15GcLine {
  uint64_t n = 0;
  int64_t sweep_term_ns = 0;  // sweep termination (world stopped)
  int64_t scan_ns = 0;        // the scan phase (gcscan_m: stacks, globals)
  int64_t install_wb_ns = 0;  // installing the write barrier (world stopped)
  int64_t mark_ns = 0;        // the concurrent mark
  int64_t mark_term_ns = 0;   // mark termination (world stopped)
  bool forced = false;        // ends in "(forced)": runtime.GC()'s
};

// Parses such a line wherever it starts in `line`; false for any other.
bool ParseGo15GcLine(absl::string_view line, Go15GcLine* out);

}  // namespace thp

#endif  // THP_MHEAP_GO15_TESTING_GO15_GCTRACE_H_
