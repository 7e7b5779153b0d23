// bench/vma_repro: the project's main job. Runs the Go 1.5 runtime package's
// 243 benchmarks, as heap workloads, through the ported heap, scavenger and
// each memory-layer variant under GODEBUG=scavenge=1, and reports the
// maximum VMA count per variant next to Go's own 692 (go1.5.1) and 49 (with
// 44078a3). Each variant runs on the heap its Go release had (--heap=auto:
// the Go 1.5 heap for none, prefix, fixed, fixed_batched; the Go 1.21 heap,
// mheap/go121, for the 1.21 variants); --heap=go15 or go121 puts every
// variant on one.
//
//   bazel run -c opt //bench:vma_repro -- --kernel=linux
//   bazel run -c opt //bench:vma_repro -- --kernel=sim --kernel_profile=linux2015
//       --variants=prefix,fixed --json_out=/tmp/r.json --svg_out=/tmp/r.svg   (one line)
//
// Each variant runs in a child process of its own (a fresh address space);
// the parent collects the children's results and prints a table and the
// headline line. The heap runs once per class of variants that take the
// same heap decisions (SameHeapDecisions, suite_runner.h): that child
// records the memory-layer stream (runtime_port/memstream), and the class's
// other variants replay it, with the figures a heap run of their own gives
// (--heap_runs=per_variant runs one per variant). The variants on the
// Go 1.21 heap form one class of their own. Progress goes to stderr (--quiet silences it). Under
// GODEBUG=gctrace=1 each child prints its heap's gc lines (Go 1.5's gc and
// scvg lines, or Go 1.21's gc lines), and under scavtrace=1 Go 1.21's scav
// lines, to its stderr, which the parent captures and relays whole when the child ends,
// under a line "# gctrace of variant V (kernel K[, profile P])"; --quiet
// does not silence them, as no flag of a Go benchmark does. Exit status:
// 0; 1 if a variant died of a fatal runtime error (its row says which; what
// it measured until then is still reported and written); 2 for bad flags
// or an output that cannot be written; 130/143 when SIGINT/SIGTERM stopped
// the run (the variants that finished are still reported and written, the
// others marked interrupted; README, "Exit statuses").
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "bench/harness/child_run.h"
#include "bench/harness/cli.h"
#include "bench/harness/fixed_layout.h"
#include "bench/harness/flag_range.h"
#include "bench/harness/heap_choice.h"
#include "bench/harness/kernel_choice.h"
#include "bench/harness/loop_slice.h"
#include "bench/harness/model_seeds.h"
#include "bench/harness/outputs.h"
#include "bench/harness/progress.h"
#include "bench/harness/runtime_env.h"
#include "bench/harness/variant_choice.h"
#include "bench/report/address_map.h"
#include "bench/report/heap_address_map.h"
#include "bench/report/repro_report.h"
#include "bench/vma_repro/suite_runner.h"
#include "bench/workloads/cpu_scale.h"
#include "bench/workloads/go15_suite.h"
#include "runtime_port/base/file_io.h"
#include "runtime_port/base/quote.h"
#include "runtime_port/mem_linux/huge_page_policy.h"
#include "scavenger/gctrace.h"

ABSL_FLAG(std::string, variants, "go",
          "comma-separated memory-layer variants; go = every variant mirroring a Go release that "
          "the kernel supports; all = those and this project's own (fixed_batched)");
ABSL_FLAG(std::string, workloads, "", "run only the benchmarks whose name matches this regex");
ABSL_FLAG(bool, list_workloads, false,
          "print the benchmark names (those --workloads picks) in run order and exit");
ABSL_FLAG(int, gomaxprocs, 2,
          "GOMAXPROCS of the modelled runtime (2: the recorded Go 1.5.1 run used 2 on a "
          "2-core machine); the GOMAXPROCS environment variable, when set, overrides it");
ABSL_FLAG(double, time_scale, 1.0, "multiplies every recorded ns/op (sensitivity to timing)");
THP_FLAG_RANGE(gomaxprocs, 1, 256);
THP_FLAG_RANGE_SAID(time_scale, 0, 1000, true, "a number above 0, at most 1000");
ABSL_FLAG(std::string, benchtime, "1s", "go test -benchtime (a duration, e.g. 1s, 100ms)");
ABSL_FLAG(std::string, timings, "go151",
          "recorded timings that drive the clock: go151 (as released) or fix (with 44078a3)");
ABSL_FLAG(std::string, timings_file, thp::kGo151TimingsFile,
          "the recorded Go 1.5.1 timings (run order, b.N, ns/op)");
ABSL_FLAG(std::string, cpu_scale, "auto",
          "how fast the Go 1.5 heap's runtime work (GC cycles, bgsweep) runs against the machine "
          "of the run it was measured in (bench/workloads/cpu_scale.h): auto takes it from the "
          "timings (the chosen column, times --time_scale), or a number above 0");
ABSL_FLAG(std::string, json_out, "", "write every figure as JSON here");
ABSL_FLAG(std::string, csv_out, "", "write one CSV row per variant here");
ABSL_FLAG(std::string, svg_out, "", "write the VMA count over virtual time as SVG here");
ABSL_FLAG(std::string, svg_y, "auto",
          "the SVG's y axis: linear, log, or auto (log when one variant's maximum is over ten "
          "times another's)");
ABSL_FLAG(std::string, trace_out, "",
          "write the suite's heap-event trace (bench/workloads/trace_format.h) here; the same for every "
          "variant, replayable with //bench:replay");
ABSL_FLAG(int, jobs, 0,
          "variants to run at the same time, each a child process (0: one per CPU)");
THP_FLAG_RANGE_SAID(jobs, 0, 16, false, "0 (one per CPU) to 16");
ABSL_FLAG(bool, quiet, false, "no progress lines on stderr");
ABSL_FLAG(std::string, map_svg_out, "",
          "write each variant's arena at its VMA peak (VMA flags over span states) as SVG here "
          "(runs the heap once per variant: the map draws span states)");
ABSL_FLAG(std::string, heap, "auto",
          "the heap the variants run on: auto (each on its Go release's: go15 for none, prefix, "
          "fixed, fixed_batched; go121 for hugepage_eager, collapse, try_collapse, disablethp), "
          "go15 (Go 1.5's, the 1.21 variants with Go 1.21's chunk rule) or go121 (Go 1.21's "
          "page allocator, object layer and background scavenger) for every variant");
ABSL_FLAG(std::string, heap_runs, "shared",
          "shared: run the heap once per class of variants that take the same heap decisions and "
          "drive the others with its memory-layer stream (the same figures, faster); per_variant: "
          "run the heap once per variant");
// Set by the parent on a child's command line.
ABSL_FLAG(std::string, child_record, "", "(internal) write the memory-layer stream here");
ABSL_FLAG(std::string, child_replay, "", "(internal) replay the memory-layer stream here");

namespace thp {
namespace {

struct Setup {
  KernelChoice kernel;
  std::vector<RecordedBenchmark> timings;
  std::vector<const Go15Benchmark*> benchmarks;  // what --workloads picked
  double time_scale = 1.0;
  std::string timings_name;  // --timings
  SvgScale svg_scale = SvgScale::kAuto;
  bool gctrace = false;  // GODEBUG gctrace > 0
  bool scavtrace = false;  // GODEBUG scavtrace > 0 (Go 1.21 heap runs only)
  bool heap_runs_shared = true;  // --heap_runs=shared
  HeapChoice heap;  // --heap
  SuiteOptions suite;
};

// Validates every flag (exit 2 naming the value) and builds the options
// shared by parent and children.
Setup SetupOrExit() {
  Setup s;
  s.kernel = KernelChoiceFromFlags();
  absl::StatusOr<SvgScale> svg_y = ParseSvgScale(absl::GetFlag(FLAGS_svg_y));
  if (!svg_y.ok()) ExitUsage(svg_y.status().message());
  s.svg_scale = *svg_y;
  const std::string timings_path = absl::GetFlag(FLAGS_timings_file);
  // The default is also found from outside the repository (the binary's
  // runfiles).
  absl::StatusOr<std::vector<RecordedBenchmark>> timings = ReadBenchTimingsFile(timings_path);
  if (!timings.ok()) {
    ExitUsage(absl::StrCat("--timings_file=", timings_path, ": ", timings.status().message()));
  }
  s.timings = *std::move(timings);

  absl::StatusOr<std::vector<const Go15Benchmark*>> picked =
      PickGo15Benchmarks(absl::GetFlag(FLAGS_workloads));
  if (absl::IsNotFound(picked.status())) {
    ExitUsage(absl::StrCat(picked.status().message(), " (see --list_workloads)"));
  }
  ExitIfError(picked.status());
  s.benchmarks = *std::move(picked);

  const double scale = absl::GetFlag(FLAGS_time_scale);
  absl::Duration benchtime;
  const std::string bt = absl::GetFlag(FLAGS_benchtime);
  if (!absl::ParseDuration(bt, &benchtime) || benchtime <= absl::ZeroDuration() ||
      benchtime > absl::Hours(1)) {
    ExitUsage(absl::StrCat("--benchtime=", bt, ": expected a duration above 0, at most 1h (e.g. 1s, 50ms)"));
  }
  const std::string which = absl::GetFlag(FLAGS_timings);
  if (which != "go151" && which != "fix") {
    ExitUsage(absl::StrCat("--timings=", which, ": expected go151 or fix"));
  }
  const std::string heap_runs = absl::GetFlag(FLAGS_heap_runs);
  if (heap_runs != "shared" && heap_runs != "per_variant") {
    ExitUsage(absl::StrCat("--heap_runs=", QuoteForError(heap_runs), ": expected shared or per_variant"));
  }
  s.heap_runs_shared = heap_runs == "shared";
  s.heap = HeapChoiceOrExit(absl::GetFlag(FLAGS_heap));

  // The environment a Go program reads; GODEBUG=scavenge=1 unless GODEBUG
  // says otherwise, because that is how Go measured 692 and 49.
  const RuntimeEnv env = RuntimeEnvOrExit("fixed", ScavengeDefault::kOn);
  s.suite.scavenge_debug = env.scavenge_debug;
  s.gctrace = env.debug.gctrace > 0;
  s.scavtrace = env.debug.scavtrace > 0;
  s.suite.runtime = env.options;
  s.suite.runtime.touch_memory = true;
  s.time_scale = scale;
  s.timings_name = which;
  s.suite.benchtime_ns = absl::ToInt64Nanoseconds(benchtime);
  s.suite.loop_slice_ns = LoopSliceNsFromFlags();
  SetModelSeedsFromFlags(s.suite.runtime);
  absl::StatusOr<std::vector<ScheduledBenchmark>> scheduled =
      ScheduleBenchmarks(s.benchmarks, s.timings, which == "fix", scale, s.suite.benchtime_ns);
  if (!scheduled.ok()) ExitUsage(absl::StrCat(timings_path, ": ", scheduled.status().message()));
  s.suite.benchmarks = *std::move(scheduled);
  absl::StatusOr<CpuScaleChoice> cpu = ChooseCpuScale(
      absl::GetFlag(FLAGS_cpu_scale), SpeedsOf(s.timings, which == "fix", scale), timings_path);
  ExitIfError(cpu.status());
  s.suite.runtime.cpu_scale = cpu->scale;
  s.suite.profile = s.kernel.profile;
  return s;
}


// The line above each child's relayed stderr under GODEBUG=gctrace=1. It
// starts with '#', which no line of Go's trace does.
std::string GctraceHeader(const std::string& variant, const KernelChoice& k) {
  return absl::StrCat("# gctrace of variant ", variant, " (kernel ", k.kernel,
                      k.kernel == "sim" ? absl::StrCat(", profile ", k.profile) : "", ")");
}

// Go prints its trace to stderr; the parent captured each child's
// (RunParent), so a child's lines stay together.
void WriteGctraceLine(const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); }

// A child that drives its variant with a recorded memory-layer stream.
int RunReplayChild(const Setup& s, const ChildRole& role, const std::string& stream) {
  ReplaySuiteOptions o;
  o.variant = role.variant;
  o.stream_path = stream;
  o.profile = s.kernel.profile;
  o.map_noreserve = s.suite.runtime.map_noreserve;
  o.on_fatal = [&role](const VariantResult& r) { WriteFile(role.result_path, SerializeFields(r)); };
  const Progress progress("vma_repro", role.variant, absl::GetFlag(FLAGS_quiet));
  o.progress = [&progress](const std::string& name, size_t i, size_t total) {
    progress.Line(absl::StrFormat("%d/%d %s (replayed)", i + 1, total, name));
  };
  // The stream holds the lines of whichever trace the heap run wrote.
  const GcTraceWriter gctrace = &WriteGctraceLine;
  if (s.gctrace || s.scavtrace) o.gctrace = &gctrace;
  std::unique_ptr<Kernel> kernel = MakeKernelOrExit(s.kernel);
  const VariantResult r = ReplaySuite(*kernel, o, nullptr);
  return FinishChild("vma_repro", role, SerializeFields(r), "");
}

int RunChild(const Setup& s, const ChildRole& role) {
  const std::string replay = absl::GetFlag(FLAGS_child_replay);
  if (!replay.empty()) return RunReplayChild(s, role, replay);
  const std::string& variant = role.variant;
  SuiteOptions o = s.suite;
  o.runtime.variant = variant;
  o.heap = s.heap.For(variant);
  o.on_fatal = [&role](const VariantResult& r) { WriteFile(role.result_path, SerializeFields(r)); };
  const Progress progress("vma_repro", variant, absl::GetFlag(FLAGS_quiet));
  o.progress = [&progress](const std::string& name, size_t i, size_t total) {
    progress.Line(absl::StrFormat("%d/%d %s", i + 1, total, name));
  };
  const GcTraceWriter gctrace = &WriteGctraceLine;
  if (s.gctrace) o.gctrace = &gctrace;
  if (s.scavtrace) o.scavtrace = &gctrace;
  std::unique_ptr<Kernel> kernel = MakeKernelOrExit(s.kernel);
  // The address map at the peak, kept for the parent's --map_svg_out: Go
  // 1.5's spans or the Go 1.21 page allocator's page states
  // (heap_address_map.h).
  AddressMap peak;
  if (!role.map_path.empty()) {
    Kernel& k = *kernel;
    o.on_census_peak = [&peak, &k, variant](TraceReplayer& rep) {
      const CensusKernel& c = rep.census();
      peak = CaptureHeapAddressMap(
          k, rep.heap_runtime(), variant,
          absl::StrFormat("peak: %d runtime VMAs (Go-equivalent %d) at t=%.3fs of virtual time",
                          c.current().own, c.max_go_equivalent(), rep.now_ns() / 1e9));
    };
    o.on_fatal = [&role, &peak](const VariantResult& r) {
      WriteFile(role.result_path, SerializeFields(r));
      WriteFile(role.map_path, SerializeAddressMap(peak));
    };
  }
  // A recording child writes its heap run's memory-layer stream too.
  const std::string record = absl::GetFlag(FLAGS_child_record);
  std::FILE* stream = nullptr;
  if (!record.empty()) {
    stream = std::fopen(record.c_str(), "w");
    if (stream == nullptr) ExitUsage(absl::StrCat("cannot write ", record));
    o.record = stream;
  }
  const VariantResult r = RunSuite(*kernel, o, nullptr);
  if (stream != nullptr && std::fclose(stream) != 0) ExitUsage(absl::StrCat("cannot write ", record));
  return FinishChild("vma_repro", role, SerializeFields(r), SerializeAddressMap(peak));
}

// Writes the trace of the whole suite: the programs depend only on the
// schedule and GOMAXPROCS, not on the variant, so no runtime is needed.
void WriteTraceOrExit(const Setup& s, const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) ExitUsage(absl::StrCat("--trace_out=", path, ": cannot open for writing"));
  const SuiteOptions& o = s.suite;
  std::fprintf(f, "thp-trace 1\n# Go 1.5 runtime benchmarks as heap programs; GOMAXPROCS=%d "
               "time_scale=%g timings=%s\n", o.runtime.gomaxprocs, s.time_scale,
               s.timings_name.c_str());
  // The suite's trace is the Go 1.5 suite's: it opens with Go 1.5.1's
  // startup heap, which RunSuite makes on the Go 1.5 heap (a replay on the
  // Go 1.21 heap makes it too).
  std::fprintf(f, "# Go 1.5.1's startup heap (bench/workloads/go15_startup.h)\n");
  for (const TraceEvent& e : StartupEvents(HeapKind::kGo15, o.go15_startup_heap)) {
    std::fprintf(f, "%s\n", FormatTraceEvent(e).c_str());
  }
  for (size_t i = 0; i < o.benchmarks.size(); ++i) {
    const ScheduledBenchmark& b = o.benchmarks[i];
    for (const TraceEvent& e : BenchmarkStartEvents(HeapKind::kGo15, o.go15_startup_heap,
                                                    b.bench->name)) {
      std::fprintf(f, "%s\n", FormatTraceEvent(e).c_str());
    }
    const LaunchStack* launch = LaunchStackOf(HeapKind::kGo15, b.bench->name);
    ForEachRun(b, o.runtime.gomaxprocs, o.benchtime_ns,
               [f, &b, launch](const RunProgram& prog, const BodyStream& stream) {
                 ForEachEvent(prog, stream, b.bench->loop, launch,
                              [f](const TraceEvent& e) {
                                std::fprintf(f, "%s\n", FormatTraceEvent(e).c_str());
                              });
               });
    const absl::string_view next =
        i + 1 < o.benchmarks.size() ? o.benchmarks[i + 1].bench->name : "";
    for (const TraceEvent& e :
         BenchmarkEndEvents(HeapKind::kGo15, o.runtime.gomaxprocs, i + 1, next)) {
      std::fprintf(f, "%s\n", FormatTraceEvent(e).c_str());
    }
  }
  if (std::fclose(f) != 0) ExitUsage(absl::StrCat("--trace_out=", path, ": write failed"));
}

int RunParent(int argc, char** argv, const Setup& s) {
  const VariantSet chosen = VariantsOrExit(s.kernel, absl::GetFlag(FLAGS_variants),
                                           /*allow_sets=*/true, UnsupportedVariant::kExit);
  const std::vector<std::string>& variants = chosen.run;
  CheckHeapsOrExit(s.heap, variants);
  const bool quiet = absl::GetFlag(FLAGS_quiet);
  for (const SkippedVariant& k : chosen.skipped) {
    if (!quiet) std::fprintf(stderr, "vma_repro: skipping %s (%s)\n", k.name.c_str(), k.reason.c_str());
  }
  const std::string trace = absl::GetFlag(FLAGS_trace_out);
  if (!trace.empty()) WriteTraceOrExit(s, trace);

  const std::string map_svg = absl::GetFlag(FLAGS_map_svg_out);
  std::vector<ChildSpec> children;
  for (const std::string& v : variants) {
    ChildSpec spec{v, {}, !map_svg.empty()};
    spec.capture_stderr = s.gctrace || s.scavtrace;
    children.push_back(std::move(spec));
  }
  size_t jobs = static_cast<size_t>(absl::GetFlag(FLAGS_jobs));
  if (jobs == 0) jobs = std::max<long>(1, sysconf(_SC_NPROCESSORS_ONLN));
  ReproRun run;
  run.kernel = s.kernel.kernel;
  run.profile = s.kernel.profile;
  run.heap = s.heap.automatic ? "auto" : std::string(HeapKindName(s.heap.kind));
  absl::StatusOr<KernelSettings> settings = KernelSettingsOf(s.kernel);
  ExitIfError(settings.status());
  run.thp_mode = settings->thp_mode;
  run.max_map_count = settings->max_map_count;
  run.gomaxprocs = s.suite.runtime.gomaxprocs;
  run.time_scale = s.time_scale;
  run.loop_slice_us = s.suite.loop_slice_ns / 1000;
  run.mark_share_seed = s.suite.runtime.mark_share_seed;
  run.sweep_wait_seed = s.suite.runtime.sweep_wait_seed;
  run.cpu_scale = s.suite.runtime.cpu_scale;
  run.timings = s.timings_name;
  run.workloads = absl::GetFlag(FLAGS_workloads);
  run.variants.resize(children.size());
  // Children finish in any order; the maps are drawn in the variants' order.
  std::vector<std::vector<AddressMap>> maps(children.size());
  bool fatal = false;
  ChildRunner runner("vma_repro", argc, argv);
  std::vector<bool> replaying(children.size(), false);
  auto collect = [&](size_t i, ChildOutcome child) {
    VariantResult& r = run.variants[i];
    r = ChildResult(child, &ParseFields<VariantResult>, &VariantResult::error);
    r.variant = child.variant;
    maps[i] = std::move(child.maps);
    // A replay that died is run again with a heap of its own, whose trace
    // is the one relayed.
    const bool rerun = replaying[i] && !r.error.empty() && !child.interrupted;
    if ((s.gctrace || s.scavtrace) && !rerun) RelayChildStderr(GctraceHeader(child.variant, s.kernel), child);
  };
  // The heap runs: every variant's, or one per class of variants that take
  // the same heap decisions (SameHeapDecisions), whose child records the
  // memory-layer stream the rest of its class is then driven by: one class
  // per SameHeapDecisions on the Go 1.5 heap, one for the Go 1.21 heap.
  const bool shared = s.heap_runs_shared && map_svg.empty();
  std::vector<size_t> heap_runs;         // indexes into children
  std::vector<size_t> recorder_of(children.size(), SIZE_MAX);
  std::vector<std::string> stream_of(children.size());
  std::vector<HeapKind> heaps;
  for (const std::string& v : variants) heaps.push_back(s.heap.For(v));
  const std::vector<size_t> first_of_class = HeapRunOf(variants, heaps);
  // A heap run records its stream only if another variant replays it.
  std::vector<bool> replayed(children.size(), false);
  for (size_t i = 0; i < children.size(); ++i) {
    if (first_of_class[i] != i) replayed[first_of_class[i]] = true;
  }
  for (size_t i = 0; i < children.size(); ++i) {
    if (shared && first_of_class[i] != i) {
      recorder_of[i] = first_of_class[i];
      continue;
    }
    heap_runs.push_back(i);
    if (shared && replayed[i]) {
      stream_of[i] = absl::StrCat(runner.dir(), "/heap-run-", heap_runs.size(), ".memstream");
      children[i].extra_flags.push_back(absl::StrCat("--child_record=", stream_of[i]));
    }
  }
  auto run_specs = [&](const std::vector<size_t>& which) {
    std::vector<ChildSpec> specs;
    for (size_t i : which) specs.push_back(children[i]);
    runner.Run(specs, jobs, [&](size_t k, ChildOutcome child) { collect(which[k], std::move(child)); });
  };
  run_specs(heap_runs);
  // A replay needs a whole stream: a heap run that died leaves its class to
  // heap runs of their own, as does a replay that dies (the heap totals at
  // its death are the heap run's to say).
  std::vector<size_t> replays, own_runs;
  for (size_t i = 0; i < children.size(); ++i) {
    if (recorder_of[i] == SIZE_MAX) continue;
    if (run.variants[recorder_of[i]].error.empty()) {
      children[i].extra_flags.push_back(
          absl::StrCat("--child_replay=", stream_of[recorder_of[i]]));
      replays.push_back(i);
      replaying[i] = true;
    } else {
      own_runs.push_back(i);
    }
  }
  if (!replays.empty()) run_specs(replays);
  for (size_t i : replays) {
    if (run.variants[i].error.empty() || runner.interrupted()) continue;
    children[i].extra_flags.pop_back();
    replaying[i] = false;
    own_runs.push_back(i);
  }
  std::sort(own_runs.begin(), own_runs.end());
  if (!own_runs.empty()) run_specs(own_runs);
  for (const std::string& stream : stream_of) {
    if (!stream.empty()) unlink(stream.c_str());
  }
  for (const VariantResult& r : run.variants) fatal |= !r.error.empty();

  const std::string headline = Headline(run);
  const std::string label = !s.heap.automatic && s.heap.kind == HeapKind::kGo121
                                ? "Go 1.5 benchmarks on the Go 1.21 heap (--heap=go121)\n"
                                : "";
  const int outputs = WriteOutputs(
      "vma_repro", label + FormatTable(run) + (headline.empty() ? "" : headline + "\n"),
      {{"json_out", absl::GetFlag(FLAGS_json_out), [&] { return FormatJson(run); }},
       {"csv_out", absl::GetFlag(FLAGS_csv_out), [&] { return FormatCsv(run); }},
       {"svg_out", absl::GetFlag(FLAGS_svg_out), [&] { return FormatSvg(run, s.svg_scale); }},
       {"map_svg_out", map_svg, [&] {
          std::vector<AddressMap> ordered;
          for (const std::vector<AddressMap>& m : maps) ordered.insert(ordered.end(), m.begin(), m.end());
          return RenderAddressMapsSvg(
              ordered, absl::StrFormat("Arena at each variant's VMA peak (vma_repro, kernel=%s, "
                                       "profile=%s)",
                                       run.kernel, run.profile));
        }}});
  return CombineExitStatus({fatal ? 1 : 0, outputs, runner.InterruptExitStatus()});
}

}  // namespace
}  // namespace thp

int main(int argc, char** argv) {
  thp::ReexecWithFixedLayout(argc, argv);
  thp::ParseFlagsOrExit(argc, argv,
                        "Runs the Go 1.5 runtime benchmarks through every memory-layer variant "
                        "and reports VMA counts.\n  vma_repro [--variants=prefix,fixed] "
                        "[--kernel=linux|sim] [--kernel_profile=linux6|linux2015] "
                        "[--json_out=F --csv_out=F --svg_out=F]");
  const thp::Setup s = thp::SetupOrExit();
  if (absl::GetFlag(FLAGS_list_workloads)) {
    for (const thp::Go15Benchmark* b : s.benchmarks) std::printf("%s\n", b->name);
    return 0;
  }
  return thp::FinishMain(thp::RunChildOrParent(argc, argv, s, &thp::RunChild, &thp::RunParent));
}
