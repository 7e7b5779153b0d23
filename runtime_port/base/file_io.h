// Whole-file reads and writes, for the /proc and /sys files the kernel layer
// reads, the recorded data the tests read, and the files the drivers write.
// It mirrors no Go code.
#ifndef THP_RUNTIME_PORT_BASE_FILE_IO_H_
#define THP_RUNTIME_PORT_BASE_FILE_IO_H_

#include <cstddef>
#include <limits>
#include <string>

#include "absl/status/statusor.h"

namespace thp {

inline constexpr size_t kNoFileBound = std::numeric_limits<size_t>::max();

// Reads a whole file. Works for /proc and /sys files, whose size stat()
// reports as 0: it reads until end of file, retrying on EINTR. The error
// names the path and the errno. A file of more than `max_bytes` (an input a
// user names: /dev/zero never ends) is an error naming the bound, read no
// further than one chunk past it.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path,
                                          size_t max_bytes = kNoFileBound);

// Reads a file of the workspace (a path relative to it, such as
// "testdata/..."): from the working directory (bazel run's is the
// workspace), else from the running binary's runfiles, where a `data`
// dependency puts it. The error is the working directory's.
absl::StatusOr<std::string> ReadWorkspaceFile(const std::string& path,
                                              size_t max_bytes = kNoFileBound);

// Writes `text` to `path` (created or truncated). The error's message is
// the errno text of the first step that failed, closing included (a full
// disk shows only there).
absl::Status WriteWholeFile(const std::string& path, const std::string& text);

// WriteWholeFile(...).ok().
bool WriteFile(const std::string& path, const std::string& text);

}  // namespace thp

#endif  // THP_RUNTIME_PORT_BASE_FILE_IO_H_
