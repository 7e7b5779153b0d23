// bench/thp_bloat: Go issue 8832's RSS bloat. Runs the goroutine
// program (bench/workloads/issue8832.h) through the ported runtime with each
// memory-layer variant under GODEBUG=scavenge=1, once as the machine runs it
// and once with khugepaged emulated in THP "always" mode after every
// scavenge pass (runtime_port/kernel/khugepaged_emulator.h), and reports the arena's
// RSS both ways, the bloat factor, AnonHugePages, the regions collapsed and
// the MADV_COLLAPSE latencies.
//
//   bazel run -c opt //bench:thp_bloat -- --kernel=linux
//   bazel run -c opt //bench:thp_bloat -- --kernel=sim --max_ptes_none=0 --csv_out=/tmp/b.csv
//
// Expected: `none` (Go 1.4: DONTNEED only) bloats; `prefix` (Go 1.5.0, 7e1b61c)
// and `fixed` (Go 1.5.2, 44078a3) do not, because the regions they release
// partly are VM_NOHUGEPAGE.
//
// --heap=auto (the default) runs each variant on the heap its Go release
// had (DefaultHeapOf: none, prefix, fixed and fixed_batched on the Go 1.5
// heap; hugepage_eager, collapse, try_collapse and disablethp on the Go 1.21
// heap, mheap/go121); --heap=go15 or go121 runs every variant on that heap.
// Each row names its heap, marked '*' when it is not the variant's own. On
// the Go 1.21 heap the program's scavenging is the background scavenger's
// own pacing (Go 1.21 has no GODEBUG=scavenge=1) and the emulation scans
// after each stretch of virtual time in which it ran.
//
// --max_ptes_none is the emulation's threshold on both kernels: a region is
// collapsed only if at most that many of its 512 pages are absent. On the
// simulated kernel that is the whole rule, as khugepaged applies it; on the
// real kernel the emulation applies it before calling MADV_COLLAPSE, which
// itself ignores max_ptes_none (and every other sysfs setting). The machine's
// own /sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_none is never
// read or changed. The simulated kernel's THP mode is --sim_thp's (madvise
// unless asked otherwise), so its figures are the same on every machine.
//
// --svg_out draws, per variant, the arena of the run with the emulation as
// address maps (bench/report/address_map.h): at its VMA peak (the runtime's own
// count, taken when it reaches a new maximum) and at the end, after the last
// scavenge pass and khugepaged scan. On the Go 1.5 heap they draw its spans,
// on the Go 1.21 heap its page allocator's page states
// (bench/report/heap_address_map.h). The map shows VMA flags and span states,
// not residency, so the end map's caption carries the run's RSS and
// AnonHugePages: `none`'s spans are released (yellow) while its RSS is back
// to the whole arena. Every new peak is captured, so the map is exactly at
// the peak; on the real kernel each capture reads /proc/self/smaps (the only
// place with the VMAs' huge-page flags), which for prefix's ~7,150 peaks
// adds about half a minute. A child that dies of a fatal runtime error still
// writes the peak so far and the arena at the error.
//
// Each run is a child process of its own (a fresh address space, so every
// run's heap starts at the same address); runs go one at a time so the
// collapse latencies are not measured against each other. Progress goes to
// stderr (--quiet silences it). Exit status 0; 1 if a run failed (its row
// says why); 2 for bad flags or an output that cannot be written; 130/143
// when SIGINT/SIGTERM stopped the run (README, "Exit statuses").

#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/harness/child_run.h"
#include "bench/harness/cli.h"
#include "bench/harness/fixed_layout.h"
#include "bench/harness/flag_range.h"
#include "bench/harness/heap_choice.h"
#include "bench/harness/kernel_choice.h"
#include "bench/harness/outputs.h"
#include "bench/harness/runtime_env.h"
#include "bench/harness/variant_choice.h"
#include "bench/report/address_map.h"
#include "bench/report/heap_address_map.h"
#include "bench/report/bloat_report.h"
#include "bench/thp_bloat/bloat_run.h"
#include "runtime_port/base/file_io.h"
#include "runtime_port/kernel/sim_kernel.h"
#include "runtime_port/mem_linux/mem_linux.h"

ABSL_FLAG(std::string, variants, "none,prefix,fixed",
          "comma-separated memory-layer variants (any variant the kernel can run)");
ABSL_FLAG(int, max_ptes_none, 511,
          "the emulated khugepaged's max_ptes_none, 0..511: collapse a 2 MiB region only if at "
          "most this many of its 512 pages are absent (applied by the emulation on both kernels; "
          "the real MADV_COLLAPSE itself has no such threshold)");
THP_FLAG_RANGE(max_ptes_none, 0, thp::kDefaultMaxPtesNone);
ABSL_FLAG(std::string, json_out, "", "write every figure as JSON here");
ABSL_FLAG(std::string, csv_out, "", "write one CSV row per variant here");
ABSL_FLAG(std::string, svg_out, "",
          "write, per variant, the arena (VMA flags over span states) of the run with the "
          "emulation, at its VMA peak and at its end, as SVG here");
ABSL_FLAG(std::string, heap, "auto",
          "the ported heap each variant runs on: auto (the heap its Go release had: go15 for "
          "none, prefix, fixed, fixed_batched; go121 for the Go 1.21 variants), go15 or go121 "
          "(every variant on that heap)");
ABSL_FLAG(bool, quiet, false, "no progress lines on stderr");
ABSL_FLAG(bool, child_khugepaged, false, "internal: the child runs with the emulation");

namespace thp {
namespace {

struct Setup {
  KernelChoice kernel;
  HeapChoice heap;
  BloatRunOptions run;
};

Setup SetupOrExit() {
  Setup s;
  s.kernel = KernelChoiceFromFlags();
  s.heap = HeapChoiceOrExit(absl::GetFlag(FLAGS_heap));
  const int max_none = absl::GetFlag(FLAGS_max_ptes_none);
  s.run.emulator.max_ptes_none = max_none;
  // GODEBUG=scavenge=1 unless GODEBUG says otherwise: the minutes
  // become milliseconds.
  const RuntimeEnv env = RuntimeEnvOrExit("none", ScavengeDefault::kOn);
  s.run.scavenge_debug = env.scavenge_debug;
  s.run.runtime = env.options;
  s.run.runtime.touch_memory = true;
  return s;
}


int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

std::string Mib(uint64_t bytes) { return absl::StrFormat("%.1f MiB", bytes / 1048576.0); }

// The maps' titles; the parent finds the end map by its title.
std::string PeakTitle(const std::string& v) { return absl::StrCat(v, " \u2014 VMA peak"); }
std::string EndTitle(const std::string& v) {
  return absl::StrCat(v, " \u2014 end (khugepaged emulated)");
}

// Sets the run's observers to draw the arena at each new VMA peak (the last
// one kept) and at the end, into `maps` (serialized). A fatal runtime error
// writes the peak so far and the arena at the error to `path` before the
// process exits.
void CaptureMaps(Kernel& kernel, BloatRunOptions& o, const std::string& path, std::string& maps) {
  const std::string v = o.runtime.variant;
  // Serialized only once it is final: prefix reaches thousands of new peaks.
  auto peak = std::make_shared<AddressMap>();
  auto peak_text = [peak] { return peak->title.empty() ? "" : SerializeAddressMap(*peak); };
  o.on_census_peak = [&kernel, v, peak](TraceReplayer& rep) {
    const HeapFigures m = rep.heap_runtime().Figures();
    *peak = CaptureHeapAddressMap(
        kernel, rep.heap_runtime(), PeakTitle(v),
        absl::StrFormat("runtime VMAs: %d, at t=%.3fs of virtual time; heap_sys %s, %s released",
                        rep.census().current().own, rep.now_ns() / 1e9, Mib(m.heap_sys),
                        Mib(m.heap_released)));
  };
  o.on_end = [&kernel, v, peak_text, &maps](TraceReplayer& rep, const BloatResult& r) {
    const AddressMap end = CaptureHeapAddressMap(
        kernel, rep.heap_runtime(), EndTitle(v),
        absl::StrFormat("RSS %s, AnonHugePages %s of a %s arena; regions collapsed: %d",
                        Mib(r.rss_bytes), Mib(r.anon_huge_bytes), Mib(r.arena_bytes),
                        r.regions_collapsed));
    maps = peak_text() + SerializeAddressMap(end);
  };
  o.on_fatal = [&kernel, v, peak_text, path](TraceReplayer& rep, absl::string_view message) {
    const AddressMap at_error = CaptureHeapAddressMap(
        kernel, rep.heap_runtime(), absl::StrCat(v, " \u2014 at the fatal error"),
        absl::StrFormat("t=%.3fs of virtual time: %s", rep.now_ns() / 1e9, message));
    WriteFile(path, peak_text() + SerializeAddressMap(at_error));
  };
}

int RunChild(const Setup& s, const ChildRole& role) {
  std::unique_ptr<Kernel> kernel = MakeKernelOrExit(s.kernel);
  BloatRunOptions o = s.run;
  o.runtime.variant = role.variant;
  o.heap = s.heap.For(role.variant);
  o.khugepaged = absl::GetFlag(FLAGS_child_khugepaged);
  if (kernel->Name() == "linux") {
    o.emulator.wall_ns = MonotonicNs;  // the simulated kernel's collapses take no time
  } else if (!kernel->Supports(Advice::kCollapse)) {
    // A 2015 kernel had khugepaged but no MADV_COLLAPSE.
    SimulatedKernel* sim = SimulatedKernelOf(*kernel);
    if (sim == nullptr) ExitUsage(absl::StrCat("kernel ", kernel->Name(), " has no MADV_COLLAPSE"));
    o.emulator.collapse = [sim](uintptr_t region) { return sim->CollapseRegion(region); };
  }
  std::string maps;  // serialized: the peak (once there is one), then the end
  if (!role.map_path.empty()) CaptureMaps(*kernel, o, role.map_path, maps);
  absl::StatusOr<BloatResult> r = RunBloat(*kernel, o);
  ExitIfError(r.status());
  return FinishChild("thp_bloat", role, SerializeFields(*r), maps);
}

// One child to its end: its result, or what a report row says instead. The
// address maps it wrote (even if it failed) go to `maps`.
absl::StatusOr<BloatResult> RunOneChild(ChildRunner& runner, const std::string& variant,
                                        bool khugepaged, bool want_maps,
                                        std::vector<AddressMap>* maps) {
  ChildOutcome child = runner.RunOne(ChildSpec{
      variant, {absl::StrCat("--child_khugepaged=", khugepaged ? "true" : "false")}, want_maps});
  maps->insert(maps->end(), child.maps.begin(), child.maps.end());
  absl::StatusOr<BloatResult> parsed =
      child.result.ok() ? ParseFields<BloatResult>(*child.result) : child.result.status();
  const std::string failure = ChildFailure(child, parsed.ok(), /*result_reports_error=*/false);
  if (!failure.empty()) return absl::InternalError(failure);
  return parsed;
}

int RunParent(int argc, char** argv, const Setup& s) {
  const std::vector<std::string> variants =
      VariantsOrExit(s.kernel, absl::GetFlag(FLAGS_variants), /*allow_sets=*/false,
                     UnsupportedVariant::kExit)
          .run;
  CheckHeapsOrExit(s.heap, variants);
  const bool quiet = absl::GetFlag(FLAGS_quiet);
  ChildRunner runner("thp_bloat", argc, argv);

  BloatReport report;
  report.kernel = s.kernel.kernel;
  report.profile = s.kernel.profile;
  report.max_ptes_none = s.run.emulator.max_ptes_none;
  absl::StatusOr<KernelSettings> settings = KernelSettingsOf(s.kernel);
  ExitIfError(settings.status());
  report.thp_mode = settings->thp_mode;
  report.max_map_count = settings->max_map_count;
  if (!quiet && s.kernel.kernel == "linux" && report.thp_mode == "always") {
    std::fprintf(stderr, "thp_bloat: notice: THP mode is \"always\": the machine's own khugepaged "
                 "works on the heap too, so even the runs without the emulation are not free of "
                 "it\n");
  }
  const std::string svg_out = absl::GetFlag(FLAGS_svg_out);
  std::vector<AddressMap> maps;  // in variant order: the runs go one at a time
  bool failed = false;
  for (const std::string& v : variants) {
    BloatRow row;
    row.variant = v;
    row.heap = std::string(HeapKindName(s.heap.For(v)));
    for (bool khp : {false, true}) {
      if (!quiet && !runner.interrupted()) {
        std::fprintf(stderr, "thp_bloat: [%s] %s khugepaged...\n", v.c_str(),
                     khp ? "with" : "without");
      }
      const size_t first_map = maps.size();
      absl::StatusOr<BloatResult> r =
          RunOneChild(runner, v, khp, khp && !svg_out.empty(), &maps);
      // The end map's caption compares with the run without the emulation.
      for (size_t i = first_map; i < maps.size(); ++i) {
        if (!r.ok() || maps[i].title != EndTitle(v) || row.without.rss_bytes == 0) continue;
        absl::StrAppendFormat(&maps[i].caption, "; without khugepaged RSS %s (x%.2f)",
                              Mib(row.without.rss_bytes),
                              double(r->rss_bytes) / row.without.rss_bytes);
      }
      if (!r.ok()) {
        row.error = absl::StrCat(khp ? "with" : "without", " khugepaged: ", r.status().message());
        break;
      }
      (khp ? row.with : row.without) = *std::move(r);
    }
    failed |= !row.error.empty();
    report.rows.push_back(std::move(row));
  }

  const int outputs = WriteOutputs(
      "thp_bloat", FormatBloatTable(report),
      {{"json_out", absl::GetFlag(FLAGS_json_out), [&] { return FormatBloatJson(report); }},
       {"csv_out", absl::GetFlag(FLAGS_csv_out), [&] { return FormatBloatCsv(report); }},
       {"svg_out", svg_out, [&] {
          return RenderAddressMapsSvg(
              maps, absl::StrFormat("thp_bloat, khugepaged emulated: the arena at each variant's "
                                    "VMA peak and at the end (kernel=%s%s, max_ptes_none=%d)",
                                    report.kernel,
                                    report.kernel == "sim" ? absl::StrCat("/", report.profile) : "",
                                    report.max_ptes_none));
        }}});
  return CombineExitStatus({failed ? 1 : 0, outputs, runner.InterruptExitStatus()});
}

}  // namespace
}  // namespace thp

int main(int argc, char** argv) {
  thp::ReexecWithFixedLayout(argc, argv);
  thp::ParseFlagsOrExit(argc, argv,
                        "Go issue 8832's RSS bloat: the arena's RSS per variant without and with "
                        "khugepaged emulated in THP \"always\" mode.\n  thp_bloat "
                        "[--variants=none,prefix,fixed] [--kernel=linux|sim] [--heap=auto|go15|go121] "
                        "[--sim_thp=madvise|always|never|auto] [--max_ptes_none=N] "
                        "[--json_out=F --csv_out=F --svg_out=F] [--quiet]");
  const thp::Setup s = thp::SetupOrExit();
  return thp::FinishMain(thp::RunChildOrParent(argc, argv, s, &thp::RunChild, &thp::RunParent));
}
