#include "bench/report/repro_report.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench/report/result_fields.h"

namespace thp {
namespace {

const VariantResult* Find(const ReproRun& run, absl::string_view variant) {
  for (const VariantResult& v : run.variants) {
    if (v.variant == variant && v.error.empty()) return &v;
  }
  return nullptr;
}


std::string MiB(uint64_t bytes) { return absl::StrFormat("%.1f", bytes / 1048576.0); }

const char* const kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                               "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};

}  // namespace

std::string Headline(const ReproRun& run) {
  const VariantResult* prefix = Find(run, "prefix");
  const VariantResult* fixed = Find(run, "fixed");
  if (prefix == nullptr || fixed == nullptr) return "";
  return absl::StrFormat(
      "prefix max_vmas=%d fixed max_vmas=%d ratio=%.1f (Go 1.5: %d -> %d, ratio %.1f)",
      prefix->max_go_vmas, fixed->max_go_vmas,
      static_cast<double>(prefix->max_go_vmas) / static_cast<double>(fixed->max_go_vmas),
      kGoMaxVmasBefore, kGoMaxVmasAfter,
      static_cast<double>(kGoMaxVmasBefore) / kGoMaxVmasAfter);
}

std::string FormatTable(const ReproRun& run) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"variant", "max_vmas_go", "max_vmas_rt", "max_vmas_proc", "final_rt",
                  "final_proc", "peak_rss_MiB", "final_rss_MiB", "peak_ahp_MiB",
                  "heap_sys_MiB", "released_MiB", "madvise", "scavenges", "gcs", "virtual_s",
                  "wall_s", "status"});
  for (const VariantResult& v : run.variants) {
    std::vector<std::string> calls;
    for (const auto& [k, n] : v.madvise_calls) {
      if (n > 0) calls.push_back(absl::StrCat(k, "=", n));
    }
    for (const auto& [k, n] : v.madvise_errors) calls.push_back(absl::StrCat(k, "=", n));
    rows.push_back({v.variant, absl::StrCat(v.max_go_vmas), absl::StrCat(v.max_own_vmas),
                    absl::StrCat(v.max_process_vmas), absl::StrCat(v.final_own_vmas),
                    absl::StrCat(v.final_process_vmas), MiB(v.peak_rss), MiB(v.final_rss),
                    MiB(v.peak_anon_huge), MiB(v.heap_sys), MiB(v.heap_released),
                    calls.empty() ? "-" : absl::StrJoin(calls, ","),
                    absl::StrCat(v.scavenge_passes), absl::StrCat(v.gc_cycles),
                    absl::StrFormat("%.1f", v.virtual_ns / 1e9),
                    absl::StrFormat("%.1f", v.wall_ns / 1e9),
                    v.error.empty() ? "ok" : absl::StrCat("fatal: ", v.error)});
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      absl::StrAppend(&line, i == 0 ? "" : "  ", row[i],
                      i + 1 < row.size() ? std::string(width[i] - row[i].size(), ' ') : "");
    }
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

std::string FormatJson(const ReproRun& run) {
  std::string out = "{\n";
  absl::StrAppend(&out, "  \"schema\": \"thp-lab/vma_repro/1\",\n");
  absl::StrAppend(&out, "  \"kernel\": ", JsonString(run.kernel), ",\n");
  absl::StrAppend(&out, "  \"profile\": ", JsonString(run.profile), ",\n");
  absl::StrAppend(&out, "  \"gomaxprocs\": ", run.gomaxprocs, ",\n");
  absl::StrAppend(&out, "  \"time_scale\": ", run.time_scale, ",\n");
  absl::StrAppend(&out, "  \"timings\": ", JsonString(run.timings), ",\n");
  absl::StrAppend(&out, "  \"workloads\": ", JsonString(run.workloads), ",\n");
  absl::StrAppendFormat(&out, "  \"go_reference\": {\"before\": %d, \"after\": %d, \"ratio\": %.1f},\n",
                        kGoMaxVmasBefore, kGoMaxVmasAfter,
                        static_cast<double>(kGoMaxVmasBefore) / kGoMaxVmasAfter);
  const VariantResult* prefix = Find(run, "prefix");
  const VariantResult* fixed = Find(run, "fixed");
  if (prefix != nullptr && fixed != nullptr) {
    absl::StrAppendFormat(
        &out, "  \"headline\": {\"prefix_max_vmas\": %d, \"fixed_max_vmas\": %d, \"ratio\": %.2f},\n",
        prefix->max_go_vmas, fixed->max_go_vmas,
        static_cast<double>(prefix->max_go_vmas) / static_cast<double>(fixed->max_go_vmas));
  }
  absl::StrAppend(&out, "  \"variants\": [");
  for (size_t i = 0; i < run.variants.size(); ++i) {
    absl::StrAppend(&out, i == 0 ? "\n" : ",\n", "    ", JsonFields(run.variants[i]));
  }
  absl::StrAppend(&out, "\n  ]\n}\n");
  return out;
}

std::string FormatCsv(const ReproRun& run) { return CsvTable(run.variants); }

std::string FormatSvg(const ReproRun& run) {
  constexpr double kW = 960, kH = 540, kLeft = 70, kRight = 170, kTop = 50, kBottom = 60;
  int64_t t_max = 1;
  int64_t y_max = kGoMaxVmasBefore;
  for (const VariantResult& v : run.variants) {
    for (const CensusPoint& p : v.series) {
      t_max = std::max(t_max, p.t_ns);
      y_max = std::max(y_max, p.own + kGoStaticBinaryVmas);
    }
    t_max = std::max(t_max, v.virtual_ns);
  }
  y_max = y_max * 11 / 10;
  const double pw = kW - kLeft - kRight, ph = kH - kTop - kBottom;
  auto x_of = [&](int64_t t) { return kLeft + pw * static_cast<double>(t) / t_max; };
  auto y_of = [&](int64_t y) { return kTop + ph * (1.0 - static_cast<double>(y) / y_max); };
  std::string out = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" "
      "fill=\"white\"/>\n",
      kW, kH);
  absl::StrAppendFormat(&out,
                        "<text x=\"%.0f\" y=\"25\" font-size=\"15\">Go-equivalent VMA count over "
                        "the Go 1.5 runtime benchmarks (kernel=%s, profile=%s, GODEBUG=scavenge=1)"
                        "</text>\n",
                        kLeft, run.kernel, run.profile);
  // Axes and grid.
  absl::StrAppendFormat(&out,
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n"
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n",
                        kLeft, kTop, kLeft, kTop + ph, kLeft, kTop + ph, kLeft + pw, kTop + ph);
  for (int i = 0; i <= 5; ++i) {
    const int64_t y = y_max * i / 5;
    const int64_t t = t_max * i / 5;
    absl::StrAppendFormat(&out,
                          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                          "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%d</text>\n",
                          kLeft, y_of(y), kLeft + pw, y_of(y), kLeft - 6, y_of(y) + 4, y);
    absl::StrAppendFormat(&out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.0f</text>\n",
                          x_of(t), kTop + ph + 18, t / 1e9);
  }
  absl::StrAppendFormat(&out,
                        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">virtual time (s)</text>\n"
                        "<text transform=\"translate(18 %.1f) rotate(-90)\" text-anchor=\"middle\">"
                        "VMAs (runtime's own + %d)</text>\n",
                        kLeft + pw / 2, kH - 15, kTop + ph / 2, kGoStaticBinaryVmas);
  // Go's own maxima for reference.
  for (int ref : {kGoMaxVmasBefore, kGoMaxVmasAfter}) {
    absl::StrAppendFormat(&out,
                          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\" "
                          "stroke-dasharray=\"5,4\"/><text x=\"%.1f\" y=\"%.1f\" fill=\"#666\">"
                          "Go 1.5%s max %d</text>\n",
                          kLeft, y_of(ref), kLeft + pw, y_of(ref), kLeft + pw + 6, y_of(ref) + 4,
                          ref == kGoMaxVmasBefore ? "" : " + 44078a3", ref);
  }
  for (size_t i = 0; i < run.variants.size(); ++i) {
    const VariantResult& v = run.variants[i];
    const char* color = kColors[i % (sizeof kColors / sizeof kColors[0])];
    std::string points;
    int64_t last = -1;
    for (const CensusPoint& p : v.series) {
      const int64_t y = p.own + kGoStaticBinaryVmas;
      // A step line: hold the previous count until this point's time.
      if (last >= 0) absl::StrAppendFormat(&points, "%.1f,%.1f ", x_of(p.t_ns), y_of(last));
      absl::StrAppendFormat(&points, "%.1f,%.1f ", x_of(p.t_ns), y_of(y));
      last = y;
    }
    if (last >= 0) absl::StrAppendFormat(&points, "%.1f,%.1f", x_of(v.virtual_ns), y_of(last));
    absl::StrAppendFormat(&out,
                          "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"%s\"/>\n",
                          color, points);
    const double ly = kTop + 40 + 18.0 * i;
    absl::StrAppendFormat(&out,
                          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                          "stroke-width=\"3\"/><text x=\"%.1f\" y=\"%.1f\">%s (max %d)</text>\n",
                          kLeft + pw + 6, ly, kLeft + pw + 26, ly, color, kLeft + pw + 30, ly + 4,
                          v.variant, v.max_go_vmas);
  }
  absl::StrAppend(&out, "</svg>\n");
  return out;
}

}  // namespace thp
