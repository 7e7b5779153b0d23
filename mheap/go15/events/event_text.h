// One line of text per heap event, for the dump tool and for messages that
// quote an event: "<time> <kind> <field>=<value> ...", fields in the
// record's order with heap_event.h's names, addresses in hex, enums by
// name. Stable and diffable: two logs of the same decisions dump to the
// same lines when printed without times.
#ifndef THP_MHEAP_GO15_EVENTS_EVENT_TEXT_H_
#define THP_MHEAP_GO15_EVENTS_EVENT_TEXT_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "mheap/go15/events/heap_event.h"

namespace thp {
namespace heaplog {

enum class TimeFormat {
  kAbsolute,  // the nanotime() value
  kRelative,  // nanoseconds since `base`
  kNone,      // no time column
};

// Parses "abs", "rel" or "none".
bool ParseTimeFormat(absl::string_view text, TimeFormat* out);

std::string FormatEvent(const HeapEvent& e, TimeFormat time = TimeFormat::kAbsolute, int64_t base = 0);

// The fields only, " name=value" each (no time, no kind).
std::string FormatFields(const EventBody& body);

}  // namespace heaplog
}  // namespace thp

#endif  // THP_MHEAP_GO15_EVENTS_EVENT_TEXT_H_
