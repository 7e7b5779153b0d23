// Replays every input kept in testdata/fuzz/kernel/ through the fuzz target
// of the /proc readers and the simulated kernel.
#include "gtest/gtest.h"
#include "runtime_port/base/fuzz_corpus.h"

namespace thp {
namespace {

TEST(KernelFuzzRegression, EveryKeptInputRunsClean) {
  EXPECT_GE(ReplayKeptFuzzInputs("testdata/fuzz/kernel"), 3);
}

}  // namespace
}  // namespace thp
