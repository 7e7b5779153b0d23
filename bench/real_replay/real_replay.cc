// bench/real_replay: Go 1.5.1's own heap history through the port. Replays
// a heap-event log recorded from Go 1.5.1's runtime (tools/go151/, format
// tools/go151/FORMAT.md) through the ported MHeap, a memory-layer variant
// and a kernel, with vma_repro's VMA census, checking every decision
// against Go's (mheap/go15/replay/heap_replay.h).
//
//   bazel run -c opt //bench:real_replay -- --kernel=sim
//       --trace=$PWD/testdata/go151_heaplog/smoke_prefix.hlog.xz
//       [--variant=fixed] [--kernel_profile=linux2015] [--json_out=F]   (one line)
//
// With the variant the log was recorded with (the default: its config's
// build) every decision is checked, madvise calls included; with another
// it answers "what would variant V have done with Go 1.5.1's exact heap
// history": the heap's decisions must still match, the madvise calls are
// the variant's own and go unchecked.
//
// Progress goes to stderr (--quiet silences it), one report line to
// stdout. Exit status: 0; 1 on a divergence (its record, field, both values
// and the heap around it on stderr, and in the JSON); 2 for bad flags or a
// log that cannot be replayed (unreadable, records lost, cut short), or an
// output that cannot be written.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "bench/harness/cli.h"
#include "bench/harness/fixed_layout.h"
#include "bench/harness/kernel_choice.h"
#include "bench/harness/outputs.h"
#include "bench/harness/progress.h"
#include "bench/report/real_replay_report.h"
#include "mheap/go15/events/heap_event_log.h"
#include "mheap/go15/replay/heap_replay.h"
#include "runtime_port/kernel/census_kernel.h"

ABSL_FLAG(std::string, trace, "",
          "heap-event log recorded by Go 1.5.1 (tools/go151/FORMAT.md; raw or xz), required");
ABSL_FLAG(std::string, variant, "",
          "memory-layer variant to replay through (none, prefix, fixed, fixed_batched, "
          "disablethp); default: the build the log was recorded with");
ABSL_FLAG(std::string, json_out, "", "write the report (and any divergence) as JSON here");
ABSL_FLAG(bool, quiet, false, "no progress lines on stderr");

namespace thp {
namespace {

using heaplog::HeapEvent;
using heaplog::HeapEventReader;
using heaplog::HeapReplay;

[[noreturn]] void ExitBadLog(const std::string& path, absl::string_view why) {
  std::fprintf(stderr, "real_replay: %s: %s\n", path.c_str(), std::string(why).c_str());
  std::exit(2);
}

int Run() {
  const std::string path = absl::GetFlag(FLAGS_trace);
  if (path.empty()) {
    ExitUsage("--trace is required (a heap-event log, e.g. testdata/go151_heaplog/smoke_prefix.hlog.xz)");
  }
  absl::StatusOr<std::optional<heaplog::Config>> config = heaplog::PeekConfig(path);
  if (!config.ok()) ExitUsage(absl::StrCat("--trace=", path, ": ", config.status().message()));
  ReplayReport rep;
  rep.trace = path;
  rep.build = config->has_value() ? (*config)->build : "";
  rep.variant = absl::GetFlag(FLAGS_variant);
  if (rep.variant.empty()) rep.variant = rep.build;
  if (rep.variant.empty()) {
    ExitUsage(absl::StrCat("--variant: the log names no build; give one (none, prefix, fixed, "
                           "fixed_batched, disablethp)"));
  }
  const KernelChoice kc = KernelChoiceFromFlags();
  rep.kernel = kc.kernel;
  rep.profile = kc.profile;
  absl::StatusOr<std::unique_ptr<Kernel>> kernel = MakeKernel(kc);
  ExitIfError(kernel.status());

  VirtualClock clock;
  CensusKernel census(**kernel, [&clock] { return clock.NanoTime(); });
  census.Observe();
  heaplog::ReplayOptions opts;
  opts.variant = rep.variant;
  opts.recorded_build = rep.build;
  opts.nprocs = config->has_value() ? static_cast<int>((*config)->gomaxprocs) : 1;
  absl::StatusOr<std::unique_ptr<HeapReplay>> replay = HeapReplay::Create(census, clock, opts);
  if (!replay.ok()) ExitUsage(absl::StrCat("--variant=", rep.variant, ": ", replay.status().message()));
  HeapReplay& r = **replay;
  rep.madvise_checked = r.check_madvise();

  absl::StatusOr<std::unique_ptr<HeapEventReader>> reader = HeapEventReader::Open(path);
  if (!reader.ok()) ExitUsage(absl::StrCat("--trace=", path, ": ", reader.status().message()));
  const Progress progress("real_replay", rep.variant, absl::GetFlag(FLAGS_quiet));
  const absl::Time start = absl::Now();
  std::string bench;
  HeapEvent e;
  for (;;) {
    absl::StatusOr<bool> more = (*reader)->Next(&e);
    if (!more.ok()) ExitBadLog(path, more.status().message());
    if (!*more) break;
    if (absl::Status s = r.Apply(e); !s.ok()) ExitBadLog(path, s.message());
    if (r.divergence().has_value()) break;
    if (r.benchmark() != bench) {
      bench = r.benchmark();
      progress.Line(absl::StrCat(bench, " at record ", r.counts().records));
    }
  }
  if (absl::Status s = r.Finish(); !s.ok()) ExitBadLog(path, s.message());
  rep.wall_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  FillReport(r, census, &rep);

  if (r.divergence().has_value()) std::fprintf(stderr, "%s", r.divergence()->Describe().c_str());
  const std::optional<heaplog::Divergence>& divergence = r.divergence();
  const int outputs = WriteOutputs("real_replay", FormatReportLine(rep) + "\n",
                     {{"json_out", absl::GetFlag(FLAGS_json_out),
                       [&rep, &divergence] { return FormatReportJson(rep, divergence); }}});
  return CombineExitStatus({divergence.has_value() ? 1 : 0, outputs});
}

}  // namespace
}  // namespace thp

int main(int argc, char** argv) {
  thp::ReexecWithFixedLayout(argc, argv);
  thp::ParseFlagsOrExit(argc, argv,
                        "Replays a heap-event log recorded by Go 1.5.1 through the ported heap and "
                        "checks every decision.\n  real_replay --trace=F [--variant=V] "
                        "[--kernel=linux|sim] [--kernel_profile=linux6|linux2015] [--json_out=F]");
  return thp::Run();
}
