// bench/thp_cost: what asking for huge pages costs (Go issues 61718 and
// 63334), per memory-layer variant, in one table:
//  1. the latency distribution (count, p50, p99, max) of the madvise calls
//     the variant makes where the Go version it mirrors holds the heap lock
//     (Go 1.21.0's grow and dense-chunk HUGEPAGE, Go 1.21.1's dense-chunk
//     COLLAPSE, Go 1.5.2's release and reuse advice for `fixed`);
//  2. the cost of first-touching fresh heap memory after the variant's advice
//     against the same without advice, per 4 KiB page and per 2 MiB;
//  3. huge-page coverage, AnonHugePages / heap_inuse, at the end and at peak.
// The workload is chunk_churn (bench/workloads/chunk_churn.h) through the
// ported runtime with GODEBUG=scavenge=1 timing, memory touched, unless
// --workload names one of the issues' own heap programs: issue63334
// (bench/workloads/issue63334.h: bursts on GOMAXPROCS Ps, GOMEMLIMIT near
// the peak) or issue61718 (issue61718.h: a growing heap). Those are timed
// per allocation and per hold of the Go 1.21 heap lock (workload_timer.h)
// into a second table; on the simulated kernel their times are the model
// of sim_cost_kernel.h (--sim_stall_us, --sim_collapse_us,
// --sim_free_huge_pages) and the output says they are modelled.
//
//   bazel run -c opt //bench:thp_cost
//   bazel run -c opt //bench:thp_cost -- --kernel=sim --csv_out=/tmp/c.csv
//
// Each variant runs in a child process of its own (a fresh address space),
// one after the other so the timings do not compete for the two cores. On
// the real kernel try_collapse is skipped with a note (MADV_TRY_COLLAPSE
// never reached Linux); on the simulated kernel every time is model time and
// printed as n/a, and the THP mode is --sim_thp's (madvise unless set), not
// this machine's. Nothing here writes /sys or creates memory pressure.
//
// --heap=auto (the default) runs each variant on the heap its Go release
// had (DefaultHeapOf: hugepage_eager, collapse, try_collapse and disablethp
// on the Go 1.21 heap, mheap/go121; none, prefix, fixed and fixed_batched on
// the Go 1.5 heap); --heap=go15 or go121 runs every variant on that heap (a
// Go 1.21 variant on go15 is the hybrid: Go 1.21's chunk-density rule on the
// Go 1.5 page heap, mheap/go15/chunks.h). Each row names its heap, marked
// '*' when it is not the variant's own. On the Go 1.21 heap the heap-locked
// calls are those made while that heap's own lock (go121::HeapLock) is held.
//
// --svg_out draws each variant's arena as an address map (bench/report/address_map.h:
// VMA flags over span states) at the end of the workload, before the probe.
// On the Go 1.5 heap they draw its spans, on the Go 1.21 heap its page
// allocator's page states (bench/report/heap_address_map.h).
// Not at the VMA peak, as vma_repro and thp_bloat draw it: to find the peak
// the runtime would have to talk to the kernel through the VMA census, which
// counts the VMAs after every call (a /proc/self/maps read on the real
// kernel) and so would land inside the madvise timings this tool reports.
// The caption gives the VMAs over the arena then (kernel.Vmas), with
// heap_inuse, AnonHugePages and RSS.
// Exit status: 0; 1 if a variant failed (its row says why); 2 for bad flags
// or an output that cannot be written; 130/143 when SIGINT/SIGTERM stopped
// the run (README, "Exit statuses").
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "bench/harness/child_run.h"
#include "bench/harness/cli.h"
#include "bench/harness/flag_range.h"
#include "bench/harness/heap_choice.h"
#include "bench/harness/kernel_choice.h"
#include "bench/harness/outputs.h"
#include "bench/harness/progress.h"
#include "bench/harness/runtime_env.h"
#include "bench/harness/variant_choice.h"
#include "bench/report/address_map.h"
#include "bench/report/heap_address_map.h"
#include "bench/report/thp_cost_report.h"
#include "bench/thp_cost/thp_cost_probe.h"
#include "bench/thp_cost/sim_cost_kernel.h"
#include "bench/thp_cost/thp_cost_run.h"
#include "bench/workloads/chunk_churn.h"
#include "runtime_port/base/check.h"
#include "runtime_port/base/file_io.h"
#include "runtime_port/base/quote.h"
#include "runtime_port/kernel/kernel.h"
#include "runtime_port/mem_linux/huge_page_policy.h"
#include "runtime_port/mem_linux/mem_linux.h"

ABSL_FLAG(std::string, variants, "hugepage_eager,collapse,try_collapse,fixed",
          "comma-separated memory-layer variants; those the kernel cannot run are skipped "
          "with a note");
ABSL_FLAG(int, chunks, 12,
          "4 MiB chunks the workload's large objects fill (chunk_churn, issue63334; 1 to 256)");
ABSL_FLAG(int, cycles, 4,
          "sparsify/idle/refill (chunk_churn) or drain/idle/refill (issue63334) cycles (1 to 100)");
ABSL_FLAG(int, probe_mib, 64,
          "fresh memory per first-touch probe round and side, MiB (a multiple of 4, 4 to 1024)");
ABSL_FLAG(int, probe_rounds, 8, "first-touch probe rounds per side (1 to 100)");
THP_FLAG_RANGE(chunks, 1, 256);
THP_FLAG_RANGE(cycles, 1, 100);
THP_FLAG_RANGE(probe_mib, 4, 1024);
THP_FLAG_RANGE(probe_rounds, 1, 100);
ABSL_FLAG(std::string, json_out, "", "write every figure as JSON here");
ABSL_FLAG(std::string, csv_out, "", "write one CSV row per variant here");
ABSL_FLAG(std::string, svg_out, "",
          "write each variant's arena (VMA flags over span states) at the end of its workload "
          "as SVG here (not at the VMA peak: these runs have no VMA census)");
ABSL_FLAG(std::string, trace_out, "",
          "write the workload as a trace (bench/workloads/trace_format.h) here, replayable with "
          "//bench:replay");
ABSL_FLAG(std::string, heap, "auto",
          "the ported heap each variant runs on: auto (the heap its Go release had: go121 for "
          "hugepage_eager, collapse, try_collapse, disablethp; go15 for the others), go15 or go121 "
          "(every variant on that heap)");
ABSL_FLAG(std::string, workload, "chunk_churn",
          "the heap program: chunk_churn (bench/workloads/chunk_churn.h), issue63334 (a bursty "
          "heap on GOMAXPROCS Ps with GOMEMLIMIT near its peak: MADV_COLLAPSE under the heap "
          "lock) or issue61718 (a growing heap timed per allocation: first-touch faults in "
          "HUGEPAGE memory)");
ABSL_FLAG(int, mib, 128, "issue61718: MiB the growing heap reaches (4 to 4096)");
THP_FLAG_RANGE(mib, 4, 4096);
ABSL_FLAG(int, sim_stall_us, 1000,
          "simulated kernel, issue workloads: model us a huge page costs when no free order-9 "
          "block is left (direct compaction/reclaim; an assumption, 0 to 1000000)");
THP_FLAG_RANGE(sim_stall_us, 0, 1000000);
ABSL_FLAG(int, sim_collapse_us, 1700,
          "simulated kernel, issue workloads: model us per 2 MiB region MADV_COLLAPSE "
          "collapses (measured here with free memory; 0 to 1000000)");
THP_FLAG_RANGE(sim_collapse_us, 0, 1000000);
ABSL_FLAG(int, sim_free_huge_pages, 0,
          "simulated kernel, issue workloads: free order-9 blocks before huge pages stall "
          "(0: scarce from the start; 0 to 1000000000)");
THP_FLAG_RANGE(sim_free_huge_pages, 0, 1000000000);
ABSL_FLAG(bool, quiet, false, "no progress lines on stderr");

namespace thp {
namespace {

struct Setup {
  KernelChoice kernel;
  SimCostModel cost;
  HeapChoice heap;
  ThpCostOptions options;
};

Setup SetupOrExit() {
  Setup s;
  s.kernel = KernelChoiceFromFlags();
  s.heap = HeapChoiceOrExit(absl::GetFlag(FLAGS_heap));
  const int chunks = absl::GetFlag(FLAGS_chunks);
  const int cycles = absl::GetFlag(FLAGS_cycles);
  const int probe_mib = absl::GetFlag(FLAGS_probe_mib);
  const int rounds = absl::GetFlag(FLAGS_probe_rounds);
  if (probe_mib % 4 != 0) {
    ExitUsage(absl::StrFormat("--probe_mib=%d: expected a multiple of 4 (whole 4 MiB chunks)",
                              probe_mib));
  }
  const std::string workload = absl::GetFlag(FLAGS_workload);
  if (!ParseThpWorkload(workload, &s.options.which)) {
    ExitUsage(absl::StrCat("--workload=", QuoteForError(workload),
                           ": expected chunk_churn, issue63334 or issue61718"));
  }
  const int mib = absl::GetFlag(FLAGS_mib);
  s.cost.stall_ns = int64_t{absl::GetFlag(FLAGS_sim_stall_us)} * 1000;
  s.cost.collapse_ns = int64_t{absl::GetFlag(FLAGS_sim_collapse_us)} * 1000;
  s.cost.free_huge_pages = absl::GetFlag(FLAGS_sim_free_huge_pages);
  // GOGC, GOMAXPROCS and GODEBUG as a Go program reads them; scavenge=1
  // unless GODEBUG says otherwise (the scavenger must run in the workload).
  const RuntimeEnv env = RuntimeEnvOrExit("fixed", ScavengeDefault::kOn);
  s.options.scavenge_debug = env.scavenge_debug;
  s.options.runtime = env.options;
  s.options.runtime.touch_memory = true;
  s.options.workload.chunks = chunks;
  s.options.workload.cycles = cycles;
  s.options.burst.chunks = chunks;
  s.options.burst.cycles = cycles;
  s.options.burst.ps = s.options.runtime.gomaxprocs;
  s.options.growing.mib = mib;
  s.options.growing.ps = s.options.runtime.gomaxprocs;
  s.options.probe_bytes = static_cast<uintptr_t>(probe_mib) << 20;
  s.options.probe_rounds = rounds;
  return s;
}


int RunChild(const Setup& s, const ChildRole& role) {
  ThpCostOptions o = s.options;
  o.runtime.variant = role.variant;
  o.heap = s.heap.For(role.variant);
  const Progress progress("thp_cost", role.variant, absl::GetFlag(FLAGS_quiet));
  o.progress = [&progress](const std::string& phase) { progress.Line(phase); };
  std::unique_ptr<Kernel> made = MakeKernelOrExit(s.kernel);
  // The issue workloads time the simulated kernel by its cost model.
  std::unique_ptr<SimCostKernel> cost;
  if (SimulatedKernel* sim = SimulatedKernelOf(*made);
      sim != nullptr && o.which != ThpWorkload::kChunkChurn) {
    cost = std::make_unique<SimCostKernel>(*sim, s.cost);
    o.sim_cost = cost.get();
  }
  Kernel* const kernel = cost != nullptr ? static_cast<Kernel*>(cost.get()) : made.get();
  // A fatal runtime error still leaves a row saying what it was, and with
  // --svg_out the arena at the end of the workload, or at the error if the
  // workload did not end.
  auto error_row = [&role, &kernel, &o](absl::string_view message) {
    ThpCostResult r;
    r.variant = role.variant;
    r.kernel = std::string(kernel->Name());
    r.heap = std::string(HeapKindName(o.heap));
    r.error = std::string(message);
    WriteFile(role.result_path, SerializeFields(r));
  };
  // Outside RunThpCost's own hook (before its runtime exists, after it is
  // gone) a fatal error still writes the row.
  ScopedThrowHook hook(error_row);
  const std::string& map_path = role.map_path;
  Kernel& k = *kernel;
  std::string map;  // serialized
  if (!map_path.empty()) {
    o.on_workload_end = [&k, &map, &role](TraceReplayer& rep, const ThpCostResult& r) {
      AddressMap m = CaptureHeapAddressMap(
          k, rep.heap_runtime(), absl::StrCat(role.variant, " \u2014 end of workload"), "");
      m.caption = absl::StrFormat(
          "VMAs over the arena: %d; heap_inuse %.1f MiB, AnonHugePages %.1f MiB, RSS %.1f MiB "
          "(not a VMA peak: no census here)",
          m.vmas.size(), r.end_heap_inuse / 1048576.0, r.end_anon_huge / 1048576.0,
          r.end_rss / 1048576.0);
      map = SerializeAddressMap(m);
    };
  }
  o.on_fatal = [&](TraceReplayer& rep, absl::string_view message) {
    error_row(message);
    if (map_path.empty()) return;
    if (map.empty()) {
      map = SerializeAddressMap(CaptureHeapAddressMap(
          k, rep.heap_runtime(), absl::StrCat(role.variant, " \u2014 at the fatal error"),
          absl::StrFormat("t=%.3fs of virtual time: %s", rep.now_ns() / 1e9, message)));
    }
    WriteFile(map_path, map);
  };
  const ThpCostResult r = RunThpCost(*kernel, o);
  return FinishChild("thp_cost", role, SerializeFields(r), map);
}

// The workload's part of the run's header.
void SetWorkload(const Setup& s, ThpCostRun& run) {
  run.workload = ThpWorkloadName(s.options.which);
  run.chunks = s.options.workload.chunks;
  run.cycles = s.options.workload.cycles;
  run.gomaxprocs = s.options.runtime.gomaxprocs;
  if (s.options.which == ThpWorkload::kIssue63334) {
    run.gomemlimit = BurstMemoryLimitBytes(s.options.burst);
  }
  run.mib = s.options.growing.mib;
  run.sim_cost = s.kernel.kernel == "sim";
  run.sim_stall_ns = s.cost.stall_ns;
  run.sim_collapse_ns = s.cost.collapse_ns;
  run.sim_free_huge_pages = s.cost.free_huge_pages;
}

ThpCostRun RunHeader(const Setup& s) {
  ThpCostRun run;
  SetWorkload(s, run);
  return run;
}

int64_t MemAvailableBytes() {
  absl::StatusOr<std::string> text = ReadWholeFile("/proc/meminfo");
  if (!text.ok()) return 0;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    if (!absl::ConsumePrefix(&line, "MemAvailable:")) continue;
    line = absl::StripAsciiWhitespace(line);
    int64_t kib = 0;
    if (absl::SimpleAtoi(line.substr(0, line.find(' ')), &kib)) return kib * 1024;
  }
  return 0;
}

void WriteTraceOrExit(const Setup& s, const std::string& path) {
  std::string text =
      s.options.which == ThpWorkload::kChunkChurn
          ? absl::StrFormat(
                "thp-trace 1\n# chunk_churn (bench/workloads/chunk_churn.h): %d chunks, %d "
                "cycles\n",
                s.options.workload.chunks, s.options.workload.cycles)
          : absl::StrCat("thp-trace 1\n# ", WorkloadDescription(RunHeader(s)), "\n");
  for (const WorkloadPhase& p : ThpCostPhases(s.options)) {
    absl::StrAppend(&text, "# ", p.name, "\n");
    for (const TraceEvent& e : p.events) absl::StrAppend(&text, FormatTraceEvent(e), "\n");
  }
  if (!WriteFile(path, text)) ExitUsage(absl::StrCat("--trace_out=", path, ": cannot write"));
}

int RunParent(int argc, char** argv, const Setup& s) {
  ThpCostRun run;
  const VariantSet chosen = VariantsOrExit(s.kernel, absl::GetFlag(FLAGS_variants),
                                           /*allow_sets=*/false, UnsupportedVariant::kSkip);
  const std::vector<std::string>& variants = chosen.run;
  CheckHeapsOrExit(s.heap, variants);
  for (const SkippedVariant& k : chosen.skipped) {
    run.skipped.push_back(absl::StrCat(k.name, ": ", k.reason));
  }
  const bool quiet = absl::GetFlag(FLAGS_quiet);
  for (const std::string& k : run.skipped) {
    if (!quiet) std::fprintf(stderr, "thp_cost: skipping %s\n", k.c_str());
  }
  const std::string trace = absl::GetFlag(FLAGS_trace_out);
  if (!trace.empty()) WriteTraceOrExit(s, trace);
  run.kernel = s.kernel.kernel;
  if (s.kernel.kernel == "sim") {
    // The simulated kernel's mode is --sim_thp's, shown as sysfs shows a
    // mode; it models no defrag setting (every huge page allocation
    // succeeds), so the machine's is not shown for it.
    absl::StatusOr<SimSettings> sim = ResolveSimSettings(s.kernel);
    ExitIfError(sim.status());
    for (ThpMode m : {ThpMode::kAlways, ThpMode::kMadvise, ThpMode::kNever}) {
      const std::string name(ThpModeName(m));
      absl::StrAppend(&run.thp_enabled, run.thp_enabled.empty() ? "" : " ",
                      m == sim->thp_mode ? absl::StrCat("[", name, "]") : name);
    }
    run.thp_defrag = "n/a (simulated)";
    run.sim_max_map_count = sim->max_map_count;
  } else {
    absl::StatusOr<std::string> enabled = ReadThpSetting("enabled");
    absl::StatusOr<std::string> defrag = ReadThpSetting("defrag");
    run.thp_enabled = enabled.ok() ? *enabled : "unknown";
    run.thp_defrag = defrag.ok() ? *defrag : "unknown";
  }
  run.mem_available = MemAvailableBytes();
  run.gomaxprocs = s.options.runtime.gomaxprocs;
  run.scavenge_debug = s.options.scavenge_debug;
  run.chunks = s.options.workload.chunks;
  run.cycles = s.options.workload.cycles;
  run.probe_bytes = static_cast<int64_t>(s.options.probe_bytes);
  run.probe_rounds = s.options.probe_rounds;
  SetWorkload(s, run);

  const std::string svg_out = absl::GetFlag(FLAGS_svg_out);
  std::vector<ChildSpec> children;
  for (const std::string& v : variants) children.push_back(ChildSpec{v, {}, !svg_out.empty()});
  std::vector<AddressMap> maps;
  bool failed = false;
  // One at a time, so the timings do not compete for the cores.
  ChildRunner runner("thp_cost", argc, argv);
  runner.Run(children, /*jobs=*/1, [&](size_t, ChildOutcome child) {
    ThpCostResult r = ChildResult(child, &ParseFields<ThpCostResult>, &ThpCostResult::error);
    r.variant = child.variant;
    if (r.kernel.empty()) r.kernel = run.kernel;
    if (r.heap.empty()) r.heap = std::string(HeapKindName(s.heap.For(child.variant)));
    failed |= !r.error.empty();
    run.variants.push_back(std::move(r));
    maps.insert(maps.end(), child.maps.begin(), child.maps.end());
  });

  const int outputs = WriteOutputs(
      "thp_cost", FormatThpCostTable(run),
      {{"json_out", absl::GetFlag(FLAGS_json_out), [&] { return FormatThpCostJson(run); }},
       {"csv_out", absl::GetFlag(FLAGS_csv_out), [&] { return FormatThpCostCsv(run); }},
       {"svg_out", svg_out, [&] {
          return RenderAddressMapsSvg(
              maps, absl::StrFormat("thp_cost: the arena at the end of each variant's chunk_churn "
                                    "workload (kernel=%s%s, %d chunks, %d cycles)",
                                    run.kernel,
                                    run.kernel == "sim" ? absl::StrCat("/", s.kernel.profile) : "",
                                    run.chunks, run.cycles));
        }}});
  return CombineExitStatus({failed ? 1 : 0, outputs, runner.InterruptExitStatus()});
}

}  // namespace
}  // namespace thp

int main(int argc, char** argv) {
  thp::ParseFlagsOrExit(argc, argv,
                        "Measures what asking for huge pages costs per memory-layer variant.\n"
                        "  thp_cost [--variants=hugepage_eager,collapse,try_collapse,fixed] "
                        "[--kernel=linux|sim] [--heap=auto|go15|go121] "
                        "[--json_out=F --csv_out=F --svg_out=F] [--quiet]");
  const thp::Setup s = thp::SetupOrExit();
  return thp::FinishMain(thp::RunChildOrParent(argc, argv, s, &thp::RunChild, &thp::RunParent));
}
