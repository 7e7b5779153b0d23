#include "bench/report/repro_report.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench/report/result_fields.h"
#include "bench/report/heap_label.h"

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
  bool foreign = false;  // a variant not on its own Go release's heap
  rows.push_back({"variant", "heap", "max_vmas_go", "max_vmas_rt", "max_vmas_proc", "final_rt",
                  "final_proc", "peak_rss_MiB", "final_rss_MiB", "peak_ahp_MiB",
                  "heap_sys_MiB", "released_MiB", "madvise", "scavenges", "gcs", "virtual_s",
                  "wall_s", "status"});
  for (const VariantResult& v : run.variants) {
    std::vector<std::string> calls;
    for (const auto& [k, n] : v.madvise_calls) {
      if (n > 0) calls.push_back(absl::StrCat(k, "=", n));
    }
    for (const auto& [k, n] : v.madvise_errors) calls.push_back(absl::StrCat(k, "=", n));
    foreign |= NotOwnHeap(v.variant, v.heap);
    rows.push_back({v.variant, HeapCell(v.variant, v.heap),
                    absl::StrCat(v.max_go_vmas), absl::StrCat(v.max_own_vmas),
                    absl::StrCat(v.max_process_vmas), absl::StrCat(v.final_own_vmas),
                    absl::StrCat(v.final_process_vmas), MiB(v.peak_rss), MiB(v.final_rss),
                    MiB(v.peak_anon_huge), MiB(v.heap_sys), MiB(v.heap_released),
                    calls.empty() ? "-" : absl::StrJoin(calls, ","),
                    absl::StrCat(v.scavenge_passes), absl::StrCat(v.gc_cycles),
                    absl::StrFormat("%.1f", v.virtual_ns / 1e9),
                    absl::StrFormat("%.1f", v.wall_ns / 1e9),
                    // "interrupted": the run was stopped before this
                    // variant ended (ChildFailure, child_run.h).
                    v.error.empty()           ? "ok"
                    : v.error == "interrupted" ? v.error
                                               : absl::StrCat("fatal: ", v.error)});
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
  if (foreign) absl::StrAppend(&out, kNotOwnHeapFootnote, "\n");
  return out;
}

std::string FormatJson(const ReproRun& run) {
  std::string out = "{\n";
  absl::StrAppend(&out, "  \"schema\": \"thp-lab/vma_repro/1\",\n");
  absl::StrAppend(&out, "  \"kernel\": ", JsonString(run.kernel), ",\n");
  absl::StrAppend(&out, "  \"profile\": ", JsonString(run.profile), ",\n");
  absl::StrAppend(&out, "  \"heap\": ", JsonString(run.heap), ",\n");
  absl::StrAppend(&out, "  \"thp_mode\": ", JsonString(run.thp_mode), ",\n");
  absl::StrAppend(&out, "  \"max_map_count\": ", run.max_map_count, ",\n");
  absl::StrAppend(&out, "  \"gomaxprocs\": ", run.gomaxprocs, ",\n");
  absl::StrAppend(&out, "  \"time_scale\": ", run.time_scale, ",\n");
  absl::StrAppend(&out, "  \"loop_slice_us\": ", run.loop_slice_us, ",\n");
  absl::StrAppend(&out, "  \"mark_share_seed\": ", run.mark_share_seed, ",\n");
  absl::StrAppend(&out, "  \"sweep_wait_seed\": ", run.sweep_wait_seed, ",\n");
  absl::StrAppendFormat(&out, "  \"cpu_scale\": %.2f,\n", run.cpu_scale);
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

SvgScale ChooseSvgScale(const ReproRun& run, SvgScale asked) {
  if (asked != SvgScale::kAuto) return asked;
  int64_t lo = 0, hi = 0;
  for (const VariantResult& v : run.variants) {
    if (v.max_go_vmas <= 0) continue;
    lo = lo == 0 ? v.max_go_vmas : std::min(lo, v.max_go_vmas);
    hi = std::max(hi, v.max_go_vmas);
  }
  return lo > 0 && hi > 10 * lo ? SvgScale::kLog : SvgScale::kLinear;
}

std::string FormatSvg(const ReproRun& run, SvgScale asked) {
  const SvgScale scale = ChooseSvgScale(run, asked);
  const bool log = scale == SvgScale::kLog;
  // The legend sits right of the plot, in its own column; titles above it.
  constexpr double kW = 1100, kH = 580, kLeft = 70, kLegend = 300, kTop = 62, kBottom = 56;
  const double pw = kW - kLeft - kLegend - 20, ph = kH - kTop - kBottom;
  int64_t t_max = 1;
  int64_t y_max = kGoMaxVmasBefore;
  for (const VariantResult& v : run.variants) {
    for (const CensusPoint& p : v.series) {
      t_max = std::max(t_max, p.t_ns);
      y_max = std::max(y_max, p.own + kGoStaticBinaryVmas);
    }
    t_max = std::max(t_max, v.virtual_ns);
  }
  // Linear: 0 to 110% of the top. Log: decades from 1 (a Go-equivalent count
  // is at least kGoStaticBinaryVmas) to the decade above the top.
  double log_top = 1;
  while (std::pow(10.0, log_top) < y_max * 1.2) log_top += 1;
  const double lin_top = y_max * 1.1;
  auto x_of = [&](int64_t t) { return kLeft + pw * static_cast<double>(t) / t_max; };
  auto y_of = [&](double y) {
    const double f = log ? std::log10(std::max(y, 1.0)) / log_top : y / lin_top;
    return kTop + ph * (1.0 - f);
  };
  std::string out = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
      "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
      kW, kH, kW, kH);
  absl::StrAppendFormat(&out,
                        "<text x=\"%.0f\" y=\"24\" font-size=\"16\" font-weight=\"bold\">"
                        "Go-equivalent VMA count over the Go 1.5 runtime benchmarks</text>\n"
                        "<text x=\"%.0f\" y=\"44\" font-size=\"12\" fill=\"#444\">kernel=%s, "
                        "profile=%s, GOMAXPROCS=%d, GODEBUG=scavenge=1; %s y axis</text>\n",
                        kLeft, kLeft, run.kernel, run.profile, run.gomaxprocs,
                        log ? "logarithmic" : "linear");
  // Axes, grid and ticks.
  absl::StrAppendFormat(&out,
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n"
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n",
                        kLeft, kTop, kLeft, kTop + ph, kLeft, kTop + ph, kLeft + pw, kTop + ph);
  std::vector<double> ticks;
  if (log) {
    for (double d = 0; d <= log_top; d += 1) ticks.push_back(std::pow(10.0, d));
  } else {
    for (int i = 0; i <= 5; ++i) ticks.push_back(std::round(lin_top * i / 5));
  }
  for (double y : ticks) {
    absl::StrAppendFormat(&out,
                          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                          "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>\n",
                          kLeft, y_of(y), kLeft + pw, y_of(y), kLeft - 6, y_of(y) + 4, y);
  }
  for (int i = 0; i <= 5; ++i) {
    const int64_t t = t_max * i / 5;
    absl::StrAppendFormat(&out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.0f</text>\n",
                          x_of(t), kTop + ph + 18, t / 1e9);
  }
  absl::StrAppendFormat(&out,
                        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">virtual time (s)</text>\n"
                        "<text transform=\"translate(18 %.1f) rotate(-90)\" text-anchor=\"middle\">"
                        "VMAs (runtime's own + %d)</text>\n",
                        kLeft + pw / 2, kH - 14, kTop + ph / 2, kGoStaticBinaryVmas);
  // Go's own maxima for reference, labelled inside the plot at its left end,
  // above their lines.
  for (int ref : {kGoMaxVmasBefore, kGoMaxVmasAfter}) {
    absl::StrAppendFormat(&out,
                          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\" "
                          "stroke-dasharray=\"5,4\"/><text x=\"%.1f\" y=\"%.1f\" fill=\"#666\" "
                          "font-size=\"11\">%s: %d (commit 44078a3's message)</text>\n",
                          kLeft, y_of(ref), kLeft + pw, y_of(ref), kLeft + 8, y_of(ref) - 4,
                          ref == kGoMaxVmasBefore ? "Go 1.5.1" : "Go 1.5.1 + 44078a3", ref);
  }
  // The lines, then each variant's peak: a dot labelled with the benchmark
  // during which it was first reached. Labels that would overlap move down.
  struct Peak {
    double x, y;
    std::string label;
    const char* color;
  };
  std::vector<Peak> peaks;
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
      if (y == v.max_go_vmas && peaks.size() == i) {
        peaks.push_back(Peak{x_of(p.t_ns), y_of(y),
                             absl::StrCat(v.variant, " ", v.max_go_vmas,
                                          v.max_at_benchmark.empty() ? "" : " in ",
                                          v.max_at_benchmark),
                             color});
      }
      last = y;
    }
    if (peaks.size() == i) peaks.push_back(Peak{-1, -1, "", color});
    if (last >= 0) absl::StrAppendFormat(&points, "%.1f,%.1f", x_of(v.virtual_ns), y_of(last));
    absl::StrAppendFormat(&out,
                          "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"%s\"/>\n",
                          color, points);
  }
  std::vector<double> taken;  // label baselines already used
  std::vector<size_t> order(peaks.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return peaks[a].y < peaks[b].y; });
  for (size_t i : order) {
    const Peak& p = peaks[i];
    if (p.x < 0) continue;
    double ly = p.y - 6;
    for (bool moved = true; moved;) {
      moved = false;
      for (double t : taken) {
        if (std::abs(t - ly) < 13) {
          ly = t + 13;
          moved = true;
        }
      }
    }
    taken.push_back(ly);
    // Right of the dot, or left of it near the plot's right edge.
    const bool left = p.x > kLeft + pw * 0.7;
    absl::StrAppendFormat(&out,
                          "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" stroke=\"black\" "
                          "stroke-width=\"0.6\"/><text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
                          "fill=\"%s\" text-anchor=\"%s\">%s</text>\n",
                          p.x, p.y, p.color, left ? p.x - 7 : p.x + 7, ly, p.color,
                          left ? "end" : "start", p.label);
  }
  // The legend, outside the plot.
  const double lx = kLeft + pw + 24;
  absl::StrAppendFormat(&out, "<text x=\"%.1f\" y=\"%.1f\" font-weight=\"bold\">variant: max "
                        "(benchmark at the peak)</text>\n", lx, kTop + 4);
  for (size_t i = 0; i < run.variants.size(); ++i) {
    const VariantResult& v = run.variants[i];
    const char* color = kColors[i % (sizeof kColors / sizeof kColors[0])];
    const double ly = kTop + 26 + 34.0 * i;
    absl::StrAppendFormat(&out,
                          "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                          "stroke-width=\"3\"/><text x=\"%.1f\" y=\"%.1f\">%s: %d</text>"
                          "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#555\">%s</text>\n",
                          lx, ly, lx + 20, ly, color, lx + 26, ly + 4, v.variant, v.max_go_vmas,
                          lx + 26, ly + 17,
                          v.max_at_benchmark.empty() ? "" : v.max_at_benchmark.c_str());
  }
  absl::StrAppend(&out, "</svg>\n");
  return out;
}

absl::StatusOr<SvgScale> ParseSvgScale(absl::string_view name) {
  if (name == "auto") return SvgScale::kAuto;
  if (name == "linear") return SvgScale::kLinear;
  if (name == "log") return SvgScale::kLog;
  return absl::InvalidArgumentError(
      absl::StrCat("--svg_y=\"", name, "\": unknown scale (accepted: auto, linear, log)"));
}

}  // namespace thp
