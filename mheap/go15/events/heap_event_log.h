// Reading and writing heap-event logs (tools/go151/FORMAT.md): the binary
// record stream Go 1.5.1's runtime writes under the project's recording
// patch, and that the port may write for its own heap.
//
// The reader streams: it holds one buffer of the (decompressed) input, never
// the whole log, and decodes one record at a time. It trusts nothing: every
// varint is bounded (at most 10 bytes, canonical), every field is checked
// against its range (heap_event.h), records are at most kMaxRecordBytes, and
// the structure is checked as the runtime guarantees it (one heap_init
// before any span event, alloc ... alloc_done and scavenge ... scavenge_done
// brackets that do not nest, grow and trim frees only inside an alloc, the
// accounting flags each kind of free must carry, spans inside the arena, an
// end record last). The first violation is an error naming the record's
// byte offset, its kind and the field; reading stops there.
//
// The writer encodes events with the same field lists and checks the same
// field ranges, but not the structure, so tests can build bad logs. A log it
// writes from events a reader returned is byte-identical to what was read.
#ifndef THP_MHEAP_GO15_EVENTS_HEAP_EVENT_LOG_H_
#define THP_MHEAP_GO15_EVENTS_HEAP_EVENT_LOG_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "mheap/go15/events/byte_io.h"
#include "mheap/go15/events/heap_event.h"

namespace thp {
namespace heaplog {

constexpr char kMagic[8] = {'T', 'H', 'P', 'H', 'L', 'O', 'G', '\0'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderBytes = 16;
// No record is longer: the longest, config, is a kind byte, a time delta
// (at most 10 bytes), three strings (2 + kMaxString bytes each) and three
// varints: 431 bytes. The runtime keeps this much room free before writing
// any record.
constexpr size_t kMaxRecordBytes = 512;

class HeapEventReader {
 public:
  explicit HeapEventReader(std::unique_ptr<ByteSource> source);

  // Opens a log file (raw or xz-compressed; "-" is stdin).
  static absl::StatusOr<std::unique_ptr<HeapEventReader>> Open(const std::string& path);

  // Reads the next event. Returns true with *event filled, false after the
  // end record has been returned (and nothing follows it), or an error.
  // After an error every later call returns the same error.
  absl::StatusOr<bool> Next(HeapEvent* event);

  // Bytes consumed: the offset of the next record.
  uint64_t offset() const { return offset_; }
  // The heap_init record, once read.
  const std::optional<HeapInit>& heap_init() const { return heap_init_; }

 private:
  absl::Status Fill();
  absl::Status ReadHeader();
  absl::Status Check(const HeapEvent& e);
  absl::Status Fail(absl::Status s);

  std::unique_ptr<ByteSource> source_;
  std::vector<char> buf_;
  size_t pos_ = 0, end_ = 0;
  bool eof_ = false;
  bool header_done_ = false;
  bool ended_ = false;
  bool done_ = false;
  absl::Status error_;
  uint64_t offset_ = 0;
  int64_t time_ = 0;
  std::optional<HeapInit> heap_init_;
  bool config_seen_ = false;
  std::optional<std::pair<uint64_t, Alloc>> open_alloc_;  // offset, request
  std::optional<uint64_t> open_scavenge_;                 // offset
};

// Opens the log at `path` and calls `fn` on each event in order; the first
// error (opening or reading) is returned, after the events before it.
absl::Status ForEachHeapEvent(const std::string& path,
                              const std::function<void(const HeapEvent&)>& fn);

class HeapEventWriter {
 public:
  // The sink must outlive the writer. The header is written with the first
  // event (or by Flush on an empty log).
  explicit HeapEventWriter(ByteSink* sink) : sink_(sink) {}

  // Appends one record (e.offset is ignored; e.time_ns is absolute).
  absl::Status Write(const HeapEvent& e);
  // Writes the header if nothing has been written yet.
  absl::Status Flush();

  uint64_t offset() const { return offset_; }

 private:
  absl::Status Header();

  ByteSink* sink_;
  bool header_done_ = false;
  uint64_t offset_ = 0;
  int64_t time_ = 0;
  std::string record_;
};

// Reads a whole log into memory (tests and small logs).
absl::StatusOr<std::vector<HeapEvent>> ReadAllEvents(std::unique_ptr<ByteSource> source);
// Encodes events as a log.
absl::StatusOr<std::string> EncodeEvents(const std::vector<HeapEvent>& events);

}  // namespace heaplog
}  // namespace thp

#endif  // THP_MHEAP_GO15_EVENTS_HEAP_EVENT_LOG_H_
