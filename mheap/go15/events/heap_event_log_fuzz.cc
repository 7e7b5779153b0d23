// Fuzz target for the heap-event log reader. Any input must either read or
// fail with an error; never crash, hang or read out of bounds (the fuzz
// build runs under ASan). And the reader must be exact: writing back the
// events it returned reproduces, byte for byte, the input it consumed (the
// header and every record before the one it rejected). Found inputs are
// kept in testdata/fuzz/heap_event_log/ and replayed by
// heap_event_log_fuzz_regression_test on every test run.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mheap/go15/events/event_text.h"
#include "mheap/go15/events/heap_event_log.h"
#include "runtime_port/base/check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace thp::heaplog;
  const std::string input(reinterpret_cast<const char*>(data), size);
  HeapEventReader reader(MemorySource(input));
  std::vector<HeapEvent> events;
  HeapEvent e;
  bool clean = false;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next(&e);
    if (!more.ok()) break;
    if (!*more) {
      clean = true;
      break;
    }
    THP_CHECK(!FormatEvent(e).empty(), "an event formats to text");
    events.push_back(e);
  }
  const uint64_t consumed = reader.offset();
  THP_CHECK(consumed <= size, "the reader consumed more than its input");
  if (clean) THP_CHECK(consumed == size, "a clean end consumed everything");
  if (consumed >= kHeaderBytes) {
    absl::StatusOr<std::string> again = EncodeEvents(events);
    THP_CHECK(again.ok(), "events the reader accepted must be writable");
    THP_CHECK(*again == input.substr(0, consumed), "re-encoding reproduces the input read");
  }
  return 0;
}
