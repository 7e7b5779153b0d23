// bench/calibrate: the modelled Go 1.5 suite beside Go 1.5.1's own, one
// benchmark at a time (issue 13, item 1). Runs the suite's benchmarks
// through the ported runtime on the simulated kernel, as vma_repro's child
// does (same variant, GOMAXPROCS, GODEBUG=scavenge and GOGC as the log's
// config), each benchmark making the runs the log's benchmark made, each
// b.N at the ns/op its timer measured (recorded_runs.h), and counts what
// the port decided per benchmark with an observer that only reads
// (model_observer.h), and counts the same things in a heap-event log
// recorded from Go 1.5.1's runtime (real_tally.h, format
// tools/go151/FORMAT.md), with the same Tally (tally.h).
//
//   bazel run -c opt //bench:calibrate -- --real=$PWD/testdata/go151_heaplog/prefix.hlog.xz
//       [--workloads=REGEX] [--variant=prefix|fixed] [--benchtime=1s] [--json_out=F]
//       [--csv_out=F] [--model_events_out=F] [--cpu_scale=auto|X]   (one line)
//   bazel run -c opt //bench:calibrate -- --real=LOG --timings_out=TSV
//   bazel run -c opt //bench:calibrate -- --real=LOG --summary_out=TSV
//
// --model_events_out writes the modelled run's heap records as text
// (model_event_order.h), beside which //tools:heap_log_dump prints Go's.
//
// --real is a log (raw or xz) or a directory: there the log of the variant
// (--variant, default prefix): <variant>.hlog.xz, <variant>.hlog, or the one
// file <variant>_*.hlog.xz (fixed_to_CallClosure3.hlog.xz). The variant
// must be the build the log was recorded with (its config); it defaults to
// it.
//
// How far apart a benchmark's two runs are (gap.h, kept stable):
//   distance = max(|ln(release ratio)|, tvd of the release-size histograms)
// where the release ratio is max(m/r, r/m) of the modelled (m) and real (r)
// sysUnused counts (n + 1 when one side has none and the other n; 1 when
// both have none), and the histograms bin sizes in 8 KiB heap pages as 1,
// 2, 3-4, 5-8, 9-32, 33-256, >256 (tvd 0 when neither side released, 1 when
// one did not). Benchmarks print furthest apart first (ties: the larger
// release count, then the name), then the whole suite's line: the same
// figures for the sums over the benchmarks compared.
//
// --timings_file=TSV drives the model with another run's timings (final
// b.N and ns/op, as vma_repro does: testing.B.launch's schedule on virtual
// time, ending at the file's final b.N at benchtime 1s) instead: the comparison is then with a run that went at
// another speed, which moves GC counts and what the scavenger finds idle.
// --cpu_scale=auto (the default) scales the modelled runtime's own work by
// the speed of the timings the model runs at, the log's own or the file's,
// against the recorded run's (bench/workloads/cpu_scale.h): 1.00 for the
// recorded log. --timings_out writes the log's own timings in the file's
// columns and stops; --summary_out writes the log's own figures by
// benchmark (the real side alone) and stops.
//
// Only benchmarks that --workloads picks and that the log holds complete
// (its bench_end seen) run and are compared; the others are named on
// stderr and in the JSON. The startup segment (runtime init, tests) is not
// compared. Max VMAs are the model's only (Go-equivalent, census_kernel.h):
// the log records no VMA count. The outliving spans (outliving_spans.h)
// count to the end of the next benchmark of each side's own run: with
// --workloads, the model's next is the next one picked, Go's the next one
// in its log.
//
// The JSON's rows also give each benchmark's sysmon passes inside a sweep
// (sweep_lock_waits.h) and its cycle ends (cycle_end_stalls.h), model and
// real, whatever its loop; the whole-suite blocks beside them count only
// the benchmarks their rules pick (a P left idle; for the cycle ends, a
// sweep free closing most windows too).
//
// Progress goes to stderr (--quiet silences it), the table to stdout.
// Exit status: 0; 2 for bad flags or a log that cannot be read (one line).
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/calibrate/calibrate_report.h"
#include "bench/calibrate/cycle_end_stalls.h"
#include "bench/calibrate/gc_start_overshoot.h"
#include "bench/calibrate/model_event_order.h"
#include "bench/calibrate/model_observer.h"
#include "bench/calibrate/real_tally.h"
#include "bench/calibrate/sweep_lock_waits.h"
#include "bench/calibrate/sysmon_round_kinds.h"
#include "bench/calibrate/sysmon_rounds.h"
#include "bench/harness/cli.h"
#include "bench/harness/kernel_choice.h"
#include "bench/harness/loop_slice.h"
#include "bench/harness/model_seeds.h"
#include "bench/harness/outputs.h"
#include "bench/harness/progress.h"
#include "bench/vma_repro/suite_runner.h"
#include "bench/workloads/cpu_scale.h"
#include "bench/workloads/go15_suite.h"
#include "mheap/go15/events/benchmark_split.h"
#include "mheap/go15/events/heap_event_log.h"
#include "mheap/heap_runtime/go15_heap_runtime.h"
#include "runtime_port/base/file_io.h"
#include "runtime_port/mem_linux/huge_page_policy.h"
#include "scavenger/sysmon.h"

ABSL_FLAG(std::string, real, "",
          "Go 1.5.1's heap-event log (tools/go151/FORMAT.md; raw or xz), or a directory holding "
          "<variant>.hlog.xz or <variant>_*.hlog.xz; required");
ABSL_FLAG(std::string, workloads, "", "compare only the benchmarks whose name matches this regex");
ABSL_FLAG(std::string, variant, "",
          "the modelled variant; must be the build the log was recorded with (default: that "
          "build; with a directory, prefix)");
ABSL_FLAG(std::string, timings_file, "",
          "drive the virtual clock with these recorded timings (run order, final b.N, ns/op; "
          "e.g. testdata/go15_runtime_bench_ns_per_op.tsv) and launch's schedule, ending at the "
          "file's final b.N at benchtime 1s; default: "
          "the runs of the log itself, each b.N as long as its wall time in the log, the "
          "model's sleeps taken out of its ops");
ABSL_FLAG(std::string, benchtime, "1s",
          "with --timings_file only: go test -benchtime of the modelled run, the one the log was "
          "recorded with (1s for the full-suite logs, 20ms for the smoke logs)");
ABSL_FLAG(std::string, json_out, "", "write every figure as JSON here");
ABSL_FLAG(std::string, csv_out, "", "write one CSV row per benchmark and one for the suite here");
ABSL_FLAG(bool, quiet, false, "no progress lines on stderr");
ABSL_FLAG(std::string, cpu_scale, "auto",
          "how fast the modelled runtime's own work runs against the recorded run's machine "
          "(bench/workloads/cpu_scale.h): auto takes it from the timings the model runs at (the "
          "log's own or --timings_file's), or a number above 0");
ABSL_FLAG(std::string, timings_out, "",
          "write the log's timings here (run order, each benchmark's final b.N and ns/op as "
          "testing's timer measured them, in the columns --timings_file reads; one build, so the "
          "go151_fix columns repeat the go151 ones) and stop without modelling");
ABSL_FLAG(std::string, summary_out, "",
          "write the log's own figures by benchmark here (run order, a TSV: releases, the pages "
          "they released, background cycles with a mark termination, their median gc_start -> "
          "gc_mark_term in us, and the stale-now releases among the releases) and stop without "
          "modelling");
ABSL_FLAG(std::string, model_events_out, "",
          "write the modelled run's heap records here, one line each in heap_log_dump's text "
          "form, for a diff against Go's (bench/calibrate/model_event_order.h)");
ABSL_DECLARE_FLAG(std::string, kernel);

namespace thp {
namespace calibrate {
namespace {

// UniformRateDispersion's draws for the log's and the model's sweep lock
// waits: enough suites that its p_value is good to about 0.005, from a
// fixed seed so that the report is the same on every run.
constexpr int kDispersionSimulations = 10000;
constexpr uint64_t kDispersionSeed = 1;

// Adds a benchmark's cycle-end windows to `sum` where they count toward
// the stall rate (cycle_end_stalls.h): its loop leaves a P idle and its
// sweep freed a span first in at least half of them.
void AddStallsIfCounted(const Go15Benchmark& b, const CycleEndStalls& s, CycleEndStalls* sum) {
  if (b.loop != kEveryPBusy && s.FreesFirstMostly()) *sum += s;
}

// The sweep-lock counts (sweep_lock_waits.h) of the benchmarks in `run`
// whose loops leave a P idle (not kEveryPBusy, where bgsweep has no P of
// its own), waits[i] being run[i]'s (as far as `waits` goes): their sum, and
// how they fall across those benchmarks against one rate.
void WaitsWhereAPIsLeftIdle(const std::vector<const Go15Benchmark*>& run,
                            const std::vector<SweepLockWaits>& waits, SweepLockWaits* sum,
                            WaitDispersion* dispersion) {
  std::vector<SweepLockWaits> by_benchmark;
  for (size_t i = 0; i < run.size() && i < waits.size(); ++i) {
    if (run[i]->loop == kEveryPBusy) continue;
    *sum += waits[i];
    by_benchmark.push_back(waits[i]);
  }
  *dispersion = UniformRateDispersion(by_benchmark, kDispersionSimulations, kDispersionSeed);
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The log of `variant` in directory `dir` (see the file comment).
std::string LogInDirectoryOrExit(const std::string& dir, const std::string& variant) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str()); d != nullptr) {
    while (const dirent* e = readdir(d)) names.emplace_back(e->d_name);
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  for (const std::string& exact : {variant + ".hlog.xz", variant + ".hlog"}) {
    if (std::find(names.begin(), names.end(), exact) != names.end()) return dir + "/" + exact;
  }
  std::vector<std::string> partial;
  for (const std::string& n : names) {
    if (absl::StartsWith(n, variant + "_") && absl::EndsWith(n, ".hlog.xz")) partial.push_back(n);
  }
  if (partial.size() == 1) return dir + "/" + partial[0];
  ExitUsage(absl::StrCat("--real=", dir, ": ",
                         partial.empty() ? "holds no " : "holds more than one ", variant,
                         ".hlog.xz, ", variant, ".hlog or ", variant,
                         "_*.hlog.xz; name the log itself"));
}

// A segment's final ns/op by testing's timer (bench_end's ns over its
// b.N), for an ended segment with a b.N; nullopt for the others.
std::optional<double> TimerNsPerOp(const RealSegment& s) {
  if (!s.ended || s.end_n <= 0) return std::nullopt;
  return static_cast<double>(s.end_ns) / static_cast<double>(s.end_n);
}

// Each ended benchmark's TimerNsPerOp, in log order.
std::vector<BenchSpeed> SpeedsOfLog(const RealLog& log) {
  std::vector<BenchSpeed> out;
  for (const RealSegment& s : log.segments) {
    if (const std::optional<double> ns = TimerNsPerOp(s)) out.push_back(BenchSpeed{s.base, *ns});
  }
  return out;
}

// --timings_out: the log's timings as a timings file (bench_schedule.h).
int WriteLogTimings(const RealLog& log, const std::string& path, const std::string& out) {
  std::string text = absl::StrCat(
      "# Each benchmark's final b.N and ns/op (testing's timer: bench_end's ns over its n),\n"
      "# in run order, from ", path, "\n"
      "# (bench/calibrate --timings_out). One build: the go151_fix columns repeat the go151 ones.\n"
      "name\tN_go151\tns_per_op_go151\tN_go151_fix\tns_per_op_go151_fix\n");
  for (const RealSegment& s : log.segments) {
    const std::optional<double> per_op = TimerNsPerOp(s);
    if (!per_op.has_value()) continue;
    const std::string ns = absl::StrFormat("%.4f", *per_op);
    absl::StrAppend(&text, s.base, "\t", s.end_n, "\t", ns, "\t", s.end_n, "\t", ns, "\n");
  }
  return WriteOutputs("calibrate", "", {{"timings_out", out, [&text] { return text; }}});
}

// --summary_out: the real side's tallies by benchmark, as Go's log gives
// them (a log kept only as this summary can still be compared: the README's
// release-spread block reads the reruns' summaries).
int WriteLogSummary(const RealLog& log, const std::string& path, const std::string& out) {
  std::string text = absl::StrCat(
      "# By benchmark, in run order, from ", path, " (bench/calibrate --summary_out):\n"
      "# releases (sys_unused records), the pages they released, background cycles with a\n"
      "# mark termination and their median gc_start -> gc_mark_term in us (empty with none),\n"
      "# and the stale-now releases among the releases (bench/calibrate/stale_release.h).\n"
      "benchmark\treleases\treleased_pages\tbackground_cycles\tmark_us_median\tstale_now\n");
  for (const RealSegment& s : log.segments) {
    if (s.name == heaplog::kStartupSegment) continue;
    const Tally& t = s.tally;
    const std::string median = t.marks.empty() ? "" : absl::StrCat(t.mark_us_quantile(0.5));
    absl::StrAppend(&text, s.base, "\t", t.releases, "\t", t.released_pages, "\t",
                    t.marks.size(), "\t", median, "\t", t.stale_now_releases, "\n");
  }
  return WriteOutputs("calibrate", "", {{"summary_out", out, [&text] { return text; }}});
}

int Run() {
  const bool quiet = absl::GetFlag(FLAGS_quiet);
  if (absl::GetFlag(FLAGS_kernel) != "sim") {
    ExitUsage(absl::StrCat("--kernel=", absl::GetFlag(FLAGS_kernel),
                           ": calibrate models on the simulated kernel only (sim)"));
  }
  const KernelChoice kc = KernelChoiceFromFlags();
  std::string path = absl::GetFlag(FLAGS_real);
  if (path.empty()) {
    ExitUsage("--real is required (a heap-event log or a directory of them, e.g. "
              "testdata/go151_heaplog/prefix.hlog.xz)");
  }
  std::string variant = absl::GetFlag(FLAGS_variant);
  const std::vector<std::string> known = HugePagePolicyNames();
  if (!variant.empty() && std::find(known.begin(), known.end(), variant) == known.end()) {
    ExitUsage(absl::StrCat("--variant=", variant, ": expected one of ", absl::StrJoin(known, ", ")));
  }
  if (IsDirectory(path)) path = LogInDirectoryOrExit(path, variant.empty() ? "prefix" : variant);
  absl::StatusOr<std::vector<const Go15Benchmark*>> picked_or =
      PickGo15Benchmarks(absl::GetFlag(FLAGS_workloads));
  ExitIfError(picked_or.status());
  const std::vector<const Go15Benchmark*> picked = *std::move(picked_or);
  absl::Duration benchtime;
  const std::string bt = absl::GetFlag(FLAGS_benchtime);
  if (!absl::ParseDuration(bt, &benchtime) || benchtime <= absl::ZeroDuration() ||
      benchtime > absl::Hours(1)) {
    ExitUsage(absl::StrCat("--benchtime=", bt, ": expected a duration above 0, at most 1h (e.g. 1s, 20ms)"));
  }

  const std::string timings_path = absl::GetFlag(FLAGS_timings_file);
  std::vector<RecordedBenchmark> timings;
  if (!timings_path.empty()) {
    // As in vma_repro: the recorded file is also found in the binary's runfiles.
    absl::StatusOr<std::vector<RecordedBenchmark>> parsed = ReadBenchTimingsFile(timings_path);
    if (!parsed.ok()) ExitUsage(absl::StrCat("--timings_file=", timings_path, ": ", parsed.status().message()));
    timings = *std::move(parsed);
  }

  // The real side first: it says which benchmarks there are to compare.
  const Progress reading("calibrate", "real", quiet);
  absl::StatusOr<RealLog> real = TallyLogFile(path, nullptr);
  if (!real.ok()) ExitUsage(absl::StrCat("--real=", path, ": ", real.status().message()));
  if (real->lost > 0) {
    ExitUsage(absl::StrCat("--real=", path, ": the runtime dropped ", real->lost,
                           " records (a lost record), so its counts are not Go's"));
  }
  if (const std::string out = absl::GetFlag(FLAGS_timings_out); !out.empty()) {
    return WriteLogTimings(*real, path, out);
  }
  if (const std::string out = absl::GetFlag(FLAGS_summary_out); !out.empty()) {
    return WriteLogSummary(*real, path, out);
  }
  const std::string build = real->config.has_value() ? real->config->build : "";
  if (variant.empty()) variant = build;
  if (variant.empty()) ExitUsage(absl::StrCat("--variant: the log ", path, " names no build; give one"));
  if (!build.empty() && variant != build) {
    ExitUsage(absl::StrCat("--variant=", variant, ": the log ", path, " was recorded with build ",
                           build, "; calibrate compares a variant with its own recording"));
  }

  CalibrateReport rep;
  rep.real_path = path;
  rep.real_scavenge_waits = real->scavenge_waits;
  rep.build = build;
  rep.variant = variant;
  rep.kernel_profile = kc.profile;
  rep.timings_file = timings_path;
  rep.workloads = absl::GetFlag(FLAGS_workloads);
  SuiteOptions o;
  o.runtime.variant = variant;
  o.runtime.touch_memory = true;
  o.benchtime_ns = absl::ToInt64Nanoseconds(benchtime);
  o.loop_slice_ns = LoopSliceNsFromFlags();
  rep.loop_slice_us = o.loop_slice_ns / 1000;
  SetModelSeedsFromFlags(o.runtime);
  rep.mark_share_seed = o.runtime.mark_share_seed;
  rep.sweep_wait_seed = o.runtime.sweep_wait_seed;
  rep.benchtime = bt;
  {
    const bool own = timings_path.empty();  // the log's own runs
    absl::StatusOr<CpuScaleChoice> cpu = ChooseCpuScale(
        absl::GetFlag(FLAGS_cpu_scale),
        own ? SpeedsOfLog(*real) : SpeedsOf(timings, /*fix=*/false, 1.0),
        own ? "--real=" + path : "--timings_file=" + timings_path);
    ExitIfError(cpu.status());
    rep.cpu_scale = cpu->scale;
    rep.cpu_scale_auto = cpu->automatic;
    o.runtime.cpu_scale = rep.cpu_scale;
  }
  if (real->config.has_value()) {
    o.runtime.gomaxprocs = static_cast<int>(real->config->gomaxprocs);
    o.runtime.gogc = real->config->gcpercent < 0 ? "off" : absl::StrCat(real->config->gcpercent);
    o.scavenge_debug = real->config->debug_scavenge != 0;
  }
  rep.gomaxprocs = o.runtime.gomaxprocs;
  rep.scavenge_debug = o.scavenge_debug;

  // Benchmarks picked and held complete by the log, in the suite's order,
  // with the runs the log made of each.
  absl::flat_hash_map<std::string, Tally> real_by_name;
  absl::flat_hash_map<std::string, MadviseTimer> madvise_by_name;
  absl::flat_hash_map<std::string, std::vector<RecordedRun>> runs_by_name;
  absl::flat_hash_map<std::string, std::vector<SysmonRound>> rounds_by_name;
  absl::flat_hash_map<std::string, SweepLockWaits> sweep_waits_by_name;
  absl::flat_hash_map<std::string, GcStartOvershoots> overshoots_by_name;
  absl::flat_hash_map<std::string, CycleEndStalls> stalls_by_name;
  for (const RealSegment& s : real->segments) {
    if (!s.ended) continue;
    real_by_name[s.base] += s.tally;
    std::vector<SysmonRound>& rounds = rounds_by_name[s.base];
    rounds.insert(rounds.end(), s.sysmon_rounds.begin(), s.sysmon_rounds.end());
    sweep_waits_by_name[s.base] += s.sweep_lock_waits;
    overshoots_by_name[s.base] += s.gc_start_overshoots;
    stalls_by_name[s.base] += s.cycle_end_stalls;
    madvise_by_name[s.base].Merge(s.madvise);
    std::vector<RecordedRun>& runs = runs_by_name[s.base];
    runs.insert(runs.end(), s.runs.begin(), s.runs.end());
  }
  std::vector<const Go15Benchmark*> run;
  for (const Go15Benchmark* b : picked) {
    if (real_by_name.contains(b->name)) {
      run.push_back(b);
    } else {
      rep.not_in_log.push_back(b->name);
    }
  }
  for (const Go15Benchmark* b : run) {
    rep.real_gc_start_overshoots += overshoots_by_name[b->name];
    AddStallsIfCounted(*b, stalls_by_name[b->name], &rep.real_cycle_end_stalls);
  }
  if (run.empty()) {
    ExitUsage(absl::StrCat("--workloads=", rep.workloads, ": none of the ", picked.size(),
                           " benchmarks picked is in ", path));
  }
  {
    // sysmon's rounds during the compared benchmarks, by which of the
    // model's sleeps they stand for (sysmon_round_kinds.h).
    std::vector<int64_t> all;
    OvershootsByKind by_kind;
    for (const Go15Benchmark* b : run) {
      const SysmonRoundKinds kinds(*b);
      for (const SysmonRound& r : rounds_by_name[b->name]) {
        all.push_back(r.overshoot_ns);
        by_kind.Add(kinds.Of(r), r.overshoot_ns);
      }
    }
    rep.real_sysmon_rounds = SummarizeRounds(std::move(all));
    rep.real_sysmon_rounds_every_p_busy = SummarizeRounds(std::move(by_kind.every_p_busy));
    rep.real_sysmon_rounds_note_sleeps = SummarizeRounds(std::move(by_kind.note_sleeps));
    rep.real_sysmon_rounds_others = SummarizeRounds(std::move(by_kind.capped));
    rep.model_sysmon = SysmonOptions();
    // sysmon's passes inside a sweep where a P is left idle for bgsweep.
    std::vector<SweepLockWaits> waits;
    for (const Go15Benchmark* b : run) waits.push_back(sweep_waits_by_name[b->name]);
    WaitsWhereAPIsLeftIdle(run, waits, &rep.real_sweep_lock_waits,
                           &rep.real_sweep_lock_wait_dispersion);
    rep.model_sweep_passes_per_late_clock = Go15HeapRuntime::kSweepPassesPerLateClock;
    rep.model_mid_sweep_passes_per_lock_wait = Go15HeapRuntime::kMidSweepPassesPerLockWait;
    rep.model_cycle_ends_per_stall = Go15HeapRuntime::kCycleEndsPerParkStall;
  }
  if (timings_path.empty()) {
    for (const Go15Benchmark* b : run) {
      if (runs_by_name[b->name].empty()) {
        ExitUsage(absl::StrCat("--real=", path, ": ", b->name,
                               " has no timed run (bench_run ... bench_end); give --timings_file"));
      }
      o.benchmarks.push_back(ScheduledBenchmark{b, 0, runs_by_name[b->name]});
    }
  }
  // Every input is good from here on: progress lines may follow.
  reading.Line(absl::StrCat("read ", path, ": ", real->records, " records, ",
                            real_by_name.size(), " benchmarks complete"));
  if (!rep.not_in_log.empty() && !quiet) {
    std::fprintf(stderr, "calibrate: %zu of the %zu benchmarks picked are not (complete) in %s, "
                 "not compared: %s%s\n", rep.not_in_log.size(), picked.size(), path.c_str(),
                 absl::StrJoin(rep.not_in_log.begin(),
                               rep.not_in_log.begin() + std::min<size_t>(5, rep.not_in_log.size()), ", ")
                     .c_str(),
                 rep.not_in_log.size() > 5 ? ", ..." : "");
  }
  if (!timings_path.empty()) {
    absl::StatusOr<std::vector<ScheduledBenchmark>> scheduled =
        ScheduleBenchmarks(run, timings, /*fix=*/false, 1.0, o.benchtime_ns);
    if (!scheduled.ok()) ExitUsage(absl::StrCat("--timings_file=", timings_path, ": ", scheduled.status().message()));
    o.benchmarks = *std::move(scheduled);
  }
  o.profile = kc.profile;

  // The modelled side.
  std::vector<ModelSide> sides(run.size());
  TraceReplayer* replayer = nullptr;
  ModelObserver observer([&replayer] {
    return replayer->census().current().own + kGoStaticBinaryVmas;
  });
  // The census's own maximum covers the middle of kernel calls, which the
  // observer's reads between calls may miss: a benchmark during which it
  // rose reached it.
  ModelSide* side = nullptr;
  int64_t census_max_at_start = 0;
  // --model_events_out: the observer's records with their times, and each
  // benchmark's cycles.
  const std::string events_path = absl::GetFlag(FLAGS_model_events_out);
  std::FILE* events_file = nullptr;
  if (!events_path.empty()) {
    events_file = std::fopen(events_path.c_str(), "w");
    if (events_file == nullptr) {
      ExitUsage(absl::StrCat("--model_events_out=", events_path, ": cannot open for writing"));
    }
  }
  // The model's records in the log's order: read by the same sweep-lock
  // wait finder as Go's log (by benchmark index), and written out with
  // --model_events_out.
  std::unique_ptr<ModelEventText> text;
  if (events_file != nullptr) text = std::make_unique<ModelEventText>(events_file);
  SweepLockWaitFinder model_waits;
  GcStartOvershootFinder model_overshoots;
  CycleEndStallFinder model_stalls;
  ModelEventOrder records(
      [&](size_t benchmark, const heaplog::HeapEvent& e) {
        model_waits.Observe(benchmark, e);
        model_overshoots.Observe(benchmark, e);
        model_stalls.Observe(benchmark, e);
        if (text != nullptr) text->Write(e);
      },
      text != nullptr ? ModelEventOrder::Keep() : [](const heaplog::EventBody& b) {
        return SweepLockWaitFinder::Reads(b) || GcStartOvershootFinder::Reads(b) ||
               CycleEndStallFinder::Reads(b);
      });
  observer.set_tap(
      [&records, &replayer](const heaplog::EventBody& body) { records.Add(replayer->now_ns(), body); },
      [&records](const GcCycle& c) { records.AddCycle(c); });
  auto sync = [&] {
    observer.Sync(replayer->runtime().gc().cycles());
    const int64_t census_max = replayer->census().max_go_equivalent();
    if (side != nullptr && census_max > census_max_at_start) {
      side->max_go_vmas = std::max(side->max_go_vmas, census_max);
    }
    census_max_at_start = census_max;
  };
  o.on_start = [&](TraceReplayer& rep_) {
    replayer = &rep_;
    rep_.runtime().heap().set_observer(&observer);
    rep_.runtime().mem().set_observer(&observer);
    observer.set_arena_start(rep_.runtime().heap().layout().arena_start);
    sync();  // the startup's cycles and passes are not a benchmark's
  };
  o.on_run = [&records](TraceReplayer& rep_, int64_t n) {
    heaplog::BenchRun run;
    run.n = static_cast<uint64_t>(n);
    records.Add(rep_.now_ns(), run);
  };
  const Progress progress("calibrate", variant, quiet);
  o.progress = [&](const std::string& name, size_t i, size_t total) {
    sync();
    side = &sides[i];
    observer.set_side(side, i);
    records.StartBenchmark(replayer->now_ns(), absl::StrCat(name, "-", o.runtime.gomaxprocs),
                           o.runtime.gomaxprocs);
    progress.Line(absl::StrFormat("%d/%d %s", i + 1, total, name));
  };
  const absl::Time start = absl::Now();
  std::unique_ptr<Kernel> kernel = MakeKernelOrExit(kc);
  o.on_end = [&](TraceReplayer& rep_) {
    sync();
    side = nullptr;
    observer.set_side(nullptr, 0);
    rep_.runtime().heap().set_observer(nullptr);
    rep_.runtime().mem().set_observer(nullptr);
    replayer = nullptr;
  };
  RunSuite(*kernel, o, nullptr);
  rep.wall_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  records.Finish();
  if (text != nullptr && (!text->Finish() || std::fclose(events_file) != 0)) {
    ExitUsage(absl::StrCat("--model_events_out=", events_path, ": write failed"));
  }
  // The model's passes in a sweep and its cycle ends, by benchmark index.
  const std::vector<SweepLockWaits> model_waits_by_index = model_waits.Finish();
  const std::vector<CycleEndStalls> model_stalls_by_index = model_stalls.Finish();
  {
    // The model's passes in a sweep, read as Go's are, over the same
    // benchmarks (those whose loops leave a P idle).
    WaitsWhereAPIsLeftIdle(run, model_waits_by_index, &rep.model_sweep_lock_waits,
                           &rep.model_sweep_lock_wait_dispersion);
    // How far past their trigger the model's background cycles started,
    // over every compared benchmark, as Go's below.
    for (const GcStartOvershoots& o : model_overshoots.Finish()) rep.model_gc_start_overshoots += o;
    // The model's stalls at cycle ends, chosen as Go's are.
    for (size_t i = 0; i < run.size() && i < model_stalls_by_index.size(); ++i) {
      AddStallsIfCounted(*run[i], model_stalls_by_index[i], &rep.model_cycle_end_stalls);
    }
  }
  const std::vector<uint64_t> outlived = observer.FinishOutlivingSpans();
  for (size_t i = 0; i < sides.size() && i < outlived.size(); ++i) {
    sides[i].tally.outliving_spans = outlived[i];
  }

  for (size_t i = 0; i < run.size(); ++i) {
    BenchRow row;
    row.name = run[i]->name;
    row.model = sides[i].tally;
    row.real = real_by_name[row.name];
    row.model_max_go_vmas = sides[i].max_go_vmas;
    row.runs = o.benchmarks[i].runs;  // empty with --timings_file
    row.real_madvise = madvise_by_name[row.name];
    if (i < model_waits_by_index.size()) row.model_sweep_lock_waits = model_waits_by_index[i];
    row.real_sweep_lock_waits = sweep_waits_by_name[row.name];
    if (i < model_stalls_by_index.size()) row.model_cycle_end_stalls = model_stalls_by_index[i];
    row.real_cycle_end_stalls = stalls_by_name[row.name];
    rep.rows.push_back(std::move(row));
  }
  SortFurthestFirst(&rep.rows);
  rep.suite = SuiteRow(rep.rows);
  return WriteOutputs("calibrate", FormatTable(rep),
                      {{"json_out", absl::GetFlag(FLAGS_json_out), [&rep] { return FormatJson(rep); }},
                       {"csv_out", absl::GetFlag(FLAGS_csv_out), [&rep] { return FormatCsv(rep); }}});
}

}  // namespace
}  // namespace calibrate
}  // namespace thp

int main(int argc, char** argv) {
  // The model runs on the simulated kernel; --kernel_profile, --sim_thp and
  // --max_map_count choose its settings (kernel_choice.h).
  absl::SetFlag(&FLAGS_kernel, "sim");
  thp::ParseFlagsOrExit(argc, argv,
                        "Sets the modelled Go 1.5 suite beside Go 1.5.1's recorded heap events, "
                        "benchmark by benchmark.\n  calibrate --real=LOG_OR_DIR [--workloads=REGEX] "
                        "[--variant=prefix|fixed] [--json_out=F] [--csv_out=F]");
  return thp::calibrate::Run();
}
