// How a report names the heap a variant ran on (vma_repro, thp_bloat,
// thp_cost): "go15" or "go121", marked "go15*" when it is not the heap the
// variant's Go release had (DefaultHeapOf), with one footnote line under
// the table. A
// Go 1.21 variant on the Go 1.5 heap is this project's hybrid (Go 1.21's
// chunk-density rule on Go 1.5's page heap, mheap/go15/chunks.h).
#ifndef THP_BENCH_REPORT_HEAP_LABEL_H_
#define THP_BENCH_REPORT_HEAP_LABEL_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "mheap/heap_runtime/heap_runtime.h"

namespace thp {

inline constexpr absl::string_view kNotOwnHeapFootnote =
    "* not the heap this variant's Go release had";

// True when `heap` ("go15", "go121") is known and is not `variant`'s own.
inline bool NotOwnHeap(absl::string_view variant, absl::string_view heap) {
  return !heap.empty() && heap != HeapKindName(DefaultHeapOf(variant));
}

// The table cell: the heap, '*' after it when NotOwnHeap, "?" if unknown.
inline std::string HeapCell(absl::string_view variant, absl::string_view heap) {
  if (heap.empty()) return "?";
  return absl::StrCat(heap, NotOwnHeap(variant, heap) ? "*" : "");
}

}  // namespace thp

#endif  // THP_BENCH_REPORT_HEAP_LABEL_H_
