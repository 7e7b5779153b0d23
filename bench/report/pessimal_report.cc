#include "bench/report/pessimal_report.h"

#include "absl/strings/str_format.h"
#include "runtime_port/kernel/kernel.h"

namespace thp {

std::string PessimalLine(absl::string_view variant, absl::string_view heap,
                         absl::string_view kernel, absl::string_view profile,
                         const PessimalResult& r) {
  std::string line = absl::StrFormat("pessimal variant=%s heap=%s kernel=%s profile=%s", variant,
                                     heap, kernel, profile);
  if (r.hit_limit) {
    absl::StrAppendFormat(&line, " limit_heap_bytes=%d vmas=%d errno=%s", r.heap_bytes, r.vmas,
                          ErrnoName(r.err));
  } else {
    absl::StrAppendFormat(&line, " limit=none heap_bytes=%d vmas=%d", r.heap_bytes, r.vmas);
  }
  return line;
}

}  // namespace thp
