// What bench/pessimal measures (how much heap a variant had when the kernel
// first refused a VMA split, bench/pessimal/pessimal_pattern.h), and the one
// line it reports:
//   pessimal variant=<v> heap=<h> kernel=<k> profile=<p> limit_heap_bytes=<N> vmas=<M> errno=<NAME>
// or, when --max_heap is reached first,
//   pessimal variant=<v> heap=<h> kernel=<k> profile=<p> limit=none heap_bytes=<N> vmas=<M>
// heap is the ported heap the pattern ran on (go15 or go121); vmas is the
// kernel's map_count then. A refused arena reservation is the first form
// with limit_heap_bytes=0 errno=ENOMEM; so is, on the Go 1.21 heap, a growth
// whose mmap was refused (Go throws; N is the heap the pattern covered).
#ifndef THP_BENCH_REPORT_PESSIMAL_REPORT_H_
#define THP_BENCH_REPORT_PESSIMAL_REPORT_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace thp {

struct PessimalResult {
  bool hit_limit = false;
  uint64_t heap_bytes = 0;  // arena bytes the pattern covered when it stopped
  int64_t vmas = 0;         // the kernel's map_count then
  int err = 0;              // the refusal's errno, 0 if none
  // The arena reservation itself was refused (a limit below the process's
  // own VMAs): Go 1.5's mallocinit throws then. hit_limit is set too, with
  // heap_bytes 0 and err ENOMEM, as mmap refuses at the limit.
  bool reserve_failed = false;
  uintptr_t unit = 0;       // the granularity used
  uintptr_t arena_start = 0;
};

// The report line (no newline).
std::string PessimalLine(absl::string_view variant, absl::string_view heap,
                         absl::string_view kernel, absl::string_view profile,
                         const PessimalResult& r);

}  // namespace thp

#endif  // THP_BENCH_REPORT_PESSIMAL_REPORT_H_
