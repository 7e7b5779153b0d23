// Replays every input kept in testdata/fuzz/text_formats/ through the
// text formats' fuzz target (traces and recorded timings).
#include <dirent.h>

#include <string>

#include "gtest/gtest.h"
#include "runtime_port/base/file_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace thp {
namespace {

TEST(TextFormatsFuzzRegression, EveryKeptInputRunsClean) {
  const std::string dir = "testdata/fuzz/text_formats";
  DIR* d = opendir(dir.c_str());
  ASSERT_NE(d, nullptr) << dir;
  int n = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    absl::StatusOr<std::string> bytes = ReadWholeFile(dir + "/" + e->d_name);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size());
    ++n;
  }
  closedir(d);
  EXPECT_GE(n, 1);
}

}  // namespace
}  // namespace thp
