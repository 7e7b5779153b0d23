// For tests that read the text a measurement-only Go 1.5.1 patch printed
// (tools/go151/*.patch, kept under testdata/go151_*/).
#ifndef THP_BENCH_WORKLOADS_GO151_LOG_LINES_TESTING_H_
#define THP_BENCH_WORKLOADS_GO151_LOG_LINES_TESTING_H_

#include <functional>
#include <sstream>
#include <string>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "mheap/go15/events/byte_io.h"

namespace thp {

// Calls `f` with each line of the file at `path` (plain or xz-compressed)
// that is neither empty nor a comment (#): its first word, a stream over
// the words after it, and the whole line. A file that cannot be read fails
// the test.
inline void ForEachGo151LogLine(
    const std::string& path,
    const std::function<void(const std::string& kind, std::istringstream& rest,
                             const std::string& line)>& f) {
  absl::StatusOr<std::string> text = heaplog::ReadLogFile(path);
  ASSERT_TRUE(text.ok()) << path << ": " << text.status();
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream rest(line);
    std::string kind;
    rest >> kind;
    f(kind, rest, line);
  }
}

}  // namespace thp

#endif  // THP_BENCH_WORKLOADS_GO151_LOG_LINES_TESTING_H_
