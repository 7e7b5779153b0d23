#include "mheap/go15/events/heap_event.h"

#include "gtest/gtest.h"

namespace thp {
namespace heaplog {
namespace {

TEST(BenchBaseNameTest, DropsOnlyTheProcsSuffix) {
  EXPECT_EQ(BenchBaseName("BenchmarkMalloc8-2", 2), "BenchmarkMalloc8");
  EXPECT_EQ(BenchBaseName("BenchmarkMalloc8", 1), "BenchmarkMalloc8");
  EXPECT_EQ(BenchBaseName("BenchmarkMalloc8-2", 4), "BenchmarkMalloc8-2");
  EXPECT_EQ(BenchBaseName("(startup)", 0), "(startup)");
  BenchStart b;
  b.name = "BenchmarkMatmult-2";
  b.procs = 2;
  EXPECT_EQ(b.BaseName(), "BenchmarkMatmult");
}

}  // namespace
}  // namespace heaplog
}  // namespace thp
