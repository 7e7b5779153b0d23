#include "bench/thp_bloat/bloat_run.h"

#include <algorithm>
#include <array>
#include <limits>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "bench/workloads/trace_replayer.h"
#include "runtime_port/base/check.h"

namespace thp {

absl::StatusOr<BloatResult> RunBloat(Kernel& kernel, const BloatRunOptions& o) {
  BloatResult r;
  r.variant = o.runtime.variant;
  r.kernel = std::string(kernel.Name());
  r.heap = std::string(HeapKindName(o.heap));
  r.khugepaged = o.khugepaged;
  r.max_ptes_none = o.emulator.max_ptes_none;
  std::optional<KhugepagedEmulator> emulator;
  if (o.khugepaged) {
    absl::StatusOr<KhugepagedEmulator> e = KhugepagedEmulator::Create(kernel, o.emulator);
    if (!e.ok()) return e.status();
    emulator.emplace(*std::move(e));
  }
  RuntimeOptions ro = o.runtime;
  ro.touch_memory = true;  // RSS must be real
  absl::StatusOr<std::unique_ptr<TraceReplayer>> made =
      TraceReplayer::Create(kernel, ro, o.scavenge_debug, nullptr, /*vma_census=*/true, o.heap);
  if (!made.ok()) return made.status();
  TraceReplayer& rep = **made;
  const HeapRuntime& heap = rep.heap_runtime();
  if (o.on_census_peak) rep.set_on_census_peak([&rep, &o] { o.on_census_peak(rep); });
  // The hook ends before the replayer it points at.
  ScopedThrowHook hook(o.on_fatal ? [&rep, &o](absl::string_view m) { o.on_fatal(rep, m); }
                                  : ThrowHook());

  uint64_t low = std::numeric_limits<uint64_t>::max();
  std::vector<RegionScan> last_scan;
  rep.set_on_scavenge([&] {
    const auto [lo, hi] = heap.ArenaRange();
    if (hi <= lo) return;
    const uint64_t rss = kernel.ResidentBytes(lo, hi);
    r.rss_peak_bytes = std::max(r.rss_peak_bytes, rss);
    if (heap.Figures().heap_released > 0) low = std::min(low, rss);
    if (emulator) last_scan = emulator->Scan({AddressRange{lo, hi}});
  });

  const absl::Time wall_start = absl::Now();
  if (absl::Status st = rep.Run(Issue8832Program(o.workload), nullptr); !st.ok()) return st;
  r.wall_ns = absl::ToInt64Nanoseconds(absl::Now() - wall_start);

  const auto [lo, hi] = heap.ArenaRange();
  r.arena_bytes = hi - lo;
  const Residency res = kernel.ResidencyOf(lo, hi);
  r.rss_bytes = res.resident_bytes;
  r.anon_huge_bytes = res.anon_huge_bytes;
  r.rss_low_after_release_bytes = low == std::numeric_limits<uint64_t>::max() ? 0 : low;
  const HeapFigures f = heap.Figures();
  r.heap_sys_bytes = f.heap_sys;
  r.heap_inuse_bytes = f.heap_inuse;
  r.heap_released_bytes = f.heap_released;
  r.live_objects = static_cast<int64_t>(heap.live_objects());
  r.scavenge_passes = f.scavenge_passes;
  r.gc_cycles = static_cast<int64_t>(f.gc_cycles);
  r.max_vmas = rep.census().max_own();
  r.final_vmas = rep.census().current().own;
  const MadviseCounters& mc = heap.counters();
  r.madvise_dontneed = mc.Calls(Advice::kDontNeed);
  r.madvise_hugepage = mc.Calls(Advice::kHugePage);
  r.madvise_nohugepage = mc.Calls(Advice::kNoHugePage);
  r.virtual_ns = rep.stats().virtual_ns;
  if (emulator) {
    const KhugepagedTotals& t = emulator->totals();
    r.regions_collapsed = t.count(RegionVerdict::kCollapsed);
    r.collapse_failures = t.count(RegionVerdict::kCollapseFailed);
    r.collapse_added_bytes = t.bytes_added;
    std::vector<std::string> errs;
    for (const auto& [err, n] : t.collapse_errors) errs.push_back(absl::StrCat(ErrnoName(err), "=", n));
    r.collapse_errors = absl::StrJoin(errs, " ");
    r.collapse_ns = t.collapse_ns;
    std::array<int64_t, kNumRegionVerdicts> counts{};
    for (const RegionScan& s : last_scan) ++counts[static_cast<size_t>(s.verdict)];
    for (int v = 0; v < kNumRegionVerdicts; ++v) {
      if (counts[v] > 0) {
        r.last_scan.emplace_back(RegionVerdictName(static_cast<RegionVerdict>(v)), counts[v]);
      }
    }
  }
  if (o.on_end) o.on_end(rep, r);
  return r;
}

}  // namespace thp
