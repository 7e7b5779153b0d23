#include "runtime_port/base/fuzz_corpus.h"

#include <dirent.h>

#include <cstddef>
#include <cstdint>

#include "gtest/gtest.h"
#include "runtime_port/base/file_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace thp {

int ReplayKeptFuzzInputs(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) {
    ADD_FAILURE() << "cannot open " << dir;
    return 0;
  }
  int n = 0;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name[0] == '.' || name == "BUILD.bazel") continue;
    absl::StatusOr<std::string> bytes = ReadWholeFile(dir + "/" + name);
    if (!bytes.ok()) {
      ADD_FAILURE() << bytes.status();
      continue;
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size());
    ++n;
  }
  closedir(d);
  return n;
}

}  // namespace thp
