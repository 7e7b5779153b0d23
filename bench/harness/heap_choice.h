// Which ported heap each variant of a driver runs on: the --heap flag of
// vma_repro, thp_bloat and thp_cost. `auto` (their default) runs each
// variant on the heap its Go release had (DefaultHeapOf,
// mheap/heap_runtime/heap_runtime.h); `go15` or `go121` runs every variant
// on that heap. It mirrors no Go code.
#ifndef THP_BENCH_HARNESS_HEAP_CHOICE_H_
#define THP_BENCH_HARNESS_HEAP_CHOICE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "mheap/heap_runtime/heap_runtime.h"

namespace thp {

struct HeapChoice {
  bool automatic = true;           // --heap=auto
  HeapKind kind = HeapKind::kGo15;  // the explicit choice (unused when automatic)

  // The heap `variant` runs on.
  HeapKind For(absl::string_view variant) const {
    return automatic ? DefaultHeapOf(variant) : kind;
  }
};

// --heap's value: auto, go15 or go121; anything else is one line naming it
// and the accepted values, and exit status 2.
HeapChoice HeapChoiceOrExit(absl::string_view value);

// Exit status 2 with one line if a variant cannot run on the heap chosen
// for it (fixed_batched batches a Go 1.5 scavenge pass, which the Go 1.21
// heap does not have), before any run starts.
void CheckHeapsOrExit(const HeapChoice& choice, const std::vector<std::string>& variants);

}  // namespace thp

#endif  // THP_BENCH_HARNESS_HEAP_CHOICE_H_
