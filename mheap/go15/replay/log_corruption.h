// Test support: a heap-event log changed in one place, to show that the
// replay's checks bite (a checker that cannot fail proves nothing). Used
// by heap_replay_test and, through the corrupt_log tool, by the driver's
// shell test.
#ifndef THP_MHEAP_GO15_REPLAY_LOG_CORRUPTION_H_
#define THP_MHEAP_GO15_REPLAY_LOG_CORRUPTION_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mheap/go15/events/heap_event.h"

namespace thp {
namespace heaplog {

// Adds `delta` to the numeric field `field` (an unsigned, signed, address
// or page field, by its heap_event.h name) of the `nth` (0-based) record
// of kind `kind` whose field passes `filter` (nullptr: any). Returns the
// record's index; NotFound if there is no such record or field.
absl::StatusOr<size_t> AddToField(std::vector<HeapEvent>& events, Kind kind, size_t nth,
                                  const std::string& field, int64_t delta,
                                  bool (*filter)(const HeapEvent&) = nullptr);

// The index of the `nth` (0-based) record of kind `kind`; NotFound if none.
absl::StatusOr<size_t> FindRecord(const std::vector<HeapEvent>& events, Kind kind, size_t nth);

}  // namespace heaplog
}  // namespace thp

#endif  // THP_MHEAP_GO15_REPLAY_LOG_CORRUPTION_H_
