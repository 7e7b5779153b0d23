// Applies a recorded memory-layer stream (mem_stream.h) to one variant's
// MemLinux: each call as the heap made it, so the variant's policy sends
// its advice and the kernel sees what it would have seen under a heap run
// of its own. Reads the stream one line at a time and holds none of it.
#ifndef THP_RUNTIME_PORT_MEMSTREAM_PLAYER_H_
#define THP_RUNTIME_PORT_MEMSTREAM_PLAYER_H_

#include <cstdio>
#include <string>

#include "absl/status/statusor.h"
#include "runtime_port/mem_linux/mem_linux.h"
#include "runtime_port/memstream/mem_stream.h"

namespace thp {

// Applies `r` to `mem` if it is a memory-layer call (sys*, the policy
// hooks, a scavenge pass's begin or end, a touch) and returns true; returns
// false for "at" and the driver's markers, which the caller handles. An
// error when the kernel gave sysAlloc or sysReserve another result than
// the recorded heap run got (the stream cannot drive this kernel). A fatal
// runtime error (sysMap refused) throws as in the heap run (check.h).
absl::StatusOr<bool> ApplyMemRecord(const MemRecord& r, MemLinux& mem);

// Reads a stream's records from a file, one at a time.
class MemStreamReader {
 public:
  // Opens `path` and checks the header; errors name the path. Lines are
  // at most kMaxMemStreamLineBytes (an error naming the path and line).
  static absl::StatusOr<MemStreamReader> Open(const std::string& path);
  MemStreamReader(MemStreamReader&& other) noexcept;
  MemStreamReader& operator=(MemStreamReader&&) = delete;
  ~MemStreamReader();

  // The next record; NotFound at the end of the file; other errors name the
  // path and line.
  absl::StatusOr<MemRecord> Next();

 private:
  MemStreamReader(std::FILE* f, std::string path) : f_(f), path_(std::move(path)) {}

  // The next line without its '\n' into line_buf_, keeping at most one
  // byte past the bound; false at the end of the file.
  bool ReadLine();

  std::FILE* f_;
  std::string path_;
  int64_t line_ = 1;  // the header's
  std::string line_buf_;  // the line being read, reused line to line
};

}  // namespace thp

#endif  // THP_RUNTIME_PORT_MEMSTREAM_PLAYER_H_
