// The reference page model catches a heap that disagrees with it: the
// observer's checks fail on a span handed out or given back twice, and
// CompareFreeRanges on free pages the model was not told of.
#include "mheap/go15/testing/page_model_observer.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "mheap/go15/mheap.h"
#include "mheap/go15/testing/page_model.h"
#include "runtime_port/base/clock.h"
#include "runtime_port/kernel/sim_kernel.h"
#include "runtime_port/mem_linux/mem_linux.h"

namespace thp {
namespace {

// The observer's model disagrees with a heap that hands out a span twice or
// takes one back twice (fed here by hand, as a broken heap would feed it).
TEST(PageModelObserver, CatchesASpanHandedOutOrGivenBackTwice) {
  SimulatedKernel sim;
  absl::StatusOr<std::unique_ptr<MemLinux>> mem = NewMemLinux(sim, "fixed");
  ASSERT_TRUE(mem.ok());
  VirtualClock clock(1);
  MHeap heap(**mem, clock, 1);
  PageModelObserver model(heap);
  heap.set_observer(&model);
  MSpan* s = heap.Alloc(PageCount(3), 0, /*large=*/true, /*needzero=*/true);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(model.Check(heap), "");
  model.OnAllocSpan(s, s->npages, PageCount(0));
  EXPECT_NE(model.error().find("which is not free"), std::string::npos) << model.error();

  PageModelObserver fresh(heap);
  heap.set_observer(&fresh);
  const PageId start = s->start;
  heap.Free(s, true);
  EXPECT_EQ(fresh.Check(heap), "");
  fresh.OnFreeSpan(start, PageCount(3), /*acctinuse=*/true, /*acctidle=*/true, true, *s);
  EXPECT_NE(fresh.Check(heap).find("freed twice"), std::string::npos) << fresh.Check(heap);
  heap.set_observer(nullptr);
}

// A heap whose free pages the model does not know of: CompareFreeRanges
// names the first page that differs.
TEST(PageModelObserver, ComparesFreePagesWithTheHeap) {
  SimulatedKernel sim;
  absl::StatusOr<std::unique_ptr<MemLinux>> mem = NewMemLinux(sim, "none");
  ASSERT_TRUE(mem.ok());
  VirtualClock clock(1);
  MHeap heap(**mem, clock, 1);
  MSpan* s = heap.Alloc(PageCount(2), 0, /*large=*/true, /*needzero=*/true);
  ASSERT_NE(s, nullptr);
  PageModel model = PageModel::Snapshot(heap);  // s in use
  EXPECT_EQ(model.CompareFreeRanges(heap), "");
  heap.Free(s, true);  // the model is not told
  EXPECT_NE(model.CompareFreeRanges(heap).find("heap says free, model says in use"),
            std::string::npos);
}

}  // namespace
}  // namespace thp
