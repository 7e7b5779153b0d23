// Replays every input kept in testdata/fuzz/mheap_page/ through the
// page-level fuzz target of the Go 1.5 page heap (mheap_page_fuzz.cc).
#include "gtest/gtest.h"
#include "runtime_port/base/fuzz_corpus.h"

namespace thp {
namespace {

TEST(MHeapPageFuzzRegression, EveryKeptInputRunsClean) { EXPECT_GE(ReplayKeptFuzzInputs("testdata/fuzz/mheap_page"), 1); }

}  // namespace
}  // namespace thp
