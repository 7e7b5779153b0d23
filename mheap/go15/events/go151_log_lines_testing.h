// For tests that read the text a measurement-only Go 1.5.1 patch printed
// (tools/go151/*.patch, kept under testdata/go151_*/).
#ifndef THP_MHEAP_GO15_EVENTS_GO151_LOG_LINES_TESTING_H_
#define THP_MHEAP_GO15_EVENTS_GO151_LOG_LINES_TESTING_H_

#include <cstdint>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
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

// The number after `key` in such a line: "key=v" (fmt-style fields) or
// "key= v" (println's, which puts a space between its arguments); -1 when
// the line has none.
inline int64_t Go151LineValue(const std::string& line, const std::string& key) {
  const std::vector<absl::string_view> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
  for (size_t i = 0; i < words.size(); ++i) {
    absl::string_view w = words[i];
    if (!absl::ConsumePrefix(&w, key + "=")) continue;
    if (w.empty() && i + 1 < words.size()) w = words[i + 1];
    int64_t v = 0;
    if (absl::SimpleAtoi(w, &v)) return v;
  }
  return -1;
}

}  // namespace thp

#endif  // THP_MHEAP_GO15_EVENTS_GO151_LOG_LINES_TESTING_H_
