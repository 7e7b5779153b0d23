// Field-by-field comparison of two heap-event records of the same kind
// (mheap/go15/events/heap_event.h), for the replay that sets what the port
// decided beside what Go 1.5.1 recorded. The fields are listed by the
// records' own Fields() visitors, so a comparison names a field exactly as
// FORMAT.md and the dump tool do.
#ifndef THP_MHEAP_GO15_REPLAY_FIELD_DIFF_H_
#define THP_MHEAP_GO15_REPLAY_FIELD_DIFF_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "mheap/go15/events/heap_event.h"

namespace thp {
namespace heaplog {

// One record's fields as (name, value) in record order, values as the dump
// prints them (addresses in hex, enums by name); Flags3 gives one entry per
// flag.
std::vector<std::pair<std::string, std::string>> ListFields(const EventBody& body);

struct FieldDiff {
  std::string field;
  std::string recorded;
  std::string port;
};

// The first field, in record order, where `recorded` and `port` differ,
// leaving out the fields named in `skip`; nullopt when they agree. The
// bodies must be of the same kind.
std::optional<FieldDiff> FirstFieldDiff(const EventBody& recorded, const EventBody& port,
                                        const std::vector<absl::string_view>& skip = {});

}  // namespace heaplog
}  // namespace thp

#endif  // THP_MHEAP_GO15_REPLAY_FIELD_DIFF_H_
