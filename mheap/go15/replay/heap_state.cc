#include "mheap/go15/replay/heap_state.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace thp {
namespace {

constexpr int kSpansAround = 4;     // spans listed on each side of the address
constexpr size_t kListShown = 6;    // spans shown of each free list
constexpr uint64_t kSizesAround = 1;  // neighbouring list lengths shown

std::string SpanLine(const MSpan& s, PageId arena_start) {
  std::string out = absl::StrFormat("page %d +%d %s", (s.start - arena_start).raw(),
                                    s.npages.raw(), SpanStateName(s.state));
  if (s.state == SpanState::kFree) {
    absl::StrAppend(&out, absl::StrFormat(" npreleased=%d unusedsince=%d", s.npreleased.raw(),
                                          s.unusedsince));
  } else if (s.state == SpanState::kInUse) {
    absl::StrAppend(&out, absl::StrFormat(" sizeclass=%d sweepgen=%d", s.sizeclass, s.sweepgen));
  }
  return out;
}

}  // namespace

std::string DescribeHeapAround(const MHeap& heap, uintptr_t addr,
                               const std::vector<uint64_t>& sizes) {
  const HeapLayout& l = heap.layout();
  const PageId arena_start = PageId::ForAddr(l.arena_start);
  std::string out;
  if (addr != 0) {
    absl::StrAppend(&out, absl::StrFormat("  spans around %#x (page %d):\n", addr,
                                          static_cast<int64_t>((addr - l.arena_start) >> kPageShift)));
    const std::vector<const MSpan*> spans = heap.SpansInAddressOrder();
    // The first span ending above addr.
    size_t at = 0;
    while (at < spans.size() && spans[at]->end() <= addr) ++at;
    const size_t lo = at >= kSpansAround ? at - kSpansAround : 0;
    const size_t hi = std::min(spans.size(), at + kSpansAround + 1);
    if (lo > 0) absl::StrAppend(&out, "    ...\n");
    for (size_t i = lo; i < hi; ++i) {
      absl::StrAppend(&out, i == at ? "  > " : "    ", SpanLine(*spans[i], arena_start), "\n");
    }
    if (hi < spans.size()) absl::StrAppend(&out, "    ...\n");
    if (at == spans.size()) {
      absl::StrAppend(&out, absl::StrFormat("    (the arena ends at page %d)\n",
                                            (l.arena_used - l.arena_start) >> kPageShift));
    }
  }
  std::set<uint64_t> lists;
  for (uint64_t n : sizes) {
    for (uint64_t m = n > kSizesAround ? n - kSizesAround : 1; m <= n + kSizesAround; ++m) {
      if (m < kMaxMHeapList) lists.insert(m);
    }
  }
  lists.insert(0);  // freelarge
  absl::StrAppend(&out, "  free lists (next taken first):\n");
  for (uint64_t n : lists) {
    const std::vector<const MSpan*> list = heap.FreeListSpans(static_cast<int>(n));
    absl::StrAppend(&out, "    ", n == 0 ? std::string("freelarge") : absl::StrCat("free[", n, "]"),
                    ": ", list.size(), " span", list.size() == 1 ? "" : "s");
    for (size_t i = 0; i < list.size() && i < kListShown; ++i) {
      absl::StrAppend(&out, i == 0 ? ": " : "; ", SpanLine(*list[i], arena_start));
    }
    if (list.size() > kListShown) absl::StrAppend(&out, "; ...");
    absl::StrAppend(&out, "\n");
  }
  const MemStats& st = heap.stats();
  absl::StrAppend(&out, absl::StrFormat("  sweepgen %d, heap_sys %d, heap_inuse %d, heap_idle %d, "
                                        "heap_released %d, arena pages %d\n",
                                        heap.sweepgen(), st.heap_sys, st.heap_inuse, st.heap_idle,
                                        st.heap_released,
                                        (l.arena_used - l.arena_start) >> kPageShift));
  return out;
}

}  // namespace thp
