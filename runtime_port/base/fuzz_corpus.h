// For the fuzz targets' regression tests: replays the inputs kept in a
// testdata folder through the LLVMFuzzerTestOneInput linked into the test.
#ifndef THP_RUNTIME_PORT_BASE_FUZZ_CORPUS_H_
#define THP_RUNTIME_PORT_BASE_FUZZ_CORPUS_H_

#include <string>

namespace thp {

// Runs every file in `dir` (but dot files and BUILD.bazel) through the fuzz
// target, in the order the folder lists them; a file that cannot be read is
// a test failure. Returns how many ran. A broken invariant ends the process
// (the target's THP_CHECK), which fails the test.
int ReplayKeptFuzzInputs(const std::string& dir);

}  // namespace thp

#endif  // THP_RUNTIME_PORT_BASE_FUZZ_CORPUS_H_
