// Byte streams for the heap-event log: where a reader's bytes come from
// (memory, a file, stdin, optionally xz-compressed) and where a writer's
// go (a string, a file). The log of a full Go benchmark run is tens of
// megabytes, committed xz-compressed, so readers stream it in pieces rather
// than hold it; nothing here keeps more than one buffer per stream.
#ifndef THP_MHEAP_GO15_EVENTS_BYTE_IO_H_
#define THP_MHEAP_GO15_EVENTS_BYTE_IO_H_

#include <cstddef>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace thp {
namespace heaplog {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to n bytes into buf; returns how many, 0 only at the end.
  virtual absl::StatusOr<size_t> Read(char* buf, size_t n) = 0;
};

std::unique_ptr<ByteSource> MemorySource(std::string bytes);

// Opens `path` ("-" is stdin). Input starting with the xz magic is
// decompressed as it is read (liblzma, concatenated streams allowed);
// anything else is passed through as it is.
absl::StatusOr<std::unique_ptr<ByteSource>> OpenLogSource(const std::string& path);

// The whole of `path` (as OpenLogSource reads it: xz or not), in memory:
// for the small text files the tests read, not for heap-event logs.
absl::StatusOr<std::string> ReadLogFile(const std::string& path);

// Wraps `raw`, decompressing xz if its first bytes are the xz magic.
absl::StatusOr<std::unique_ptr<ByteSource>> MaybeXz(std::unique_ptr<ByteSource> raw);

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual absl::Status Write(absl::string_view bytes) = 0;
};

// Appends to *out, which must outlive the sink.
std::unique_ptr<ByteSink> StringSink(std::string* out);

// Creates or truncates `path`; buffered, flushed when the sink is destroyed
// or Close()d. Close reports a failed flush; the destructor cannot.
class FileSink : public ByteSink {
 public:
  static absl::StatusOr<std::unique_ptr<FileSink>> Create(const std::string& path);
  ~FileSink() override;
  absl::Status Write(absl::string_view bytes) override;
  absl::Status Close();

 private:
  FileSink(FILE* f, std::string path) : f_(f), path_(std::move(path)) {}
  FILE* f_;
  std::string path_;
};

}  // namespace heaplog
}  // namespace thp

#endif  // THP_MHEAP_GO15_EVENTS_BYTE_IO_H_
