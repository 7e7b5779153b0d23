#include "bench/calibrate/outliving_spans.h"

#include <vector>

#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event.h"
#include "mheap/go15/events/test_events.h"

namespace thp {
namespace calibrate {
namespace {

using heaplog::FreeWhy;

heaplog::Alloc Request() { return heaplog::Alloc{}; }

heaplog::AllocDone Took(uint64_t page) {
  heaplog::AllocDone d;
  d.page = page;
  return d;
}

heaplog::Free Freed(uint64_t page, FreeWhy why) { return heaplog::SpanFree(page, 1, why); }

// Segment 0 takes pages 10, 20 and 30. Page 10 is freed while segment 1
// runs, page 20 while segment 2 runs (after segment 1 ended: it outlived
// it), page 30 never. Segment 1 takes page 40, still in use when the
// records end, after segment 2, the last.
TEST(OutlivingSpansTest, CountsTheSpansStillInUseWhenTheBenchmarkAfterEnds) {
  OutlivingSpans o;
  for (uint64_t page : {10, 20, 30}) {
    o.Observe(0, Request());
    o.Observe(0, Took(page));
  }
  o.Observe(1, Freed(10, FreeWhy::kCentral));
  o.Observe(1, Request());
  o.Observe(1, Took(40));
  o.Observe(2, Freed(20, FreeWhy::kStack));
  EXPECT_EQ(o.Finish(), (std::vector<uint64_t>{2, 1, 0}));
}

// The heap's own bookkeeping (grow, trim) ends no span; a large object's
// free does; an alloc that got no span takes none, and a later alloc_done
// without its alloc counts for nothing.
TEST(OutlivingSpansTest, OnlyInUseFreesEndASpanAndOnlyAnAllocsOwnDoneTakesOne) {
  OutlivingSpans o;
  o.Observe(0, Request());
  o.Observe(0, Took(5));
  o.Observe(0, Request());
  o.Observe(0, heaplog::AllocDone{});  // no span
  o.Observe(0, Took(6));               // no alloc before it
  o.Observe(0, Request());
  o.Observe(0, Took(7));
  o.Observe(1, Freed(5, FreeWhy::kTrim));
  o.Observe(1, Freed(5, FreeWhy::kGrow));
  o.Observe(1, Freed(7, FreeWhy::kLarge));
  // Segments 2 and 3 have no records: the count is made as each begins.
  o.Observe(4, Request());
  o.Observe(4, Took(8));
  EXPECT_EQ(o.Finish(), (std::vector<uint64_t>{1, 0, 0, 0, 0}));
}

}  // namespace
}  // namespace calibrate
}  // namespace thp
