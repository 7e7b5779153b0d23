// Replays every input kept in testdata/fuzz/heap_event_log/ through the fuzz target
// of the heap-event log reader.
#include "gtest/gtest.h"
#include "runtime_port/base/fuzz_corpus.h"

namespace thp {
namespace {

TEST(HeapEventLogFuzzRegression, EveryKeptInputRunsClean) { EXPECT_GE(ReplayKeptFuzzInputs("testdata/fuzz/heap_event_log"), 1); }

}  // namespace
}  // namespace thp
