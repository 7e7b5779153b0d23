// bench/replay: runs a heap-event trace (bench/workloads/trace_format.h) through
// any memory-layer variant on the real or simulated kernel, with sysmon on
// the virtual clock, and reports the peak VMA count.
//
//   GODEBUG=scavenge=1 bazel run -c opt //bench:replay -- --trace=F --variant=prefix --kernel=sim
//
// GODEBUG (scavenge, gctrace, thpvariant), GOGC and GOMAXPROCS come from the
// environment. Every span the heap hands out is touched (written), as a Go
// program would, and as vma_repro does. A bad trace line or event stops the run with one line naming
// the line number, exit status 2. The report is one line on stdout, written
// also when the run dies of a Go fatal error (then exit status 1, the
// drivers' status for a variant that died; Go's own is 2). The trace is read as it runs (only a loop's body is held),
// after a first pass that checks every line.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/harness/cli.h"
#include "bench/harness/fixed_layout.h"
#include "bench/harness/flag_range.h"
#include "bench/harness/kernel_choice.h"
#include "bench/harness/runtime_env.h"
#include "bench/workloads/trace_replayer.h"
#include "runtime_port/base/check.h"
#include "runtime_port/base/file_io.h"
#include "runtime_port/base/quote.h"

ABSL_FLAG(std::string, trace, "", "the trace file to replay (required)");
ABSL_FLAG(std::string, variant, "fixed", "memory-layer variant (GODEBUG thpvariant= overrides)");
ABSL_FLAG(std::string, heap, "go15", "the heap: go15 or go121 (mheap/heap_runtime)");
ABSL_FLAG(double, cpu_scale, 1.0,
          "how fast the Go 1.5 heap's runtime work (GC cycles, bgsweep) runs against the recorded "
          "run's machine (bench/workloads/cpu_scale.h; a trace holds no timings to take it from: "
          "vma_repro's JSON names the one its run used)");
THP_FLAG_RANGE_SAID(cpu_scale, 0, 100, true, "a number above 0, at most 100");

int main(int argc, char** argv) {
  thp::ReexecWithFixedLayout(argc, argv);
  thp::ParseFlagsOrExit(argc, argv, "Replays a heap-event trace through a variant and kernel.");
  thp::SetThrowExitStatus(1);
  const std::string path = absl::GetFlag(FLAGS_trace);
  if (path.empty()) thp::ExitUsage("--trace is required (a file in the format of bench/workloads/trace_format.h)");
  const thp::RuntimeEnv env = thp::RuntimeEnvOrExit(absl::GetFlag(FLAGS_variant));

  const std::string heap_name = absl::GetFlag(FLAGS_heap);
  thp::HeapKind heap = thp::HeapKind::kGo15;
  if (!thp::ParseHeapKind(heap_name, &heap)) {
    thp::ExitUsage(absl::StrCat("--heap=", thp::QuoteForError(heap_name), ": expected go15 or go121"));
  }
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) thp::ExitUsage(absl::StrCat("--trace=", path, ": ", std::strerror(errno)));
  // Every line is checked before any work starts.
  absl::StatusOr<thp::TraceReplayer::StreamableLoops> checked = thp::TraceReplayer::CheckTrace(f);
  if (!checked.ok()) thp::ExitUsage(absl::StrCat(path, ": ", checked.status().message()));
  std::rewind(f);

  std::unique_ptr<thp::Kernel> kernel = thp::MakeKernelOrExit(thp::KernelChoiceFromFlags());
  thp::RuntimeOptions o = env.options;
  // The workload writes what it is given, as in vma_repro: touched memory
  // has an anon_vma, which decides which VMAs the kernel may merge.
  o.touch_memory = true;
  o.cpu_scale = absl::GetFlag(FLAGS_cpu_scale);
  thp::GcTraceWriter sink = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  absl::StatusOr<std::unique_ptr<thp::TraceReplayer>> r =
      thp::TraceReplayer::Create(*kernel, o, env.scavenge_debug,
                                 env.debug.gctrace > 0 ? &sink : nullptr, /*vma_census=*/true, heap);
  thp::ExitIfError(r.status());
  thp::TraceReplayer& rep = **r;
  // The report line, also written when the run dies of a Go fatal error
  // (the VMA limit, out of memory): what it measured up to then is kept.
  auto report = [&] {
    const thp::ReplayStats s = rep.stats();
    const thp::HeapFigures m = rep.heap_runtime().Figures();
    std::printf("%s\n",
                absl::StrFormat(
                    "replay variant=%s kernel=%s%s events=%d virtual_s=%.3f gc=%d scavenges=%d "
                    "max_vmas=%d final_vmas=%d max_runtime_vmas=%d heap_sys=%d heap_released=%d "
                    "madvise: %s",
                    o.variant, kernel->Name(), heap == thp::HeapKind::kGo15 ? "" : " heap=go121",
                    s.events, static_cast<double>(s.virtual_ns) / 1e9, m.gc_cycles,
                    m.scavenge_passes, s.max_vmas, s.final_vmas, s.max_own_vmas, m.heap_sys,
                    m.heap_released, rep.heap_runtime().counters().Summary())
                    .c_str());
    // Not flushed here: the fatal path flushes (check.h), and the normal
    // one at exit, where a write error is reported with its errno.
  };
  absl::Status st;
  {
    // Exit 1 (a Go fatal error), or 2 if the report cannot be written.
    thp::ScopedThrowHook hook([&](absl::string_view) {
      report();
      if (const int status = thp::FinishMain(1); status != 1) std::_Exit(status);
    });
    st = rep.RunStream(f, nullptr, *checked);
  }
  std::fclose(f);
  if (!st.ok()) thp::ExitUsage(absl::StrCat(path, ": ", st.message()));
  report();
  return 0;
}
