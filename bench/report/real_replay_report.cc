#include "bench/report/real_replay_report.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench/report/result_fields.h"
#include "runtime_port/kernel/kernel.h"

namespace thp {
namespace {

constexpr Advice kAdvices[] = {Advice::kDontNeed, Advice::kHugePage, Advice::kNoHugePage,
                               Advice::kCollapse, Advice::kTryCollapse};

std::string LinuxAdviceName(uint64_t linux_advice) {
  for (Advice a : kAdvices) {
    if (static_cast<uint64_t>(LinuxAdvice(a)) == linux_advice) return std::string(AdviceName(a));
  }
  return absl::StrCat("advice", linux_advice);
}

std::string Counts(const std::vector<std::pair<std::string, int64_t>>& v) {
  if (v.empty()) return "-";
  return absl::StrJoin(v, ",", [](std::string* out, const std::pair<std::string, int64_t>& p) {
    absl::StrAppend(out, p.first, ":", p.second);
  });
}

std::string JsonCounts(const std::vector<std::pair<std::string, int64_t>>& v) {
  return absl::StrCat("{", absl::StrJoin(v, ", ", [](std::string* out, const std::pair<std::string, int64_t>& p) {
                        absl::StrAppend(out, JsonString(p.first), ": ", p.second);
                      }), "}");
}

std::string JsonTally(const heaplog::SysTally& t) {
  return absl::StrFormat("{\"calls\": %d, \"bytes\": %d}", t.calls, t.bytes);
}

}  // namespace

void FillReport(heaplog::HeapReplay& replay, const CensusKernel& census, ReplayReport* rep) {
  const heaplog::ReplayCounts& c = replay.counts();
  rep->records = c.records;
  rep->decisions = c.decisions;
  rep->divergences = replay.divergence().has_value() ? 1 : 0;
  rep->checked_by_kind.clear();
  for (int k = 1; k <= heaplog::kNumKinds; ++k) {
    const auto kind = static_cast<heaplog::Kind>(k);
    if (c.Checked(kind) > 0) rep->checked_by_kind.emplace_back(heaplog::KindName(kind), c.Checked(kind));
  }
  rep->madvise_unchecked_go = c.madvise_unchecked_go;
  rep->madvise_unchecked_port = c.madvise_unchecked_port;
  rep->madvise_result_mismatches = c.madvise_result_mismatches;
  rep->first_result_mismatch = c.first_result_mismatch;
  rep->allocs = c.allocs;
  rep->frees = c.frees_applied;
  rep->scavenges = c.scavenges;
  rep->gc_cycles = c.gc_cycles;
  rep->benchmarks = c.benchmarks;

  rep->max_vmas_go = census.max_go_equivalent();
  rep->max_vmas_runtime = census.max_own();
  rep->max_vmas_process = census.max_process();
  rep->max_splits = census.max_splits();
  rep->final_vmas_runtime = census.current().own;
  rep->madvise_port.clear();
  for (Advice a : kAdvices) {
    const int64_t n = replay.mem().counters().Calls(a);
    if (n > 0) rep->madvise_port.emplace_back(AdviceName(a), n);
  }
  rep->madvise_go.clear();
  for (const auto& [advice, n] : c.go_madvise) rep->madvise_go.emplace_back(LinuxAdviceName(advice), n);

  rep->go_sys_alloc = c.go_sys_alloc;
  rep->go_sys_free = c.go_sys_free;
  rep->port_sys_alloc = replay.port().sys_alloc();
  rep->port_sys_free = replay.port().sys_free();
  rep->first_sys_alloc_size_difference = -1;
  const std::vector<uint64_t>& gs = rep->go_sys_alloc.sizes;
  const std::vector<uint64_t>& ps = rep->port_sys_alloc.sizes;
  for (size_t i = 0; i < std::min(gs.size(), ps.size()); ++i) {
    if (gs[i] != ps[i]) {
      rep->first_sys_alloc_size_difference = static_cast<int64_t>(i);
      break;
    }
  }
  if (replay.heap() != nullptr) {
    rep->heap_sys = replay.heap()->stats().heap_sys;
    rep->heap_released = replay.heap()->stats().heap_released;
  }
  rep->records_per_second = rep->wall_seconds > 0 ? rep->records / rep->wall_seconds : 0;
}

std::string FormatReportLine(const ReplayReport& r) {
  return absl::StrFormat(
      "real_replay trace=%s build=%s variant=%s kernel=%s profile=%s records=%d decisions=%d "
      "divergences=%d madvise_checked=%d madvise_unchecked=%d madvise_result_mismatches=%d "
      "max_vmas_go=%d max_vmas_runtime=%d max_vmas_process=%d max_splits=%d final_vmas_runtime=%d "
      "madvise_port=%s madvise_go=%s allocs=%d frees=%d scavenges=%d gc=%d "
      "sys_alloc_go=%d/%d sys_alloc_port=%d/%d heap_sys=%d heap_released=%d wall_s=%.3f "
      "records_per_s=%.0f",
      r.trace, r.build.empty() ? "?" : r.build, r.variant, r.kernel, r.profile, r.records,
      r.decisions, r.divergences, r.madvise_checked ? 1 : 0, r.madvise_unchecked_go,
      r.madvise_result_mismatches, r.max_vmas_go, r.max_vmas_runtime, r.max_vmas_process,
      r.max_splits, r.final_vmas_runtime, Counts(r.madvise_port), Counts(r.madvise_go), r.allocs,
      r.frees, r.scavenges, r.gc_cycles, r.go_sys_alloc.calls, r.go_sys_alloc.bytes,
      r.port_sys_alloc.calls, r.port_sys_alloc.bytes, r.heap_sys, r.heap_released,
      r.wall_seconds, r.records_per_second);
}

std::string FormatReportJson(const ReplayReport& r,
                             const std::optional<heaplog::Divergence>& d) {
  std::string out = "{\n";
  auto field = [&out](absl::string_view key, const std::string& value) {
    absl::StrAppend(&out, "  ", JsonString(key), ": ", value, ",\n");
  };
  field("trace", JsonString(r.trace));
  field("build", JsonString(r.build));
  field("variant", JsonString(r.variant));
  field("kernel", JsonString(r.kernel));
  field("profile", JsonString(r.profile));
  field("madvise_checked", r.madvise_checked ? "true" : "false");
  field("records", absl::StrCat(r.records));
  field("decisions", absl::StrCat(r.decisions));
  field("decisions_by_kind", JsonCounts(r.checked_by_kind));
  field("divergences", absl::StrCat(r.divergences));
  field("madvise_unchecked_go", absl::StrCat(r.madvise_unchecked_go));
  field("madvise_unchecked_port", absl::StrCat(r.madvise_unchecked_port));
  field("madvise_result_mismatches", absl::StrCat(r.madvise_result_mismatches));
  field("first_result_mismatch", JsonString(r.first_result_mismatch));
  field("allocs", absl::StrCat(r.allocs));
  field("frees", absl::StrCat(r.frees));
  field("scavenges", absl::StrCat(r.scavenges));
  field("gc_cycles", absl::StrCat(r.gc_cycles));
  field("benchmarks", absl::StrCat(r.benchmarks));
  field("max_vmas_go_equivalent", absl::StrCat(r.max_vmas_go));
  field("max_vmas_runtime", absl::StrCat(r.max_vmas_runtime));
  field("max_vmas_process", absl::StrCat(r.max_vmas_process));
  field("max_split_vmas", absl::StrCat(r.max_splits));
  field("final_vmas_runtime", absl::StrCat(r.final_vmas_runtime));
  field("madvise_calls_port", JsonCounts(r.madvise_port));
  field("madvise_calls_go", JsonCounts(r.madvise_go));
  field("sys_alloc_go", JsonTally(r.go_sys_alloc));
  field("sys_alloc_port", JsonTally(r.port_sys_alloc));
  field("sys_free_go", JsonTally(r.go_sys_free));
  field("sys_free_port", JsonTally(r.port_sys_free));
  field("sys_alloc_sizes_go", absl::StrCat("[", absl::StrJoin(r.go_sys_alloc.sizes, ", "), "]"));
  field("sys_alloc_sizes_port", absl::StrCat("[", absl::StrJoin(r.port_sys_alloc.sizes, ", "), "]"));
  field("first_sys_alloc_size_difference", absl::StrCat(r.first_sys_alloc_size_difference));
  field("heap_sys", absl::StrCat(r.heap_sys));
  field("heap_released", absl::StrCat(r.heap_released));
  field("wall_seconds", absl::StrFormat("%.3f", r.wall_seconds));
  field("records_per_second", absl::StrFormat("%.0f", r.records_per_second));
  if (d.has_value()) {
    absl::StrAppend(
        &out, "  \"divergence\": {",
        absl::StrFormat("\"record_index\": %d, \"offset\": %d, \"kind\": %s, \"field\": %s, "
                        "\"recorded\": %s, \"port\": %s, \"record\": %s, \"context\": %s, "
                        "\"benchmark\": %s, \"heap_state\": %s",
                        d->record_index, d->offset, JsonString(d->kind), JsonString(d->field),
                        JsonString(d->recorded), JsonString(d->port), JsonString(d->record), JsonString(d->context),
                        JsonString(d->benchmark), JsonString(d->heap_state)),
        "}\n}\n");
  } else {
    absl::StrAppend(&out, "  \"divergence\": null\n}\n");
  }
  return out;
}

}  // namespace thp
