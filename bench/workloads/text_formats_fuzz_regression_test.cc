// Replays every input kept in testdata/fuzz/text_formats/ through the fuzz target
// of the text formats (traces, recorded timings).
#include "gtest/gtest.h"
#include "runtime_port/base/fuzz_corpus.h"

namespace thp {
namespace {

TEST(TextFormatsFuzzRegression, EveryKeptInputRunsClean) { EXPECT_GE(ReplayKeptFuzzInputs("testdata/fuzz/text_formats"), 1); }

}  // namespace
}  // namespace thp
