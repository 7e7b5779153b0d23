#include "bench/calibrate/free_spans.h"

#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event.h"
#include "mheap/go15/events/test_events.h"

namespace thp {
namespace calibrate {
namespace {

using heaplog::FreeWhy;

// A free of `npages` at `page` that mHeap_FreeSpanLocked merged into a span
// starting `before` pages below it and `merged` pages long.
heaplog::Free Freed(uint64_t page, uint64_t npages, uint64_t before, uint64_t merged,
                    FreeWhy why = FreeWhy::kCentral) {
  return heaplog::SpanFree(page, npages, why, before, merged);
}

heaplog::AllocDone Took(uint64_t page, uint64_t found) {
  heaplog::AllocDone d;
  d.page = page;
  d.found_npages = found;
  return d;
}

// The heap grows by 128 pages at page 0; a 1-page span is cut from it,
// then a 4-page one, each allocation's trim recorded before its alloc_done
// as Go 1.5.1's log and the model's records order them; freeing the first
// leaves a 1-page hole below the 4-page span, and freeing that one merges
// both with the tail into one span again.
TEST(FreeSpansTest, FollowsSplitsAndMerges) {
  FreeSpans f;
  f.Observe(Freed(0, 128, 0, 128, FreeWhy::kGrow));
  EXPECT_EQ(f.SpanAt(0), 128u);
  f.Observe(heaplog::Alloc{});
  f.Observe(Freed(1, 127, 0, 127, FreeWhy::kTrim));
  f.Observe(Took(0, 128));
  EXPECT_EQ(f.spans(), 1u);
  EXPECT_EQ(f.SpanAt(1), 127u);
  f.Observe(Freed(5, 123, 0, 123, FreeWhy::kTrim));
  f.Observe(Took(1, 127));
  EXPECT_EQ(f.spans(), 1u);
  EXPECT_EQ(f.SpanAt(5), 123u);

  f.Observe(Freed(0, 1, 0, 1));
  EXPECT_EQ(f.SpanAt(0), 1u);
  EXPECT_EQ(f.Histogram(), (SizeHistogram{1, 0, 0, 0, 0, 1, 0}));

  // The 4-page span's free merges the hole before it and the tail after.
  f.Observe(Freed(1, 4, 1, 128));
  EXPECT_EQ(f.spans(), 1u);
  EXPECT_EQ(f.SpanAt(0), 128u);
  EXPECT_EQ(f.SpanAt(5), 0u);
  EXPECT_EQ(f.Histogram(), (SizeHistogram{0, 0, 0, 0, 0, 1, 0}));
}

// Records other than frees and found spans leave the map alone; a failed
// allocation (no page) takes nothing.
TEST(FreeSpansTest, IgnoresReleasesAndFailedAllocations) {
  FreeSpans f;
  f.Observe(Freed(10, 4, 0, 4));
  heaplog::SysUnused u;
  u.n = 4 * 8192;
  f.Observe(u);
  heaplog::AllocDone failed;
  f.Observe(failed);
  EXPECT_EQ(f.SpanAt(10), 4u);
  EXPECT_EQ(f.Histogram(), (SizeHistogram{0, 0, 1, 0, 0, 0, 0}));
}

// A free merged with both neighbours replaces them with one span.
TEST(FreeSpansTest, AMergedSpanReplacesItsNeighbours) {
  FreeSpans f;
  f.Observe(Freed(10, 2, 0, 2));
  f.Observe(Freed(14, 2, 0, 2));
  f.Observe(Freed(12, 2, 2, 6));
  EXPECT_EQ(f.spans(), 1u);
  EXPECT_EQ(f.SpanAt(10), 6u);
}

}  // namespace
}  // namespace calibrate
}  // namespace thp
