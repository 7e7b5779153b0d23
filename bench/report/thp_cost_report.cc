#include "bench/report/thp_cost_report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench/report/heap_label.h"
#include "bench/report/result_fields.h"
#include "runtime_port/kernel/kernel.h"

namespace thp {
namespace {


std::string Percent(int64_t part, int64_t whole) {
  if (whole <= 0) return "-";
  return absl::StrFormat("%.1f%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

std::string Joined(const NamedCounts& counts, absl::string_view sep, bool plus) {
  std::vector<std::string> parts;
  for (const auto& [name, n] : counts) {
    parts.push_back(absl::StrCat(name, "=", plus && n >= 0 ? "+" : "", n));
  }
  return absl::StrJoin(parts, sep);
}

// The heap-locked sites (marked '*') or the others, without the mark.
std::string Sites(const NamedCounts& counts, bool locked) {
  NamedCounts picked;
  for (const auto& [name, n] : counts) {
    const bool is_locked = !name.empty() && name[0] == '*';
    if (is_locked == locked) picked.emplace_back(is_locked ? name.substr(1) : name, n);
  }
  return picked.empty() ? "none" : Joined(picked, " ", false);
}

constexpr const char* kRowFormat =
    "%-15s %-6s %6s %8s %8s %8s   %7s %7s   %8s %8s   %8s %8s   %5s %5s   %6s %6s\n";

}  // namespace

std::string FormatNs(int64_t ns) {
  if (ns < 1000) return absl::StrCat(ns, "ns");
  if (ns < 1000000) return absl::StrFormat("%.1fus", static_cast<double>(ns) / 1e3);
  if (ns < 1000000000) return absl::StrFormat("%.2fms", static_cast<double>(ns) / 1e6);
  return absl::StrFormat("%.2fs", static_cast<double>(ns) / 1e9);
}

std::string FormatThpCostTable(const ThpCostRun& run) {
  const bool sim = run.kernel != "linux";
  std::string out;
  absl::StrAppendFormat(&out, "thp_cost: kernel=%s%s GOMAXPROCS=%d GODEBUG=scavenge=%d%s\n",
                        run.kernel,
                        sim ? absl::StrCat(" max_map_count=", run.sim_max_map_count) : "",
                        run.gomaxprocs, run.scavenge_debug ? 1 : 0,
                        sim ? "  (times n/a: simulated kernel, model time only)" : "");
  absl::StrAppendFormat(&out, "transparent_hugepage: enabled=%s | defrag=%s\n", run.thp_enabled,
                        run.thp_defrag);
  absl::StrAppendFormat(&out,
                        "workload: chunk_churn, %d chunks, %d sparsify/idle/refill cycles; "
                        "first-touch probe: %d MiB x %d rounds each side\n\n",
                        run.chunks, run.cycles, run.probe_bytes >> 20, run.probe_rounds);
  absl::StrAppendFormat(&out, "%-15s %-6s %-33s   %-15s   %-17s   %-17s   %-11s   %s\n", "", "",
                        "madvise with the heap lock held", "ns/4KiB (p50)", "per 2 MiB: p50",
                        "per 2 MiB: max", "got huge", "AnonHuge/inuse");
  absl::StrAppendFormat(&out, kRowFormat, "variant", "heap", "calls", "p50", "p99", "max", "adv", "plain",
                        "adv", "plain", "adv", "plain", "adv", "plain", "end", "peak");
  auto t = [sim](int64_t ns) { return sim ? std::string("n/a") : FormatNs(ns); };
  bool marked = false;  // a variant not on its own heap
  bool hybrid = false;  // a Go 1.21 variant on the Go 1.5 heap
  bool go121 = false;   // a variant on the Go 1.21 heap
  for (const ThpCostResult& r : run.variants) {
    const std::string heap = HeapCell(r.variant, r.heap);
    marked |= NotOwnHeap(r.variant, r.heap);
    hybrid |= r.heap == HeapKindName(HeapKind::kGo15) &&
              DefaultHeapOf(r.variant) == HeapKind::kGo121;
    go121 |= r.heap == HeapKindName(HeapKind::kGo121);
    if (!r.error.empty()) {
      absl::StrAppendFormat(&out, "%-15s %-6s error: %s\n", r.variant, heap, r.error);
      continue;
    }
    const bool adv = r.advises_new_memory != 0;
    auto a = [adv](const std::string& s) { return adv ? s : std::string("-"); };
    // A step is 512 pages; its median is steadier than the mean on a busy
    // machine, where a preempted step costs milliseconds.
    auto per_page = [sim](const TouchCost& c) {
      return sim ? std::string("n/a")
                 : absl::StrFormat("%.0f", static_cast<double>(c.p50_huge_page_ns) /
                                               (kHugePageSize / kOsPageSize));
    };
    const std::string per_page_adv = per_page(r.advised);
    const std::string per_page_plain = per_page(r.plain);
    const bool none = r.locked_calls == 0;
    absl::StrAppendFormat(
        &out, kRowFormat, r.variant, heap, absl::StrCat(r.locked_calls),
        none ? "-" : t(r.locked_p50_ns), none ? "-" : t(r.locked_p99_ns),
        none ? "-" : t(r.locked_max_ns), a(per_page_adv), per_page_plain,
        a(t(r.advised.p50_huge_page_ns)), t(r.plain.p50_huge_page_ns),
        a(t(r.advised.max_huge_page_ns)), t(r.plain.max_huge_page_ns),
        a(Percent(r.advised.anon_huge_bytes, r.advised.bytes)),
        Percent(r.plain.anon_huge_bytes, r.plain.bytes), Percent(r.end_anon_huge, r.end_heap_inuse),
        Percent(r.peak_anon_huge, r.peak_heap_inuse));
  }
  if (marked) absl::StrAppend(&out, kNotOwnHeapFootnote, "\n");
  out += "\n";
  for (const ThpCostResult& r : run.variants) {
    if (!r.error.empty()) continue;
    absl::StrAppendFormat(&out, "%-15s heap-locked: %s; not under the heap lock in Go: %s%s\n",
                          r.variant, Sites(r.calls_by_site, true), Sites(r.calls_by_site, false),
                          r.madvise_errors.empty()
                              ? ""
                              : absl::StrCat("; failed (ignored, as Go does): ",
                                             Joined(r.madvise_errors, " ", false)));
    absl::StrAppendFormat(&out,
                          "%-15s AnonHugePages/heap_inuse: end %.1f/%.1f MiB, at peak heap %.1f/%.1f "
                          "MiB, most AnonHugePages seen %.1f MiB; %d GCs, %d scavenger passes\n",
                          "", r.end_anon_huge / 1048576.0, r.end_heap_inuse / 1048576.0,
                          r.peak_anon_huge / 1048576.0, r.peak_heap_inuse / 1048576.0,
                          r.max_anon_huge / 1048576.0, r.gc_cycles, r.scavenge_passes);
    if (!r.vmstat_delta.empty()) {
      absl::StrAppendFormat(&out, "%-15s /proc/vmstat over the run (system-wide): %s\n", "",
                            Joined(r.vmstat_delta, " ", true));
    }
  }
  for (const std::string& s : run.skipped) absl::StrAppend(&out, "skipped ", s, "\n");
  if (!run.map_note.empty()) absl::StrAppend(&out, run.map_note, "\n");
  out +=
      "\nheap lock, from the Go sources: Go 1.21.0 sends its grow HUGEPAGE (mheap.grow -> "
      "pageAlloc.grow)\n  and dense-chunk HUGEPAGE (allocRange/allocToCache -> "
      "scavengeIndex.alloc) with mheap_.lock held, but its\n  scavenger's NOHUGEPAGE and DONTNEED "
      "after unlocking (scavengeOne); Go 1.21.1 sends the dense-chunk\n  COLLAPSE with the lock "
      "held; fixed runs on Go 1.5.2's heap, which releases (mHeap_Scavenge) and\n  reuses "
      "(mHeap_AllocSpanLocked) spans with h.lock held.\n";
  if (go121) {
    out +=
        "go121: on the Go 1.21 heap (mheap/go121) a call counts as heap-locked when that heap's "
        "own mheap_.lock\n  is held at the call (go121::HeapLock), not by a table of sites; its "
        "background scavenger paces\n  itself (Go 1.21 has no GODEBUG=scavenge=1).\n";
  }
  if (hybrid) {
    out +=
        "go15 under a Go 1.21 variant: the Go 1.5 heap with Go 1.21's chunk-density rule "
        "(mheap/go15/chunks.h).\n  It grows as Go 1.5's does (1 MiB steps), so hugepage_eager's "
        "grow HUGEPAGE covers only grows\n  holding a whole 2 MiB page (the workload's 6 MiB "
        "buffer); Go 1.21.0 grows in 4 MiB chunks and advises\n  all new heap memory, which is "
        "the case the first-touch probe measures.\n";
  }
  if (!sim) {
    absl::StrAppendFormat(
        &out,
        "memory pressure: none was created (MemAvailable %.1f GiB). The stalls of issues 61718 "
        "(faults on\n  HUGEPAGE memory entering direct compaction/reclaim under defrag=madvise) "
        "and 63334 (MADV_COLLAPSE\n  reclaiming with the heap lock held) need fragmented or "
        "exhausted memory: these are no-pressure\n  costs; compact_stall and allocstall above "
        "show whether any allocation stalled meanwhile.\n",
        static_cast<double>(run.mem_available) / (1 << 30));
  } else {
    out +=
        "memory pressure: not modelled by the simulated kernel (every huge page allocation "
        "succeeds).\n";
  }
  return out;
}

std::string FormatThpCostJson(const ThpCostRun& run) {
  std::string out = "{\n";
  absl::StrAppend(&out, "  \"schema\": \"thp-lab/thp_cost/1\",\n");
  absl::StrAppend(&out, "  \"kernel\": ", JsonString(run.kernel), ",\n");
  absl::StrAppend(&out, "  \"thp_enabled\": ", JsonString(run.thp_enabled), ",\n");
  absl::StrAppend(&out, "  \"thp_defrag\": ", JsonString(run.thp_defrag), ",\n");
  absl::StrAppend(&out, "  \"mem_available\": ", run.mem_available, ",\n");
  absl::StrAppend(&out, "  \"gomaxprocs\": ", run.gomaxprocs, ",\n");
  absl::StrAppend(&out, "  \"scavenge_debug\": ", run.scavenge_debug ? "true" : "false", ",\n");
  absl::StrAppendFormat(&out, "  \"workload\": {\"name\": \"chunk_churn\", \"chunks\": %d, "
                        "\"cycles\": %d},\n", run.chunks, run.cycles);
  absl::StrAppendFormat(&out, "  \"probe\": {\"bytes\": %d, \"rounds\": %d},\n", run.probe_bytes,
                        run.probe_rounds);
  std::vector<std::string> skipped;
  for (const std::string& s : run.skipped) skipped.push_back(JsonString(s));
  absl::StrAppend(&out, "  \"skipped\": [", absl::StrJoin(skipped, ", "), "],\n");
  absl::StrAppend(&out, "  \"variants\": [");
  for (size_t i = 0; i < run.variants.size(); ++i) {
    absl::StrAppend(&out, i == 0 ? "\n" : ",\n", "    ", JsonFields(run.variants[i]));
  }
  absl::StrAppend(&out, "\n  ]\n}\n");
  return out;
}

std::string FormatThpCostCsv(const ThpCostRun& run) { return CsvTable(run.variants); }

}  // namespace thp
