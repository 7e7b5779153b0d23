// The first-touch probe of bench/thp_cost, and the read-only views of the
// kernel's huge-page settings and event counters it reports beside it.
//
// Issue 61718: Go 1.21.0 marked all new heap memory MADV_HUGEPAGE, so the
// first write to it could fault in a whole 2 MiB page, and with
// transparent_hugepage/defrag at "madvise" (or "always") such a fault enters
// direct reclaim and compaction when no free 2 MiB block is at hand. The probe
// measures that fault path: a fresh 4 MiB-aligned range is mapped the way
// Go 1.21's mheap.grow maps it (sysMap, then the page allocator's grow, i.e.
// MemLinux::SysMap and HeapGrown, so the variant sends exactly the advice it
// sends on new heap memory), then written 2 MiB at a time (Kernel::Touch:
// MADV_POPULATE_WRITE on Linux, the same fault path as a store, minus the
// trap), each step timed. The same is done with no advice at all, alternating
// which goes first each round so drift falls on both. The ranges are unmapped
// after each round; nothing here creates memory pressure, so what is measured
// is the no-pressure cost (see the report's note).
#ifndef THP_BENCH_THP_COST_THP_COST_PROBE_H_
#define THP_BENCH_THP_COST_THP_COST_PROBE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bench/report/thp_cost_result.h"
#include "runtime_port/kernel/kernel.h"

namespace thp {

struct TouchProbeResult {
  bool advises_new_memory = false;  // did the variant send any advice on it?
  TouchCost advised;                // after the variant's advice
  TouchCost plain;                  // after none
};

// `bytes` a multiple of 4 MiB; `rounds` >= 1. An error if the kernel refuses
// a mapping or a touch.
absl::StatusOr<TouchProbeResult> RunTouchProbe(Kernel& kernel, absl::string_view variant,
                                               uintptr_t bytes, int rounds);

// The first line of /sys/kernel/mm/transparent_hugepage/<name> ("enabled",
// "defrag"), e.g. "always defer defer+madvise [madvise] never". Read only.
absl::StatusOr<std::string> ReadThpSetting(absl::string_view name);

// The /proc/vmstat counters that say whether huge pages were allocated at
// fault time or fell back, collapsed, and whether allocations stalled in
// direct compaction or reclaim (allocstall is the sum of allocstall_*).
NamedCounts ReadThpVmstat();
// after - before, name by name (names missing from `before` count from 0).
NamedCounts VmstatDelta(const NamedCounts& before, const NamedCounts& after);

}  // namespace thp

#endif  // THP_BENCH_THP_COST_THP_COST_PROBE_H_
