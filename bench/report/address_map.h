// Pictures of the address space: the arena at one moment as two aligned
// rows, the kernel's VMAs coloured by their huge-page flag (none, hugepage,
// nohugepage) over the heap's spans (in use, free, released), with 2 MiB
// gridlines. Drawn at the VMA peak, prefix's confetti (a flag change per
// 8 KiB span) and fixed's coarse 2 MiB blocks can be told apart at a glance.
//
// Capture is an observer's read: VMAs through the Kernel seam, spans
// through the span table (MHeap::Lookup), which is consistent between any
// two kernel calls the runtime makes, even in the middle of a heap
// operation; a page the table does not cover yet (arena growth in flight)
// is drawn as unknown. A map can be written as text (child processes hand
// it to the parent that draws them all) and read back.
#ifndef THP_BENCH_REPORT_ADDRESS_MAP_H_
#define THP_BENCH_REPORT_ADDRESS_MAP_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mheap/go15/mheap.h"
#include "runtime_port/kernel/kernel.h"

namespace thp {

enum class SpanShade : uint8_t {
  kInUse,     // objects or a stack
  kFree,      // free, not (entirely) released: npreleased < npages
  kReleased,  // free and npreleased == npages
  kUnknown,   // not covered by the span table at capture time
};

struct SpanRun {
  uintptr_t start = 0;
  uintptr_t end = 0;
  SpanShade shade = SpanShade::kInUse;
};

struct AddressMap {
  std::string title;      // e.g. the variant
  std::string caption;    // e.g. "peak 24 VMAs at t=3.2s"
  uintptr_t lo = 0;       // the arena range drawn
  uintptr_t hi = 0;
  std::vector<Vma> vmas;  // overlapping [lo, hi), in address order, clipped
  std::vector<SpanRun> spans;  // adjacent runs of one shade merged
};

// The arena [arena_start, arena_used) of `heap` as `kernel` and the heap see
// it now.
AddressMap CaptureAddressMap(Kernel& kernel, const MHeap& heap, std::string title,
                             std::string caption);

// Text form: "addrmap 1", then title/caption/range lines, then one
// "v <start> <end> <flag>" or "s <start> <end> <shade>" line per run.
std::string SerializeAddressMap(const AddressMap& m);
absl::StatusOr<AddressMap> ParseAddressMap(absl::string_view text);
// Several maps in that form, one after the other (a child that captures more
// than one writes them so), in order; an empty text holds none.
absl::StatusOr<std::vector<AddressMap>> ParseAddressMaps(absl::string_view text);

// One SVG with every map stacked, under `heading`. Each map wraps its range
// into rows of a whole number of 2 MiB pages (at most 48 rows, at least
// 8 MiB each), each row a VMA strip over a span strip. Under a map whose
// VMAs are too fine for that scale (a 2 MiB region with 4 or more), a zoom
// draws its densest 2 MiB regions (at most 16) one per row, labelled with
// their offset and VMA count, so an 8 KiB flag change is a few pixels wide.
std::string RenderAddressMapsSvg(const std::vector<AddressMap>& maps, absl::string_view heading);

}  // namespace thp

#endif  // THP_BENCH_REPORT_ADDRESS_MAP_H_
