#include "bench/report/bloat_report.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench/report/heap_label.h"
#include "bench/report/result_fields.h"
#include "bench/report/sample_percentiles.h"

namespace thp {
namespace {

double MiB(uint64_t bytes) { return static_cast<double>(bytes) / 1048576.0; }

std::string Ms(int64_t ns) { return absl::StrFormat("%.3f ms", static_cast<double>(ns) / 1e6); }

// "n / p50 / p99 / max" of the collapses, or why there is none.
std::string LatencyCell(const BloatReport& report, const BloatRow& row) {
  if (report.kernel != "linux") return "n/a (simulated)";
  const std::vector<int64_t>& v = row.with.collapse_ns;
  if (v.empty()) return "0 calls";
  return absl::StrCat(v.size(), " / ", Ms(NearestRankPercentile(v, 0.5)), " / ",
                      Ms(NearestRankPercentile(v, 0.99)), " / ",
                      Ms(NearestRankPercentile(v, 1.0)));
}


}  // namespace

double BloatRow::Factor() const {
  if (without.rss_bytes == 0) return 0;
  return static_cast<double>(with.rss_bytes) / static_cast<double>(without.rss_bytes);
}

std::string ExpectedOutcome(absl::string_view variant, absl::string_view heap) {
  if (heap != HeapKindName(HeapKind::kGo15)) return "";
  if (variant == "none") return "bloats";
  if (variant == "prefix" || variant == "fixed") return "no bloat";
  return "";
}

std::string FormatBloatTable(const BloatReport& report) {
  std::string out = absl::StrFormat(
      "Go issue 8832 on the ported runtime (GODEBUG=scavenge=1), kernel=%s (%s, THP mode %s%s); "
      "khugepaged emulated as in THP \"always\" mode after every scavenge pass, "
      "max_ptes_none=%d\n",
      report.kernel, report.profile, report.thp_mode,
      report.kernel == "sim" ? absl::StrCat(", max_map_count ", report.max_map_count) : "",
      report.max_ptes_none);
  int width = 7;  // "variant"
  for (const BloatRow& row : report.rows) width = std::max(width, static_cast<int>(row.variant.size()));
  absl::StrAppendFormat(&out, "%-*s %-6s %9s %17s %17s %8s %14s %10s  %s\n", width, "variant",
                        "heap", "arena", "RSS no khugepaged", "RSS khugepaged", "bloat",
                        "AnonHugePages", "collapsed", "MADV_COLLAPSE latency (n / p50 / p99 / max)");
  bool marked = false, go121 = false;
  for (const BloatRow& row : report.rows) {
    marked |= NotOwnHeap(row.variant, row.heap);
    go121 |= row.heap == HeapKindName(HeapKind::kGo121);
    const std::string heap = HeapCell(row.variant, row.heap);
    if (!row.error.empty()) {
      absl::StrAppendFormat(&out, "%-*s %-6s error: %s\n", width, row.variant, heap, row.error);
      continue;
    }
    absl::StrAppendFormat(&out,
                          "%-*s %-6s %5.1f MiB %13.1f MiB %13.1f MiB %7.3fx %10.1f MiB %10d  %s\n",
                          width, row.variant, heap, MiB(row.with.arena_bytes), MiB(row.without.rss_bytes),
                          MiB(row.with.rss_bytes), row.Factor(), MiB(row.with.anon_huge_bytes),
                          row.with.regions_collapsed, LatencyCell(report, row));
  }
  absl::StrAppend(&out,
                  "(RSS and AnonHugePages: the heap arena at the end of the run; collapsed: "
                  "regions the emulation collapsed during the run, the growing heap's partly "
                  "used top region included)\n");
  if (marked) absl::StrAppend(&out, kNotOwnHeapFootnote, "\n");
  if (go121) {
    absl::StrAppend(&out,
                    "go121: the Go 1.21 heap (mheap/go121); its arena is the 64 MiB arenas it "
                    "reserved, its background scavenger paces itself (Go 1.21 has no "
                    "GODEBUG=scavenge=1), and the emulation scans after each stretch of virtual "
                    "time in which it ran\n");
  }
  absl::StrAppendFormat(
      &out, "issue 8832 itself (Go 1.4-dev, 2014): RSS %.1f MiB, %.1f MiB after the scavenger, "
            "then back to ~250 MB (x%.2f)\n",
      kIssue8832RssBeforeKb / 1024.0, kIssue8832RssAfterScavengeKb / 1024.0,
      static_cast<double>(kIssue8832RssBeforeKb) / kIssue8832RssAfterScavengeKb);
  std::vector<std::string> verdicts;
  for (const BloatRow& row : report.rows) {
    if (!row.error.empty()) continue;
    const std::string expected = ExpectedOutcome(row.variant, row.heap);
    const std::string got = row.Factor() > 1.0 ? "bloats" : "no bloat";
    std::string v = absl::StrFormat("%s %s (x%.3f)", row.variant, got, row.Factor());
    if (!expected.empty() && expected != got) absl::StrAppend(&v, ", NOT the expected ", expected);
    verdicts.push_back(v);
  }
  absl::StrAppend(&out, absl::StrJoin(verdicts, "; "), "\n");
  return out;
}

std::string FormatBloatJson(const BloatReport& report) {
  std::vector<std::string> rows;
  for (const BloatRow& row : report.rows) {
    std::string s = absl::StrCat("    {\"variant\": ", JsonString(row.variant),
                                 ", \"heap\": ", JsonString(row.heap),
                                 ", \"error\": ", JsonString(row.error));
    if (row.error.empty()) {
      const std::vector<int64_t>& v = row.with.collapse_ns;
      absl::StrAppendFormat(&s, ", \"bloat_factor\": %.6f", row.Factor());
      absl::StrAppend(&s, ", \"collapse_latency_ns\": ");
      if (report.kernel == "linux") {
        absl::StrAppend(&s, "{\"count\": ", v.size(), ", \"p50\": ", NearestRankPercentile(v, 0.5),
                        ", \"p99\": ", NearestRankPercentile(v, 0.99),
                        ", \"max\": ", NearestRankPercentile(v, 1.0), "}");
      } else {
        absl::StrAppend(&s, "null");
      }
      absl::StrAppend(&s, ",\n     \"without_khugepaged\": ", JsonFields(row.without),
                      ",\n     \"with_khugepaged\": ", JsonFields(row.with));
    }
    rows.push_back(s + "}");
  }
  return absl::StrCat("{\"tool\": \"thp_bloat\", \"kernel\": ", JsonString(report.kernel),
                      ", \"profile\": ", JsonString(report.profile),
                      ", \"thp_mode\": ", JsonString(report.thp_mode),
                      ", \"max_ptes_none\": ", report.max_ptes_none,
                      ", \"issue8832_rss_kb\": {\"before\": ", kIssue8832RssBeforeKb,
                      ", \"after_scavenge\": ", kIssue8832RssAfterScavengeKb, "},\n",
                      " \"variants\": [\n", absl::StrJoin(rows, ",\n"), "\n ]}\n");
}

std::string FormatBloatCsv(const BloatReport& report) {
  std::string out =
      "variant,kernel,profile,max_ptes_none,error,heap,arena_bytes,rss_without_bytes,rss_with_bytes,"
      "bloat_factor,anon_huge_without_bytes,anon_huge_with_bytes,rss_low_after_release_bytes,"
      "regions_collapsed,collapse_added_bytes,collapse_failures,collapse_count,collapse_p50_ns,"
      "collapse_p99_ns,collapse_max_ns,heap_released_bytes,live_objects,max_vmas_runtime,"
      "madvise_calls.DONTNEED,madvise_calls.HUGEPAGE,madvise_calls.NOHUGEPAGE\n";
  for (const BloatRow& row : report.rows) {
    const BloatResult& w = row.with;
    const BloatResult& o = row.without;
    const std::vector<int64_t>& v = w.collapse_ns;
    const bool timed = report.kernel == "linux";
    // heap after error: the columns before it keep their places.
    absl::StrAppendFormat(&out, "%s,%s,%s,%d,%s,%s,", row.variant, report.kernel, report.profile,
                          report.max_ptes_none, CsvCell(row.error), row.heap);
    if (!row.error.empty()) {
      absl::StrAppend(&out, "\n");
      continue;
    }
    absl::StrAppendFormat(&out, "%d,%d,%d,%.6f,%d,%d,%d,%d,%d,%d,", w.arena_bytes, o.rss_bytes,
                          w.rss_bytes, row.Factor(), o.anon_huge_bytes, w.anon_huge_bytes,
                          w.rss_low_after_release_bytes, w.regions_collapsed,
                          w.collapse_added_bytes, w.collapse_failures);
    if (timed) {
      absl::StrAppendFormat(&out, "%d,%d,%d,%d,", v.size(), NearestRankPercentile(v, 0.5),
                            NearestRankPercentile(v, 0.99), NearestRankPercentile(v, 1.0));
    } else {
      absl::StrAppend(&out, ",,,,");
    }
    absl::StrAppendFormat(&out, "%d,%d,%d,%d,%d,%d\n", w.heap_released_bytes, w.live_objects,
                          w.max_vmas, w.madvise_dontneed, w.madvise_hugepage,
                          w.madvise_nohugepage);
  }
  return out;
}

}  // namespace thp
