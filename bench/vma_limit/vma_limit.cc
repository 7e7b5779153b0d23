// bench/vma_limit: the crash of Go issue 12233, on purpose.
//
//   bazel run -c opt //bench:vma_limit -- --variant=prefix --kernel=linux|sim
//
// Runs the fragmenting service of bench/workloads/fragmenter.h through the
// ported Go 1.5 runtime under GODEBUG=scavenge=1 until the process reaches
// vm.max_map_count, and lets it fail the way Go 1.5 failed (golang/go#12233):
// the flag changes that need a split are refused (split_vma; EAGAIN on Linux
// 6.x) and ignored by the runtime, so the layout freezes; one more mmap that
// cannot merge still succeeds (do_mmap in mm/mmap.c checks map_count > limit
// before it tries to merge); the next is refused, and the runtime throws (Go
// 1.5.1): "runtime: cannot allocate memory" when it was persistentalloc1's
// chunk (malloc.go; the #12233 stack) or recordspan's array (mheap.go),
// "runtime: out of memory" when it was the arena's sysMap (mem_linux.go).
//
// Before the fatal line the tool writes its report: one line on stdout
//   vma_limit variant=<v> kernel=<k> ... outcome=crash|completed ...
// (heap size, VMA counts, refused splits, the refused call), and, unless
// --quiet, a readable summary on stderr. Exit status: 1 after a crash (the
// drivers' status for a variant that died of a Go fatal error; a Go
// program's own is 2), 0 when the workload completes, 2 for bad flags or an
// output (--svg_out, stdout) that cannot be written.
//
// With prefix the default workload crashes; with fixed it completes. On the
// simulated kernel --max_map_count moves the limit (65530, Linux's default,
// unless set; the real kernel's is the machine's, never changed) and
// --sim_thp sets the THP mode (madvise unless set); the report line names
// both. On the real kernel the process's own C heap is pre-grown and kept,
// so the report can still be written after the kernel refuses every new
// mapping.

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/harness/cli.h"
#include "bench/harness/fixed_layout.h"
#include "bench/harness/flag_range.h"
#include "bench/harness/kernel_choice.h"
#include "bench/harness/outputs.h"
#include "bench/harness/progress.h"
#include "bench/harness/refusal_log.h"
#include "bench/harness/runtime_env.h"
#include "bench/report/address_map.h"
#include "bench/workloads/fragmenter.h"
#include "bench/workloads/trace_replayer.h"
#include "runtime_port/base/check.h"
#include "runtime_port/base/file_io.h"
#include "runtime_port/mem_linux/mem_linux.h"

ABSL_FLAG(std::string, variant, "prefix",
          "memory-layer variant: none, prefix, fixed, hugepage_eager, collapse, try_collapse, "
          "disablethp");
ABSL_FLAG(int, rounds, 400, "rounds of the fragmenting service (1..100000)");
ABSL_FLAG(int, burst_mib, 24, "MiB allocated per round (1..1024)");
ABSL_FLAG(int, keep_every, 1, "every n-th object of a round survives it (1..1000)");
ABSL_FLAG(int, die_percent, 0, "percent of older survivors that die each request round (0..100)");
ABSL_FLAG(int, grow_rounds, 50, "request rounds per load wave; 0 = no quiet rounds (0..100000)");
ABSL_FLAG(int, shrink_percent, 50, "percent of survivors that die in a wave's quiet round (0..100)");
ABSL_FLAG(int, round_ms, 50, "virtual busy time per round, ms (1..60000)");
ABSL_FLAG(int, buffer_kib, 1024, "the growing buffer's size in round 0, KiB; 0 = none (0..1048576)");
ABSL_FLAG(int, buffer_step_kib, 256, "how much the buffer grows per round, KiB (0..1048576)");
ABSL_FLAG(uint64_t, seed, 1, "seed of the workload's random choices");
ABSL_FLAG(int, gomaxprocs, 2,
          "GOMAXPROCS (1..256); the GOMAXPROCS environment variable, when set, overrides it");
THP_FLAG_RANGE(rounds, 1, 100000);
THP_FLAG_RANGE(burst_mib, 1, 1024);
THP_FLAG_RANGE(keep_every, 1, 1000);
THP_FLAG_RANGE(die_percent, 0, 100);
THP_FLAG_RANGE(grow_rounds, 0, 100000);
THP_FLAG_RANGE(shrink_percent, 0, 100);
THP_FLAG_RANGE(round_ms, 1, 60000);
THP_FLAG_RANGE(buffer_kib, 0, 1 << 20);
THP_FLAG_RANGE(buffer_step_kib, 0, 1 << 20);
THP_FLAG_RANGE(seed, 0, UINT64_MAX);
THP_FLAG_RANGE(gomaxprocs, 1, 256);
ABSL_FLAG(std::string, trace_out, "", "also write the workload as a trace (bench/workloads/trace_format.h)");
ABSL_FLAG(std::string, svg_out, "",
          "write the arena at the VMA peak (VMA flags over span states) as SVG here");
ABSL_FLAG(bool, quiet, false, "no progress or summary on stderr");

namespace thp {
namespace {

// `gomaxprocs`: the flag's or the environment's (RuntimeEnvOrExit).
FragmenterOptions WorkloadFromFlags(int gomaxprocs) {
  FragmenterOptions o;
  o.rounds = absl::GetFlag(FLAGS_rounds);
  const int burst = absl::GetFlag(FLAGS_burst_mib);
  o.burst_bytes = uint64_t(burst) << 20;
  o.keep_every = absl::GetFlag(FLAGS_keep_every);
  o.die_percent = absl::GetFlag(FLAGS_die_percent);
  o.grow_rounds = absl::GetFlag(FLAGS_grow_rounds);
  o.shrink_percent = absl::GetFlag(FLAGS_shrink_percent);
  const int round_ms = absl::GetFlag(FLAGS_round_ms);
  o.round_ns = int64_t{round_ms} * 1000000;
  const int buffer = absl::GetFlag(FLAGS_buffer_kib);
  o.buffer_bytes = uint64_t(buffer) << 10;
  const int step = absl::GetFlag(FLAGS_buffer_step_kib);
  o.buffer_step_bytes = uint64_t(step) << 10;
  o.seed = absl::GetFlag(FLAGS_seed);
  o.gomaxprocs = gomaxprocs;
  return o;
}


struct Outcome {
  std::string error;  // the fatal error, empty if the workload completed
  int round = 0;      // the round running at the end
};

std::string ReportLine(const std::string& variant, const KernelChoice& choice, int64_t limit,
                       const std::string& thp_mode, TraceReplayer& rep, const RefusalLog& log,
                       const Outcome& out) {
  rep.ObserveCensus();
  const MemStats& m = rep.runtime().heap().stats();
  const CensusKernel& c = rep.census();
  std::string line = absl::StrFormat(
      "vma_limit variant=%s kernel=%s profile=%s max_map_count=%d thp_mode=%s outcome=%s round=%d "
      "virtual_s=%.3f map_count=%d max_map_count_seen=%d runtime_vmas=%d go_equivalent_vmas=%d "
      "heap_sys=%d heap_inuse=%d heap_released=%d refused_splits=%d refused_mmaps=%d",
      variant, choice.kernel, choice.kernel == "sim" ? choice.profile : "host", limit, thp_mode,
      out.error.empty() ? "completed" : "crash", out.round, rep.stats().virtual_ns / 1e9,
      c.current().process, c.max_process(), c.current().own,
      c.current().own + kGoStaticBinaryVmas, m.heap_sys, m.heap_inuse, m.heap_released,
      log.refused_splits(), log.refused_mmaps());
  if (!out.error.empty()) absl::StrAppendFormat(&line, " error=\"%s\"", out.error);
  return line;
}

void PrintSummary(TraceReplayer& rep, const RefusalLog& log, const Outcome& out) {
  const MemStats& m = rep.runtime().heap().stats();
  std::fprintf(stderr, "vma_limit: %s after round %d: heap_sys %.1f MiB (%.1f MiB in use, %.1f MiB released), "
               "map_count %ld\n",
               out.error.empty() ? "completed" : "crashed", out.round, m.heap_sys / 1048576.0,
               m.heap_inuse / 1048576.0, m.heap_released / 1048576.0,
               static_cast<long>(rep.census().current().process));
  if (log.refused_splits() > 0) {
    const RefusedCall& f = log.first_refused_split();
    std::fprintf(stderr,
                 "vma_limit: %ld flag changes refused by the kernel and ignored by the runtime; "
                 "the first: %s with map_count %ld\n",
                 static_cast<long>(log.refused_splits()), RefusedCallToString(f).c_str(),
                 static_cast<long>(f.map_count));
  }
  if (!log.last_refused_map().op.empty()) {
    const RefusedCall& f = log.last_refused_map();
    std::fprintf(stderr, "vma_limit: the fatal refusal: %s with map_count %ld\n",
                 RefusedCallToString(f).c_str(), static_cast<long>(f.map_count));
  }
  std::fprintf(stderr, "vma_limit: madvise %s\n",
               rep.runtime().mem().counters().Summary().c_str());
}

int Main(int argc, char** argv) {
  ReexecWithFixedLayout(argc, argv);
  ParseFlagsOrExit(argc, argv,
                   "Runs a fragmenting Go 1.5 heap under GODEBUG=scavenge=1 until "
                   "vm.max_map_count stops it.\n  vma_limit --variant=prefix "
                   "--kernel=linux|sim [--max_map_count=N --sim_thp=MODE (sim)]");
  SetThrowExitStatus(1);
  // GODEBUG (thpvariant overrides --variant; scavenge=1 unless it says
  // otherwise, the setting this workload was built for), GOGC and
  // GOMAXPROCS (over --gomaxprocs), as every driver that runs the ported
  // runtime reads them; the P count is also what the workload's
  // allocations alternate over.
  const RuntimeEnv env = RuntimeEnvOrExit(absl::GetFlag(FLAGS_variant), ScavengeDefault::kOn);
  const FragmenterOptions w = WorkloadFromFlags(env.options.gomaxprocs);
  const std::string variant = env.options.variant;
  const bool quiet = absl::GetFlag(FLAGS_quiet);
  const KernelChoice choice = KernelChoiceFromFlags();
  // The workload's events first: the vector holding them is one mapping of
  // glibc's (about 160 MB), so it must exist before the simulated kernel
  // counts the process's own VMAs (--sim_baseline=auto), as it exists
  // during the real kernel's run.
  const std::vector<TraceEvent> events = FragmenterTrace(w);
  std::unique_ptr<Kernel> kernel = MakeKernelOrExit(choice);
  {
    absl::StatusOr<std::unique_ptr<MemLinux>> probe = NewMemLinux(*kernel, variant);
    if (!probe.ok()) ExitUsage(absl::StrCat("--variant: ", probe.status().message()));
  }
  const std::string trace_out = absl::GetFlag(FLAGS_trace_out);
  if (!trace_out.empty()) {
    std::string text = "thp-trace 1\n";
    for (const TraceEvent& e : events) absl::StrAppend(&text, FormatTraceEvent(e), "\n");
    if (!WriteFile(trace_out, text)) ExitUsage(absl::StrCat("--trace_out=", trace_out, ": cannot write"));
  }
  absl::StatusOr<KernelSettings> settings = KernelSettingsOf(choice);
  ExitIfError(settings.status());
  const int64_t limit = settings->max_map_count;
  const std::string& thp_mode = settings->thp_mode;
  if (choice.kernel == "linux") ReserveOwnHeap();

  // The log sits under the census, so it sees exactly what the runtime asks.
  const TraceReplayer* clock_owner = nullptr;
  RefusalLog log(*kernel, [&clock_owner] { return clock_owner ? clock_owner->now_ns() : 0; });
  RuntimeOptions ro = env.options;
  ro.gomaxprocs = w.gomaxprocs;
  ro.touch_memory = true;
  absl::StatusOr<std::unique_ptr<TraceReplayer>> made =
      TraceReplayer::Create(log, ro, env.scavenge_debug, nullptr);
  ExitIfError(made.status());
  TraceReplayer& rep = **made;
  clock_owner = &rep;
  // Near the limit one /proc/self/maps read takes milliseconds: count at the
  // end of each round and at the end, not after every call.
  rep.set_census_every_call(false);

  Outcome out;
  // The address map at the peak, taken at each new maximum of the census
  // (which counts once per round here). On the real kernel one capture near
  // the limit reads 65,530 VMAs from /proc, so there a new one is taken only
  // when the count has grown by 5% since the last; at a crash the count is
  // at its peak and one is always taken.
  const std::string svg_out = absl::GetFlag(FLAGS_svg_out);
  AddressMap peak;
  int64_t captured_at = 0;
  auto capture = [&] {
    const CensusKernel& c = rep.census();
    peak = CaptureAddressMap(
        *kernel, rep.runtime().heap(), absl::StrCat(variant, " (", choice.kernel, ")"),
        absl::StrFormat("%d VMAs in the process, %d of them the runtime's, at t=%.3fs of virtual "
                        "time (round %d)",
                        c.current().process, c.current().own, rep.now_ns() / 1e9, out.round));
    captured_at = c.current().own;
  };
  if (!svg_out.empty()) {
    rep.set_on_census_peak([&] {
      if (choice.kernel == "sim" || rep.census().current().own * 20 >= captured_at * 21) {
        capture();
      }
    });
  }
  // 0, or 2 after one line if the map cannot be written.
  auto write_svg = [&] {
    return WriteOutputs("vma_limit", "", {{"svg_out", svg_out, [&] {
                                             return RenderAddressMapsSvg(
                                                 {peak}, absl::StrFormat(
                                                             "vma_limit: the arena at the VMA peak "
                                                             "(variant=%s, max_map_count=%d; VMA "
                                                             "counts taken once per round)",
                                                             variant, limit));
                                           }}});
  };

  const Progress progress("vma_limit", variant, quiet);
  absl::Status st;
  {
    // Go's fatal error ends the run; the report comes first.
    ScopedThrowHook hook([&](absl::string_view message) {
      out.error = std::string(message);
      std::printf("%s\n", ReportLine(variant, choice, limit, thp_mode, rep, log, out).c_str());
      if (!quiet) PrintSummary(rep, log, out);
      if (!svg_out.empty()) capture();
      // Exit 1 (a Go fatal error), unless the map or stdout could not be
      // written: then 2, which ranks above it (CombineExitStatus).
      const int status = FinishMain(CombineExitStatus({1, write_svg()}));
      if (status != 1) std::_Exit(status);
    });
    st = rep.Run(events, [&](const TraceEvent& label) {
      rep.ObserveCensus();
      if (out.round % 10 == 0) {
        progress.Line(absl::StrFormat("round %d/%d map_count=%d heap_sys=%.0f MiB", out.round,
                                      w.rounds, rep.census().current().process,
                                      rep.runtime().heap().stats().heap_sys / 1048576.0));
      }
      ++out.round;
      (void)label;
    });
  }
  ExitIfError(st);
  std::printf("%s\n", ReportLine(variant, choice, limit, thp_mode, rep, log, out).c_str());
  if (!quiet) PrintSummary(rep, log, out);
  return write_svg();
}

}  // namespace
}  // namespace thp

int main(int argc, char** argv) { return thp::Main(argc, argv); }
