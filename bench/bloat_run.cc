#include "bench/bloat_run.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/workloads/trace.h"
#include "runtime_port/base/check.h"

namespace thp {

int64_t Percentile(std::vector<int64_t> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double rank = std::ceil(p / 100.0 * static_cast<double>(values.size()));
  const size_t i = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return values[std::min(i, values.size() - 1)];
}

absl::StatusOr<BloatResult> RunBloat(Kernel& kernel, const BloatRunOptions& o) {
  BloatResult r;
  r.variant = o.runtime.variant;
  r.kernel = std::string(kernel.Name());
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
      TraceReplayer::Create(kernel, ro, o.scavenge_debug, nullptr);
  if (!made.ok()) return made.status();
  TraceReplayer& rep = **made;
  const HeapLayout& layout = rep.runtime().heap().layout();
  if (o.on_census_peak) rep.set_on_census_peak([&rep, &o] { o.on_census_peak(rep); });
  // The hook ends before the replayer it points at.
  ScopedThrowHook hook(o.on_fatal ? [&rep, &o](absl::string_view m) { o.on_fatal(rep, m); }
                                  : ThrowHook());

  uint64_t low = std::numeric_limits<uint64_t>::max();
  std::vector<RegionScan> last_scan;
  rep.set_on_scavenge([&] {
    if (layout.arena_used <= layout.arena_start) return;
    const uint64_t rss = kernel.ResidentBytes(layout.arena_start, layout.arena_used);
    r.rss_peak_bytes = std::max(r.rss_peak_bytes, rss);
    if (rep.runtime().heap().stats().heap_released > 0) low = std::min(low, rss);
    if (emulator) last_scan = emulator->Scan({AddressRange{layout.arena_start, layout.arena_used}});
  });

  const absl::Time wall_start = absl::Now();
  if (absl::Status st = rep.Run(Issue8832Program(o.workload), nullptr); !st.ok()) return st;
  r.wall_ns = absl::ToInt64Nanoseconds(absl::Now() - wall_start);

  r.arena_bytes = layout.arena_used - layout.arena_start;
  const Residency res = kernel.ResidencyOf(layout.arena_start, layout.arena_used);
  r.rss_bytes = res.resident_bytes;
  r.anon_huge_bytes = res.anon_huge_bytes;
  r.rss_low_after_release_bytes = low == std::numeric_limits<uint64_t>::max() ? 0 : low;
  const MemStats& ms = rep.runtime().heap().stats();
  r.heap_sys_bytes = ms.heap_sys;
  r.heap_inuse_bytes = ms.heap_inuse;
  r.heap_released_bytes = ms.heap_released;
  r.live_objects = static_cast<int64_t>(rep.runtime().live_objects());
  r.scavenge_passes = rep.sysmon().scavenges();
  r.gc_cycles = static_cast<int64_t>(rep.runtime().gc().cycles().size());
  r.max_vmas = rep.census().max_own();
  r.final_vmas = rep.census().current().own;
  const MadviseCounters& mc = rep.runtime().mem().counters();
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

namespace {

template <typename T>
struct Field {
  const char* key;
  T BloatResult::*member;
};

constexpr Field<std::string> kStrings[] = {
    {"variant", &BloatResult::variant},
    {"kernel", &BloatResult::kernel},
    {"collapse_errors", &BloatResult::collapse_errors},
};
constexpr Field<int64_t> kInts[] = {
    {"max_ptes_none", &BloatResult::max_ptes_none},
    {"live_objects", &BloatResult::live_objects},
    {"scavenge_passes", &BloatResult::scavenge_passes},
    {"gc_cycles", &BloatResult::gc_cycles},
    {"max_vmas_runtime", &BloatResult::max_vmas},
    {"final_vmas_runtime", &BloatResult::final_vmas},
    {"madvise_calls.DONTNEED", &BloatResult::madvise_dontneed},
    {"madvise_calls.HUGEPAGE", &BloatResult::madvise_hugepage},
    {"madvise_calls.NOHUGEPAGE", &BloatResult::madvise_nohugepage},
    {"regions_collapsed", &BloatResult::regions_collapsed},
    {"collapse_failures", &BloatResult::collapse_failures},
    {"virtual_ns", &BloatResult::virtual_ns},
    {"wall_ns", &BloatResult::wall_ns},
};
constexpr Field<uint64_t> kUints[] = {
    {"arena_bytes", &BloatResult::arena_bytes},
    {"rss_bytes", &BloatResult::rss_bytes},
    {"anon_huge_bytes", &BloatResult::anon_huge_bytes},
    {"rss_peak_bytes", &BloatResult::rss_peak_bytes},
    {"rss_low_after_release_bytes", &BloatResult::rss_low_after_release_bytes},
    {"heap_sys_bytes", &BloatResult::heap_sys_bytes},
    {"heap_inuse_bytes", &BloatResult::heap_inuse_bytes},
    {"heap_released_bytes", &BloatResult::heap_released_bytes},
    {"collapse_added_bytes", &BloatResult::collapse_added_bytes},
};
constexpr absl::string_view kScanPrefix = "last_scan.";

}  // namespace

std::string SerializeBloatResult(const BloatResult& r) {
  std::string out;
  for (const auto& f : kStrings) absl::StrAppend(&out, f.key, "\t", r.*f.member, "\n");
  absl::StrAppend(&out, "khugepaged\t", r.khugepaged ? 1 : 0, "\n");
  for (const auto& f : kInts) absl::StrAppend(&out, f.key, "\t", r.*f.member, "\n");
  for (const auto& f : kUints) absl::StrAppend(&out, f.key, "\t", r.*f.member, "\n");
  for (const auto& [k, v] : r.last_scan) absl::StrAppend(&out, kScanPrefix, k, "\t", v, "\n");
  absl::StrAppend(&out, "collapse_ns\t", absl::StrJoin(r.collapse_ns, ","), "\n");
  return out;
}

absl::StatusOr<BloatResult> ParseBloatResult(const std::string& text) {
  BloatResult r;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    ++line_no;
    const size_t tab = line.find('\t');
    auto bad = [&] {
      return absl::InvalidArgumentError(absl::StrCat("result line ", line_no, ": \"", line, "\""));
    };
    if (tab == absl::string_view::npos) return bad();
    const absl::string_view key = line.substr(0, tab);
    const absl::string_view value = line.substr(tab + 1);
    bool known = false;
    for (const auto& f : kStrings) {
      if (key == f.key) {
        r.*f.member = std::string(value);
        known = true;
      }
    }
    for (const auto& f : kInts) {
      if (key == f.key) {
        if (!absl::SimpleAtoi(value, &(r.*f.member))) return bad();
        known = true;
      }
    }
    for (const auto& f : kUints) {
      if (key == f.key) {
        if (!absl::SimpleAtoi(value, &(r.*f.member))) return bad();
        known = true;
      }
    }
    if (key == "khugepaged") {
      r.khugepaged = value == "1";
      known = true;
    } else if (absl::StartsWith(key, kScanPrefix)) {
      int64_t n = 0;
      if (!absl::SimpleAtoi(value, &n)) return bad();
      r.last_scan.emplace_back(std::string(key.substr(kScanPrefix.size())), n);
      known = true;
    } else if (key == "collapse_ns") {
      for (absl::string_view v : absl::StrSplit(value, ',', absl::SkipEmpty())) {
        int64_t ns = 0;
        if (!absl::SimpleAtoi(v, &ns)) return bad();
        r.collapse_ns.push_back(ns);
      }
      known = true;
    }
    if (!known) return bad();
  }
  return r;
}

}  // namespace thp
