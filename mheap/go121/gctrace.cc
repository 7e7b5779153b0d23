#include "mheap/go121/gctrace.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "scavenger/gctrace.h"

namespace thp {
namespace go121 {

// gcMarkTermination's print, go1.21.0 mgc.go; itoaDiv and fmtNSAsMS are
// unchanged since Go 1.5 (scavenger/gctrace.h).
std::string GcLine(const GcCycle& c, int64_t runtime_init_ns, int procs) {
  const uint64_t since_init = static_cast<uint64_t>(c.start_ns - runtime_init_ns);
  // The phases: tMark - tSweepTerm, tMarkTerm - tMark, tEnd - tMarkTerm.
  const std::string zero = FmtNsAsMs(0);
  std::string line = absl::StrFormat(
      "gc %d @%ss %d%%: %s+%s+%s ms clock, %s+%s/%s/%s+%s ms cpu, %d->%d->%d MB, %d MB goal, "
      "%d MB stacks, %d MB globals, %d P",
      c.num, ItoaDiv(since_init / 1000000, 3), /*util=*/0, zero, zero, zero, zero, zero, zero,
      zero, zero, c.heap0 >> 20, c.heap1 >> 20, c.heap2 >> 20, c.heap_goal >> 20,
      c.stack_scan >> 20, c.globals_scan >> 20, procs);
  if (c.forced) absl::StrAppend(&line, " (forced)");
  return line;
}

// printScavTrace, go1.21.0 mgcscavenge.go.
std::string ScavTraceLine(uint64_t released_bg, uint64_t released_eager, uint64_t heap_released,
                          uint64_t heap_in_use, uint64_t heap_retained, bool forced,
                          bool controller_reset) {
  std::string line = absl::StrFormat(
      "scav %d KiB work (bg), %d KiB work (eager), %d KiB now, %d%% util", released_bg >> 10,
      released_eager >> 10, heap_released >> 10,
      heap_retained == 0 ? 0 : heap_in_use * 100 / heap_retained);
  if (forced) {
    absl::StrAppend(&line, " (forced)");
  } else if (controller_reset) {
    absl::StrAppend(&line, " [controller reset]");
  }
  return line;
}

}  // namespace go121
}  // namespace thp
