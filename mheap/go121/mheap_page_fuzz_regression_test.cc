// Replays every input kept in testdata/fuzz/go121_mheap/ through the page-level
// fuzz target of the Go 1.21 heap.
#include "gtest/gtest.h"
#include "runtime_port/base/fuzz_corpus.h"

namespace thp {
namespace {

TEST(Go121HeapFuzzRegression, EveryKeptInputRunsClean) { EXPECT_GE(ReplayKeptFuzzInputs("testdata/fuzz/go121_mheap"), 1); }

}  // namespace
}  // namespace thp
