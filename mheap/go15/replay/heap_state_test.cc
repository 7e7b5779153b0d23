#include "mheap/go15/replay/heap_state.h"

#include "gtest/gtest.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

TEST(HeapStateTest, ShowsTheSpansAroundAnAddressAndTheFreeListsNearASize) {
  SimulatedKernel sim;
  absl::StatusOr<std::unique_ptr<MemLinux>> mem = NewMemLinux(sim, "none");
  ASSERT_TRUE(mem.ok());
  VirtualClock clock(5000);
  MHeap heap(**mem, clock, 1);
  MSpan* a = heap.Alloc(PageCount(1), 0, true, true);
  heap.Alloc(PageCount(2), 0, true, true);
  heap.Free(a, true);
  const std::string text = DescribeHeapAround(heap, heap.layout().arena_start + kPageSize, {1});
  // The address's span is marked, with its neighbours.
  EXPECT_NE(text.find("    page 0 +1 free npreleased=0 unusedsince=5000\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  > page 1 +2 in use"), std::string::npos) << text;
  EXPECT_NE(text.find("    page 3 +125 free"), std::string::npos) << text;
  // free[1] holds page 0; free[2] is empty; freelarge is listed too.
  EXPECT_NE(text.find("free[1]: 1 span: page 0 +1 free"), std::string::npos) << text;
  EXPECT_NE(text.find("free[2]: 0 spans"), std::string::npos) << text;
  EXPECT_NE(text.find("freelarge: 0 spans"), std::string::npos) << text;
  EXPECT_NE(text.find("heap_inuse 16384"), std::string::npos) << text;
  // Without an address only the lists and counters.
  EXPECT_EQ(DescribeHeapAround(heap, 0, {}).find("spans around"), std::string::npos);
}

}  // namespace
}  // namespace thp
