// Test tool: writes a copy of a heap-event log with one numeric field of
// one record changed (log_corruption.h), raw (not compressed), and prints
// "<record index> <byte offset>" of the changed record in the copy, so a
// shell test can check that real_replay reports a divergence exactly there.
//
//   corrupt_log IN OUT KIND NTH FIELD DELTA
//   corrupt_log smoke_prefix.hlog.xz bad.hlog alloc_done 20 page 1
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "mheap/go15/events/byte_io.h"
#include "mheap/go15/events/heap_event_log.h"
#include "mheap/go15/replay/log_corruption.h"

namespace {

int Fail(const std::string& what) {
  std::fprintf(stderr, "corrupt_log: %s\n", what.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace thp::heaplog;
  if (argc != 7) return Fail("usage: corrupt_log IN OUT KIND NTH FIELD DELTA");
  int kind_value = 0;
  for (int k = 1; k <= kNumKinds; ++k) {
    if (KindName(static_cast<Kind>(k)) == argv[3]) kind_value = k;
  }
  size_t nth = 0;
  int64_t delta = 0;
  if (kind_value == 0) return Fail(std::string("KIND ") + argv[3] + ": not a record kind");
  if (!absl::SimpleAtoi(argv[4], &nth)) return Fail(std::string("NTH ") + argv[4] + ": not a count");
  if (!absl::SimpleAtoi(argv[6], &delta)) return Fail(std::string("DELTA ") + argv[6] + ": not a number");
  absl::StatusOr<std::unique_ptr<ByteSource>> in = OpenLogSource(argv[1]);
  if (!in.ok()) return Fail(std::string(in.status().message()));
  absl::StatusOr<std::vector<HeapEvent>> events = ReadAllEvents(*std::move(in));
  if (!events.ok()) return Fail(std::string(events.status().message()));
  absl::StatusOr<size_t> at = AddToField(*events, static_cast<Kind>(kind_value), nth, argv[5], delta);
  if (!at.ok()) return Fail(std::string(at.status().message()));
  absl::StatusOr<std::string> bytes = EncodeEvents(*events);
  if (!bytes.ok()) return Fail(std::string(bytes.status().message()));
  absl::StatusOr<std::unique_ptr<FileSink>> out = FileSink::Create(argv[2]);
  if (!out.ok()) return Fail(std::string(out.status().message()));
  if (absl::Status s = (*out)->Write(*bytes); !s.ok()) return Fail(std::string(s.message()));
  if (absl::Status s = (*out)->Close(); !s.ok()) return Fail(std::string(s.message()));
  // The offset in the copy (a longer or shorter varint moves later records).
  absl::StatusOr<std::unique_ptr<ByteSource>> back = OpenLogSource(argv[2]);
  if (!back.ok()) return Fail(std::string(back.status().message()));
  absl::StatusOr<std::vector<HeapEvent>> reread = ReadAllEvents(*std::move(back));
  if (!reread.ok()) return Fail(std::string(reread.status().message()));
  std::printf("%zu %llu\n", *at, static_cast<unsigned long long>((*reread)[*at].offset));
  return 0;
}
