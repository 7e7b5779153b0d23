// Whole-file reads and writes, for the /proc and /sys files the kernel layer
// reads, the recorded data the tests read, and the files the drivers write.
// It mirrors no Go code.
#ifndef THP_RUNTIME_PORT_BASE_FILE_IO_H_
#define THP_RUNTIME_PORT_BASE_FILE_IO_H_

#include <string>

#include "absl/status/statusor.h"

namespace thp {

// Reads a whole file. Works for /proc and /sys files, whose size stat()
// reports as 0: it reads until end of file, retrying on EINTR. The error
// names the path and the errno.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);

// Writes `text` to `path` (created or truncated); false on any failure,
// including one that only shows when the file is closed (a full disk).
bool WriteFile(const std::string& path, const std::string& text);

}  // namespace thp

#endif  // THP_RUNTIME_PORT_BASE_FILE_IO_H_
