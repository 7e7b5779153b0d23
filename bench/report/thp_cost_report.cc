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

int64_t Figure(const ThpCostResult& r, absl::string_view name) {
  for (const auto& [n, v] : r.workload_figures) {
    if (n == name) return v;
  }
  return 0;
}

constexpr const char* kWorkloadRowFormat =
    "%-15s %-6s %6s %8s %8s %8s   %5s %8s %8s %8s   %6s %7s %9s\n";

// The issue workloads' per-operation table (workload_timer.h), times as
// measured on the real kernel and as modelled on the simulated one.
std::string WorkloadTable(const ThpCostRun& run) {
  const bool sim = run.kernel != "linux";
  std::string out = absl::StrFormat(
      "\nper operation (%s; %s):\n", run.workload,
      sim ? "MODELLED times: the simulated kernel's cost model, see below"
          : "measured wall time on this kernel");
  absl::StrAppendFormat(&out, "%-15s %-6s %-33s   %-32s   %s\n", "", "",
                        "allocation, with heap-lock wait", "heap lock held per COLLAPSE",
                        "collapses: all, per GC, per refill");
  absl::StrAppendFormat(&out, kWorkloadRowFormat, "variant", "heap", "allocs", "p50", "p99", "max",
                        "holds", "p50", "p99", "max", "total", "p50/max", "min/max");
  for (const ThpCostResult& r : run.variants) {
    if (!r.error.empty() || r.workload_figures.empty()) continue;
    const bool holds = Figure(r, "collapse_holds") > 0;
    auto h = [&](absl::string_view k) { return holds ? FormatNs(Figure(r, k)) : std::string("-"); };
    const bool go121 = r.heap == HeapKindName(HeapKind::kGo121);
    absl::StrAppendFormat(
        &out, kWorkloadRowFormat, r.variant, HeapCell(r.variant, r.heap),
        absl::StrCat(Figure(r, "allocs")), FormatNs(Figure(r, "alloc_p50_ns")),
        FormatNs(Figure(r, "alloc_p99_ns")), FormatNs(Figure(r, "alloc_max_ns")),
        go121 ? absl::StrCat(Figure(r, "collapse_holds")) : std::string("n/a"), h("collapse_hold_p50_ns"),
        h("collapse_hold_p99_ns"), h("collapse_hold_max_ns"), absl::StrCat(Figure(r, "collapses")),
        absl::StrCat(Figure(r, "collapses_per_gc_p50"), "/", Figure(r, "collapses_per_gc_max")),
        Figure(r, "refills") == 0 ? std::string("-")
                                  : absl::StrCat(Figure(r, "refill_collapses_min"), "/",
                                                 Figure(r, "refill_collapses_max")));
    if (sim) {
      absl::StrAppendFormat(&out,
                            "%-15s modelled: %d huge-page faults in HUGEPAGE VMAs, %d regions "
                            "collapsed, %d stalls for want of a free huge page\n",
                            "", Figure(r, "sim_huge_faults"), Figure(r, "sim_collapsed"),
                            Figure(r, "sim_stalls"));
    }
  }
  out +=
      "allocation latency = the allocation's own time + (if it took the heap lock) the lock hold "
      "time of the\n  allocations before it in its round of Ps: the port runs the Ps one after "
      "another, so contention\n  is composed from the holds, not observed (Go 1.21 heap only; "
      "n/a holds on the Go 1.5 heap).\n";
  if (sim) {
    absl::StrAppendFormat(
        &out,
        "MODELLED (simulated kernel): every time in this table is the cost model's charge, not a "
        "measurement:\n  %s per huge page allocated while no free order-9 block is left "
        "(--sim_stall_us, an\n  assumption; %d free at the start, --sim_free_huge_pages), %s per "
        "2 MiB region collapsed (--sim_collapse_us);\n  4 KiB faults and every other call cost "
        "0. Counts are the model's and exact.\n",
        FormatNs(run.sim_stall_ns), run.sim_free_huge_pages, FormatNs(run.sim_collapse_ns));
  } else {
    out +=
        "measured: wall time of this process; a COLLAPSE's lock hold includes the real "
        "madvise(MADV_COLLAPSE).\n";
  }
  return out;
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
                        !sim                         ? ""
                        : run.workload == "chunk_churn" ? "  (times n/a: simulated kernel, model time only)"
                                                        : "  (times n/a but the per-operation table's, "
                                                          "which are modelled)");
  absl::StrAppendFormat(&out, "transparent_hugepage: enabled=%s | defrag=%s\n", run.thp_enabled,
                        run.thp_defrag);
  if (run.workload == "chunk_churn") {
    absl::StrAppendFormat(&out,
                          "workload: chunk_churn, %d chunks, %d sparsify/idle/refill cycles; "
                          "first-touch probe: %d MiB x %d rounds each side\n\n",
                          run.chunks, run.cycles, run.probe_bytes >> 20, run.probe_rounds);
  } else {
    absl::StrAppendFormat(&out, "workload: %s; first-touch probe: %d MiB x %d rounds each side\n\n",
                          WorkloadDescription(run), run.probe_bytes >> 20, run.probe_rounds);
  }
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
  if (run.workload != "chunk_churn") out += WorkloadTable(run);
  for (const std::string& s : run.skipped) absl::StrAppend(&out, "skipped ", s, "\n");
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
  } else if (run.workload == "chunk_churn") {
    out +=
        "memory pressure: not modelled by the simulated kernel (every huge page allocation "
        "succeeds).\n";
  } else {
    out +=
        "memory pressure: every huge page allocation of the simulated kernel succeeds; the "
        "per-operation table\n  charges a modelled stall for each one made while no free "
        "order-9 block is left (above).\n";
  }
  return out;
}

std::string WorkloadDescription(const ThpCostRun& run) {
  if (run.workload == "issue63334") {
    return absl::StrFormat(
        "issue63334 (bench/workloads/issue63334.h): %d chunks, %d drain/idle/refill cycles on "
        "%d Ps, GOMEMLIMIT=%d",
        run.chunks, run.cycles, run.gomaxprocs, run.gomemlimit);
  }
  if (run.workload == "issue61718") {
    return absl::StrFormat(
        "issue61718 (bench/workloads/issue61718.h): a heap growing to %d MiB on %d Ps, each "
        "allocation timed",
        run.mib, run.gomaxprocs);
  }
  return run.workload;
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
  if (run.workload == "chunk_churn") {
    absl::StrAppendFormat(&out, "  \"workload\": {\"name\": \"chunk_churn\", \"chunks\": %d, "
                          "\"cycles\": %d},\n", run.chunks, run.cycles);
  } else {
    absl::StrAppendFormat(&out,
                          "  \"workload\": {\"name\": %s, \"chunks\": %d, \"cycles\": %d, "
                          "\"gomemlimit\": %d, \"mib\": %d, \"times_modelled\": %s",
                          JsonString(run.workload), run.chunks, run.cycles, run.gomemlimit, run.mib,
                          run.sim_cost ? "true" : "false");
    if (run.sim_cost) {
      absl::StrAppendFormat(&out,
                            ", \"sim_cost\": {\"stall_ns\": %d, \"collapse_ns\": %d, "
                            "\"free_huge_pages\": %d}",
                            run.sim_stall_ns, run.sim_collapse_ns, run.sim_free_huge_pages);
    }
    out += "},\n";
  }
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
