#include "bench/calibrate/calibrate_report.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench/calibrate/nearest_rank.h"
#include "bench/report/result_fields.h"

namespace thp {
namespace calibrate {
namespace {

constexpr const char* kCallers[3] = {"small", "large", "stack"};

std::string Pair(uint64_t m, uint64_t r) { return absl::StrCat(m, "/", r); }
std::string SignedPair(int64_t m, int64_t r) { return absl::StrCat(m, "/", r); }

std::string Hist(const SizeHistogram& h) { return absl::StrJoin(h, "|"); }

std::string JsonHist(const SizeHistogram& h) {
  std::vector<std::string> parts;
  for (int b = 0; b < kSizeBins; ++b) parts.push_back(absl::StrCat("\"", SizeBinName(b), "\": ", h[b]));
  return absl::StrCat("{", absl::StrJoin(parts, ", "), "}");
}

std::string JsonTally(const Tally& t) {
  return absl::StrCat(
      "{\"allocs\": {\"small\": ", t.allocs[0], ", \"large\": ", t.allocs[1], ", \"stack\": ",
      t.allocs[2], "}, \"alloc_pages\": {\"small\": ", t.alloc_pages[0], ", \"large\": ",
      t.alloc_pages[1], ", \"stack\": ", t.alloc_pages[2], "}, \"alloc_hist_pages\": ",
      JsonHist(t.alloc_hist), ", \"frees\": ", t.frees, ", \"free_pages\": ", t.free_pages,
      ", \"gc_cycles\": ", t.gc_cycles, ", \"heap_marked_sum\": ", t.heap_marked,
      ", \"scavenge_passes\": ", t.scavenge_passes,
      ", \"releases\": ", t.releases, ", \"released_pages\": ", t.released_pages,
      ", \"release_hist_pages\": ", JsonHist(t.release_hist),
      ", \"stale_now_releases\": ", t.stale_now_releases,
      ", \"stale_release_hist_pages\": ", JsonHist(t.stale_release_hist), ", \"hugepage_calls\": ",
      t.hugepage_calls, ", \"nohugepage_calls\": ", t.nohugepage_calls,
      ", \"outliving_spans\": ", t.outliving_spans,
      ", \"free_spans_at_start_pages\": ", JsonHist(t.free_spans_at_start),
      ", \"background_marks\": ",
      t.marks.size(), ", \"mark_us_median\": ", t.mark_us_quantile(0.5),
      ", \"mark_us_p90\": ", t.mark_us_quantile(0.9),
      ", \"mark_grow_kib_median\": ", t.mark_grow_kib_quantile(0.5),
      ", \"mark_grow_kib_p90\": ", t.mark_grow_kib_quantile(0.9),
      ", \"marks_past_pacer_floor\": ", t.marks_past_pacer_floor(), "}");
}

std::string JsonMadvise(const MadviseTimer& t) {
  std::vector<std::string> parts;
  for (const auto& [name, advice] : {std::pair<const char*, Advice>{"nohugepage", Advice::kNoHugePage},
                                     {"dontneed", Advice::kDontNeed},
                                     {"hugepage", Advice::kHugePage}}) {
    const MadviseTimes m = t.Times(advice);
    parts.push_back(absl::StrFormat(
        "\"%s\": {\"calls\": %d, \"median_ns\": %d, \"max_ns\": %d, \"total_ns\": %d}", name,
        m.calls, m.median_ns, m.max_ns, m.total_ns));
  }
  return absl::StrCat("{", absl::StrJoin(parts, ", "), "}");
}

std::string JsonRounds(const SysmonRounds& r) {
  return absl::StrFormat("{\"rounds\": %d, \"median_ns\": %d, \"p90_ns\": %d, \"mean_ns\": %d}",
                         r.rounds, r.median_ns, r.p90_ns, r.mean_ns);
}

std::string JsonSweepLockWaits(const SweepLockWaits& w) {
  return absl::StrFormat(
      "{\"passes_in_sweep\": %d, \"waited\": %d, \"mid_burst\": %d, \"mid_burst_waited\": %d, "
      "\"just_after\": %d, \"next_after\": %d}",
      w.passes_in_sweep, w.waited, w.mid_burst, w.mid_burst_waited, w.just_after, w.next_after);
}

std::string JsonDispersion(const WaitDispersion& d) {
  return absl::StrFormat(
      "{\"benchmarks\": %d, \"rate\": %.6f, \"chi_square\": %.3f, \"simulations\": %d, "
      "\"p_value\": %.4f}",
      d.benchmarks, d.rate, d.chi_square, d.simulations, d.p_value);
}

std::string JsonOvershoots(const GcStartOvershoots& o) {
  return absl::StrFormat(
      "{\"cycles\": %d, \"far\": %d, \"far_without_sweep\": %d, "
      "\"others_without_sweep\": %d, \"median_bytes\": %d, \"p90_bytes\": %d}",
      o.bytes.size(), o.far, o.far_without_sweep, o.others_without_sweep, o.Quantile(0.5),
      o.Quantile(0.9));
}

std::string JsonStalls(const CycleEndStalls& s) {
  const std::vector<int64_t> closed = s.StallsClosedByFree();
  const std::vector<int64_t> first_free = s.ClosedByFree();
  return absl::StrFormat(
      "{\"cycles\": %d, \"stalled\": %d, \"closed_by_free\": %d, "
      "\"closed_by_free_median_ns\": %d, \"first_free_median_ns\": %d}",
      s.cycles(), s.Stalled(), closed.size(),
      closed.empty() ? 0 : NearestRankOfSorted(closed, 0.5),
      first_free.empty() ? 0 : NearestRankOfSorted(first_free, 0.5));
}

std::string JsonRow(const BenchRow& r) {
  std::vector<std::string> runs;
  for (const RecordedRun& run : r.runs) runs.push_back(absl::StrFormat("[%d, %.3f]", run.n, run.ns_per_op));
  return absl::StrFormat(
      "{\"benchmark\": %s, \"distance\": %.6f, \"ratio\": %.6f, \"count_gap\": %.6f, "
      "\"tvd\": %.6f, \"others_ratio\": %.6f, \"others_tvd\": %.6f, "
      "\"free_spans_at_start_tvd\": %.6f, \"model_max_go_vmas\": %d, "
      "\"runs\": [%s], \"model\": %s, \"real\": %s, \"real_madvise_calls\": %s, "
      "\"sweep_lock_waits\": {\"model\": %s, \"real\": %s}, "
      "\"cycle_end_stalls\": {\"model\": %s, \"real\": %s}}",
      JsonString(r.name), r.gap.distance, r.gap.ratio, r.gap.count_gap, r.gap.tvd,
      r.others_gap.ratio, r.others_gap.tvd,
      TotalVariation(r.model.free_spans_at_start, r.real.free_spans_at_start),
      r.model_max_go_vmas, absl::StrJoin(runs, ", "), JsonTally(r.model), JsonTally(r.real),
      JsonMadvise(r.real_madvise), JsonSweepLockWaits(r.model_sweep_lock_waits),
      JsonSweepLockWaits(r.real_sweep_lock_waits), JsonStalls(r.model_cycle_end_stalls),
      JsonStalls(r.real_cycle_end_stalls));
}

std::vector<std::string> CsvTallyHeader(const std::string& side) {
  std::vector<std::string> h;
  for (const char* c : kCallers) h.push_back(absl::StrCat(side, "_allocs_", c));
  for (const char* c : kCallers) h.push_back(absl::StrCat(side, "_alloc_pages_", c));
  for (int b = 0; b < kSizeBins; ++b) h.push_back(absl::StrCat(side, "_alloc_hist_", SizeBinName(b)));
  for (const char* f : {"frees", "free_pages", "gc_cycles", "scavenge_passes", "releases",
                        "released_pages", "stale_now_releases"}) {
    h.push_back(absl::StrCat(side, "_", f));
  }
  for (int b = 0; b < kSizeBins; ++b) h.push_back(absl::StrCat(side, "_release_hist_", SizeBinName(b)));
  for (int b = 0; b < kSizeBins; ++b) {
    h.push_back(absl::StrCat(side, "_stale_release_hist_", SizeBinName(b)));
  }
  h.push_back(absl::StrCat(side, "_hugepage_calls"));
  h.push_back(absl::StrCat(side, "_nohugepage_calls"));
  h.push_back(absl::StrCat(side, "_heap_marked_sum"));
  h.push_back(absl::StrCat(side, "_outliving_spans"));
  for (int b = 0; b < kSizeBins; ++b) {
    h.push_back(absl::StrCat(side, "_free_spans_at_start_", SizeBinName(b)));
  }
  for (const char* f : {"background_marks", "mark_us_median", "mark_us_p90",
                        "mark_grow_kib_median", "mark_grow_kib_p90", "marks_past_pacer_floor"}) {
    h.push_back(absl::StrCat(side, "_", f));
  }
  return h;
}

std::vector<std::string> CsvTally(const Tally& t) {
  std::vector<std::string> v;
  for (uint64_t x : t.allocs) v.push_back(absl::StrCat(x));
  for (uint64_t x : t.alloc_pages) v.push_back(absl::StrCat(x));
  for (uint64_t x : t.alloc_hist) v.push_back(absl::StrCat(x));
  for (uint64_t x : {t.frees, t.free_pages, t.gc_cycles, t.scavenge_passes, t.releases,
                     t.released_pages, t.stale_now_releases}) {
    v.push_back(absl::StrCat(x));
  }
  for (uint64_t x : t.release_hist) v.push_back(absl::StrCat(x));
  for (uint64_t x : t.stale_release_hist) v.push_back(absl::StrCat(x));
  v.push_back(absl::StrCat(t.hugepage_calls));
  v.push_back(absl::StrCat(t.nohugepage_calls));
  v.push_back(absl::StrCat(t.heap_marked));
  v.push_back(absl::StrCat(t.outliving_spans));
  for (uint64_t x : t.free_spans_at_start) v.push_back(absl::StrCat(x));
  for (int64_t x : {static_cast<int64_t>(t.marks.size()), t.mark_us_quantile(0.5),
                    t.mark_us_quantile(0.9), t.mark_grow_kib_quantile(0.5),
                    t.mark_grow_kib_quantile(0.9),
                    static_cast<int64_t>(t.marks_past_pacer_floor())}) {
    v.push_back(absl::StrCat(x));
  }
  return v;
}

}  // namespace

void SortFurthestFirst(std::vector<BenchRow>* rows) {
  for (BenchRow& r : *rows) {
    r.gap = ReleaseGap(r.model, r.real);
    r.others_gap = OtherReleaseGap(r.model, r.real);
  }
  std::stable_sort(rows->begin(), rows->end(), [](const BenchRow& a, const BenchRow& b) {
    const uint64_t ma = std::max(a.model.releases, a.real.releases);
    const uint64_t mb = std::max(b.model.releases, b.real.releases);
    return std::make_tuple(-a.gap.distance, -static_cast<int64_t>(ma), a.name) <
           std::make_tuple(-b.gap.distance, -static_cast<int64_t>(mb), b.name);
  });
}

BenchRow SuiteRow(const std::vector<BenchRow>& rows) {
  BenchRow s;
  s.name = "(suite)";
  for (const BenchRow& r : rows) {
    s.model += r.model;
    s.real += r.real;
    s.model_max_go_vmas = std::max(s.model_max_go_vmas, r.model_max_go_vmas);
    s.real_madvise.Merge(r.real_madvise);
    s.model_sweep_lock_waits += r.model_sweep_lock_waits;
    s.real_sweep_lock_waits += r.real_sweep_lock_waits;
    s.model_cycle_end_stalls += r.model_cycle_end_stalls;
    s.real_cycle_end_stalls += r.real_cycle_end_stalls;
  }
  s.gap = ReleaseGap(s.model, s.real);
  s.others_gap = OtherReleaseGap(s.model, s.real);
  return s;
}

int SameOutlivingSpans(const std::vector<BenchRow>& rows) {
  return static_cast<int>(std::count_if(rows.begin(), rows.end(), [](const BenchRow& r) {
    return r.model.outliving_spans == r.real.outliving_spans;
  }));
}

int SameFreeSpansAtStart(const std::vector<BenchRow>& rows) {
  return static_cast<int>(std::count_if(rows.begin(), rows.end(), [](const BenchRow& r) {
    return r.model.free_spans_at_start == r.real.free_spans_at_start;
  }));
}

std::string SuiteLine(const CalibrateReport& rep) {
  const BenchRow& s = rep.suite;
  const Tally& m = s.model;
  const Tally& r = s.real;
  return absl::StrFormat(
      "suite (%d benchmarks, %s): releases model %d / real %d (ratio %.2f, count gap %.3f), "
      "of them stale-now %d / %d, the others %d / %d (ratio %.2f, tvd %.3f), "
      "release sizes in pages 1|2|3-4|5-8|9-32|33-256|>256 model %s / real %s (tvd %.3f), "
      "distance %.3f; GC cycles %d / %d, scavenge passes %d / %d, span allocs "
      "small|large|stack %d|%d|%d / %d|%d|%d, frees %d / %d, HUGEPAGE %d / %d, NOHUGEPAGE "
      "%d / %d; spans outliving the next benchmark %d / %d (the same count in %d of the "
      "benchmarks); free spans at the benchmarks' starts, summed, by size in pages "
      "1|2|3-4|5-8|9-32|33-256|>256 model %s / real %s (tvd %.3f; the same histogram in %d of "
      "the benchmarks); background cycles' concurrent phase (gc_start to mark termination) "
      "%d / %d, median %d / %d us (90th percentile %d / %d), median heap growth in it %d / %d "
      "KiB (90th percentile %d / %d); max Go-equivalent VMAs (model only) %d",
      rep.rows.size(), rep.variant, m.releases, r.releases, s.gap.ratio, s.gap.count_gap,
      m.stale_now_releases, r.stale_now_releases, m.releases - m.stale_now_releases,
      r.releases - r.stale_now_releases,
      s.others_gap.ratio, s.others_gap.tvd,
      Hist(m.release_hist), Hist(r.release_hist), s.gap.tvd, s.gap.distance, m.gc_cycles,
      r.gc_cycles, m.scavenge_passes, r.scavenge_passes, m.allocs[0], m.allocs[1], m.allocs[2],
      r.allocs[0], r.allocs[1], r.allocs[2], m.frees, r.frees, m.hugepage_calls, r.hugepage_calls,
      m.nohugepage_calls, r.nohugepage_calls, m.outliving_spans, r.outliving_spans,
      SameOutlivingSpans(rep.rows), Hist(m.free_spans_at_start), Hist(r.free_spans_at_start),
      TotalVariation(m.free_spans_at_start, r.free_spans_at_start), SameFreeSpansAtStart(rep.rows),
      m.marks.size(), r.marks.size(), m.mark_us_quantile(0.5),
      r.mark_us_quantile(0.5), m.mark_us_quantile(0.9), r.mark_us_quantile(0.9),
      m.mark_grow_kib_quantile(0.5), r.mark_grow_kib_quantile(0.5),
      m.mark_grow_kib_quantile(0.9), r.mark_grow_kib_quantile(0.9), s.model_max_go_vmas);
}

std::string FormatTable(const CalibrateReport& rep) {
  std::string out = absl::StrFormat(
      "# calibrate: model (variant %s, sim kernel %s, GOMAXPROCS %d, scavenge=%d, timings %s, "
      "benchtime %s, loop slice %d us, mark share seed %d, sweep wait seed %d, cpu scale %.2f%s) "
      "beside Go 1.5.1's log %s (build %s)\n"
      "# each cell model/real; distance = max(|ln release ratio|, release-size tvd), furthest "
      "first; stale: releases of spans freed after the pass read its clock "
      "(bench/calibrate/stale_release.h); outlive: spans the benchmark took still in use when "
      "the next one ended (bench/calibrate/outliving_spans.h); mark_us, grow_kib: background "
      "cycles' median length from gc_start to mark termination and median heap growth in it "
      "(bench/calibrate/mark_phases.h); vmas: the model's max Go-equivalent VMAs (the log has "
      "none)\n",
      rep.variant, rep.kernel_profile, rep.gomaxprocs, rep.scavenge_debug ? 1 : 0,
      rep.timings_file.empty() ? "the log's own runs" : rep.timings_file, rep.benchtime,
      rep.loop_slice_us, rep.mark_share_seed, rep.sweep_wait_seed, rep.cpu_scale,
      rep.cpu_scale_auto ? " (from the timings)" : "", rep.real_path,
      rep.build.empty() ? "?" : rep.build);
  const std::vector<std::string> header = {
      "benchmark", "distance", "releases", "stale", "ratio", "tvd", "rel_pages", "small",
      "large",     "stack",    "frees",    "gc",    "marked_kib", "scav", "huge", "nohuge",
      "outlive",   "mark_us", "grow_kib", "vmas"};
  std::vector<std::vector<std::string>> cells = {header};
  auto add = [&cells](const BenchRow& r) {
    const Tally& m = r.model;
    const Tally& t = r.real;
    cells.push_back({r.name, absl::StrFormat("%.3f", r.gap.distance), Pair(m.releases, t.releases),
                     Pair(m.stale_now_releases, t.stale_now_releases),
                     absl::StrFormat("%.2f", r.gap.ratio), absl::StrFormat("%.3f", r.gap.tvd),
                     Pair(m.released_pages, t.released_pages), Pair(m.allocs[0], t.allocs[0]),
                     Pair(m.allocs[1], t.allocs[1]), Pair(m.allocs[2], t.allocs[2]),
                     Pair(m.frees, t.frees), Pair(m.gc_cycles, t.gc_cycles),
                     Pair(m.mean_marked_kib(), t.mean_marked_kib()),
                     Pair(m.scavenge_passes, t.scavenge_passes),
                     Pair(m.hugepage_calls, t.hugepage_calls),
                     Pair(m.nohugepage_calls, t.nohugepage_calls),
                     Pair(m.outliving_spans, t.outliving_spans),
                     SignedPair(m.mark_us_quantile(0.5), t.mark_us_quantile(0.5)),
                     SignedPair(m.mark_grow_kib_quantile(0.5), t.mark_grow_kib_quantile(0.5)),
                     absl::StrCat(r.model_max_go_vmas)});
  };
  for (const BenchRow& r : rep.rows) add(r);
  add(rep.suite);
  std::vector<size_t> width(header.size(), 0);
  for (const auto& row : cells) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (size_t k = 0; k < cells.size(); ++k) {
    std::string line;
    for (size_t i = 0; i < cells[k].size(); ++i) {
      if (i == 0) {
        absl::StrAppend(&line, cells[k][i], std::string(width[i] - cells[k][i].size(), ' '));
      } else {
        absl::StrAppend(&line, "  ", std::string(width[i] - cells[k][i].size(), ' '), cells[k][i]);
      }
    }
    absl::StrAppend(&out, line, "\n");
  }
  if (!rep.not_in_log.empty()) {
    absl::StrAppend(&out, "# not in the log, not compared: ", rep.not_in_log.size(), " benchmarks (",
                    rep.not_in_log.front(), rep.not_in_log.size() > 1 ? " ..." : "", ")\n");
  }
  absl::StrAppend(&out, SuiteLine(rep), "\n");
  return out;
}

std::string FormatJson(const CalibrateReport& rep) {
  std::vector<std::string> rows;
  for (const BenchRow& r : rep.rows) rows.push_back(JsonRow(r));
  std::vector<std::string> missing;
  for (const std::string& n : rep.not_in_log) missing.push_back(JsonString(n));
  return absl::StrFormat(
      "{\"tool\": \"calibrate\", \"distance\": \"max(|ln(release ratio)|, release-size tvd); "
      "bench/calibrate/gap.h\", \"real\": %s, \"build\": %s, \"variant\": %s, \"kernel\": \"sim\", "
      "\"kernel_profile\": %s, \"gomaxprocs\": %d, \"scavenge_debug\": %s, \"timings_file\": %s, "
      "\"benchtime\": %s, \"loop_slice_us\": %d, \"mark_share_seed\": %d, "
      "\"sweep_wait_seed\": %d, "
      "\"cpu_scale\": %.2f, \"cpu_scale_auto\": %s, "
      "\"workloads\": %s, \"size_bins_pages\": [\"1\", \"2\", \"3-4\", \"5-8\", \"9-32\", "
      "\"33-256\", \">256\"], \"real_scavenge_waits\": {\"passes\": %d, \"median_ns\": %d, "
      "\"over_100us\": %d, \"max_ns\": %d, \"stale_passes\": %d, \"long_wait_stale_passes\": %d, "
      "\"long_wait_stale_releases\": %d}, "
      "\"real_sysmon_rounds\": {\"all\": %s, \"every_p_busy\": %s, \"note_sleeps\": %s, "
      "\"others\": %s}, "
      "\"model_overshoot_ns\": {\"capped_mean\": %d, \"capped_every_p_busy\": %d, \"usleep\": %d, "
      "\"note_timeout\": %d}, "
      "\"sweep_lock_waits\": {\"real\": %s, "
      "\"real_dispersion\": %s, "
      "\"model\": %s, \"model_dispersion\": %s, \"model_passes_per_late_clock\": %d, "
      "\"model_mid_sweep_passes_per_wait\": %d}, "
      "\"gc_start_overshoot\": {\"far_bytes\": %d, \"real\": %s, \"model\": %s}, "
      "\"cycle_end_stalls\": {\"stall_ns\": %d, \"real\": %s, \"model\": %s, "
      "\"model_cycle_ends_per_stall\": %d}, "
      "\"wall_seconds\": %.3f, \"suite\": %s, \"not_in_log\": [%s], "
      "\"benchmarks\": [\n  %s\n]}\n",
      JsonString(rep.real_path), JsonString(rep.build), JsonString(rep.variant),
      JsonString(rep.kernel_profile), rep.gomaxprocs, rep.scavenge_debug ? "true" : "false",
      JsonString(rep.timings_file), JsonString(rep.benchtime), rep.loop_slice_us,
      rep.mark_share_seed, rep.sweep_wait_seed, rep.cpu_scale,
      rep.cpu_scale_auto ? "true" : "false",
      JsonString(rep.workloads),
      rep.real_scavenge_waits.passes, rep.real_scavenge_waits.median_ns,
      rep.real_scavenge_waits.over_100us, rep.real_scavenge_waits.max_ns,
      rep.real_scavenge_waits.stale_passes, rep.real_scavenge_waits.long_wait_stale_passes,
      rep.real_scavenge_waits.long_wait_stale_releases,
      JsonRounds(rep.real_sysmon_rounds), JsonRounds(rep.real_sysmon_rounds_every_p_busy),
      JsonRounds(rep.real_sysmon_rounds_note_sleeps), JsonRounds(rep.real_sysmon_rounds_others),
      CappedOvershootMeanNs(rep.model_sysmon),
      rep.model_sysmon.capped_overshoot_every_p_busy_ns, rep.model_sysmon.usleep_overshoot_ns,
      rep.model_sysmon.note_timeout_overshoot_ns,
      JsonSweepLockWaits(rep.real_sweep_lock_waits),
      JsonDispersion(rep.real_sweep_lock_wait_dispersion),
      JsonSweepLockWaits(rep.model_sweep_lock_waits),
      JsonDispersion(rep.model_sweep_lock_wait_dispersion),
      rep.model_sweep_passes_per_late_clock, rep.model_mid_sweep_passes_per_lock_wait,
      kFarOvershootBytes, JsonOvershoots(rep.real_gc_start_overshoots),
      JsonOvershoots(rep.model_gc_start_overshoots), kCycleEndStallNs,
      JsonStalls(rep.real_cycle_end_stalls), JsonStalls(rep.model_cycle_end_stalls),
      rep.model_cycle_ends_per_stall,
      rep.wall_seconds,
      JsonRow(rep.suite),
      absl::StrJoin(missing, ", "), absl::StrJoin(rows, ",\n  "));
}

std::string FormatCsv(const CalibrateReport& rep) {
  std::vector<std::string> header = {"benchmark", "distance", "ratio", "count_gap", "tvd",
                                     "model_max_go_vmas"};
  for (const std::string& h : CsvTallyHeader("model")) header.push_back(h);
  for (const std::string& h : CsvTallyHeader("real")) header.push_back(h);
  std::string out = absl::StrCat(absl::StrJoin(header, ","), "\n");
  auto add = [&out](const BenchRow& r) {
    std::vector<std::string> v = {r.name, absl::StrFormat("%.6f", r.gap.distance),
                                  absl::StrFormat("%.6f", r.gap.ratio),
                                  absl::StrFormat("%.6f", r.gap.count_gap),
                                  absl::StrFormat("%.6f", r.gap.tvd),
                                  absl::StrCat(r.model_max_go_vmas)};
    for (const std::string& x : CsvTally(r.model)) v.push_back(x);
    for (const std::string& x : CsvTally(r.real)) v.push_back(x);
    absl::StrAppend(&out, absl::StrJoin(v, ","), "\n");
  };
  for (const BenchRow& r : rep.rows) add(r);
  add(rep.suite);
  return out;
}

}  // namespace calibrate
}  // namespace thp
