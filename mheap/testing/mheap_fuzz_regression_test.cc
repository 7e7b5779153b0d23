// Replays every input kept in testdata/fuzz/mheap/ through the heaps'
// trace-level fuzz target (mheap_fuzz.cc).
#include "gtest/gtest.h"
#include "runtime_port/base/fuzz_corpus.h"

namespace thp {
namespace {

TEST(MHeapFuzzRegression, EveryKeptInputRunsClean) {
  EXPECT_GE(ReplayKeptFuzzInputs("testdata/fuzz/mheap"), 1);
}

}  // namespace
}  // namespace thp
