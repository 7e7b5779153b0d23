// bench:repro_speed: how fast the main job's two stages run and how much
// memory each takes, so that a change that slows them shows (a benchmark,
// not a test: nothing here passes or fails).
//   stage 1, heap run: the workload's events through the ported heap on
//     the chosen kernel, each variant on its Go release's heap (as
//     vma_repro's default --heap=auto puts it), recording the memory-layer
//     stream (runtime_port/memstream), once per class of variants that take
//     the same heap decisions (HeapRunOf);
//   stage 2, replay: that stream through one variant's memory layer and
//     kernel, for each variant.
// Each stage runs in a child process of its own, one at a time; a row gives
// its wall time, what it processed (heap events, or stream records) per
// second, and the child's peak RSS (getrusage's ru_maxrss).
//
//   bazel run -c opt //bench:repro_speed -- [--kernel=sim] [--variants=a,b]
//       [--workloads=REGEX] [--benchtime=1s] [--json_out=F]   (one line)
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/harness/cli.h"
#include "bench/harness/fixed_layout.h"
#include "bench/harness/kernel_choice.h"
#include "bench/harness/outputs.h"
#include "bench/vma_repro/suite_runner.h"
#include "bench/workloads/bench_schedule.h"
#include "bench/workloads/go15_suite.h"
#include "mheap/heap_runtime/heap_runtime.h"
#include "runtime_port/base/quote.h"
#include "runtime_port/mem_linux/huge_page_policy.h"

ABSL_FLAG(std::string, variants, "none,prefix,fixed,hugepage_eager,collapse,disablethp",
          "comma-separated variants to replay (the first of each class runs the heap)");
ABSL_FLAG(std::string, workloads, "", "run only the benchmarks whose name matches this regex");
ABSL_FLAG(std::string, benchtime, "1s", "go test -benchtime (a duration, e.g. 1s, 100ms)");
ABSL_FLAG(std::string, json_out, "", "write the rows as JSON here");

namespace thp {
namespace {

struct StageRow {
  std::string stage;    // "heap run" or "replay"
  std::string variant;
  double wall_s = 0;
  int64_t items = 0;    // heap events (heap run) or stream records (replay)
  double items_per_s = 0;
  int64_t max_rss_kib = 0;
  std::string error;
};

// Runs `body` in a child and returns its wall time, the int64 it wrote and
// its peak RSS.
StageRow RunStage(const std::string& stage, const std::string& variant,
                  const std::function<int64_t()>& body) {
  StageRow row;
  row.stage = stage;
  row.variant = variant;
  int fds[2];
  if (pipe(fds) != 0) ExitUsage("repro_speed: pipe failed");
  const absl::Time start = absl::Now();
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    const int64_t items = body();
    const ssize_t w = write(fds[1], &items, sizeof items);
    _exit(w == sizeof items ? 0 : 1);
  }
  close(fds[1]);
  int64_t items = -1;
  const bool got = read(fds[0], &items, sizeof items) == sizeof items;
  close(fds[0]);
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  row.wall_s = absl::ToDoubleSeconds(absl::Now() - start);
  row.max_rss_kib = ru.ru_maxrss;
  if (!got || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    row.error = "child failed";
    return row;
  }
  row.items = items;
  row.items_per_s = row.wall_s > 0 ? static_cast<double>(items) / row.wall_s : 0;
  return row;
}

int64_t CountLines(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return 0;
  int64_t n = 0;
  for (int c; (c = std::getc(f)) != EOF;) n += c == '\n';
  std::fclose(f);
  return n;
}

int Main() {
  const KernelChoice kernel = KernelChoiceFromFlags();
  absl::StatusOr<std::vector<RecordedBenchmark>> timings = ReadBenchTimingsFile(kGo151TimingsFile);
  if (!timings.ok()) ExitUsage(absl::StrCat(kGo151TimingsFile, ": ", timings.status().message()));
  absl::StatusOr<std::vector<const Go15Benchmark*>> picked =
      PickGo15Benchmarks(absl::GetFlag(FLAGS_workloads));
  if (!picked.ok()) ExitUsage(picked.status().message());
  absl::Duration benchtime;
  const std::string bt = absl::GetFlag(FLAGS_benchtime);
  if (!absl::ParseDuration(bt, &benchtime) || benchtime <= absl::ZeroDuration() ||
      benchtime > absl::Hours(1)) {
    ExitUsage(absl::StrCat("--benchtime=", QuoteForError(bt), ": expected a duration above 0, at most 1h"));
  }
  SuiteOptions suite;
  suite.runtime.touch_memory = true;
  suite.runtime.gomaxprocs = 2;
  suite.benchtime_ns = absl::ToInt64Nanoseconds(benchtime);
  suite.profile = kernel.profile;
  absl::StatusOr<std::vector<ScheduledBenchmark>> scheduled =
      ScheduleBenchmarks(*picked, *timings, /*fix=*/false, 1.0, suite.benchtime_ns);
  if (!scheduled.ok()) ExitUsage(scheduled.status().message());
  suite.benchmarks = *std::move(scheduled);

  std::vector<std::string> variants = absl::StrSplit(absl::GetFlag(FLAGS_variants), ',');
  for (const std::string& v : variants) {
    absl::StatusOr<std::unique_ptr<HugePagePolicy>> p = MakeHugePagePolicy(v);
    if (!p.ok()) ExitUsage(absl::StrCat("--variants: ", p.status().message()));
  }
  char dir[] = "/tmp/repro_speed.XXXXXX";
  if (mkdtemp(dir) == nullptr) ExitUsage("repro_speed: cannot make a temporary directory");

  std::vector<StageRow> rows;
  // Each variant on its Go release's heap, as vma_repro's default puts it.
  std::vector<HeapKind> heaps;
  for (const std::string& v : variants) heaps.push_back(DefaultHeapOf(v));
  const std::vector<size_t> heap_run_of = HeapRunOf(variants, heaps);
  std::vector<std::string> stream_of(variants.size());
  std::vector<int64_t> records_of(variants.size());  // the stream's records, by heap run
  for (size_t i = 0; i < variants.size(); ++i) {
    if (heap_run_of[i] != i) continue;
    stream_of[i] = absl::StrCat(dir, "/", variants[i], ".memstream");
    const std::string path = stream_of[i];
    const std::string label = absl::StrCat(variants[i], " (", HeapKindName(heaps[i]), ")");
    std::fprintf(stderr, "repro_speed: heap run (%s)\n", label.c_str());
    rows.push_back(RunStage("heap run", label, [&, i, path] {
      SuiteOptions o = suite;
      o.runtime.variant = variants[i];
      o.heap = heaps[i];
      std::FILE* f = std::fopen(path.c_str(), "w");
      if (f == nullptr) return int64_t{-1};
      o.record = f;
      std::unique_ptr<Kernel> k = MakeKernelOrExit(kernel);
      const VariantResult r = RunSuite(*k, o, nullptr);
      std::fclose(f);
      return r.events;
    }));
    records_of[i] = CountLines(path) - 1;  // the header is not a record
  }
  for (size_t i = 0; i < variants.size(); ++i) {
    const std::string path = stream_of[heap_run_of[i]];
    const int64_t records = records_of[heap_run_of[i]];
    std::fprintf(stderr, "repro_speed: replay (%s)\n", variants[i].c_str());
    StageRow row = RunStage("replay", variants[i], [&, i, path, records] {
      ReplaySuiteOptions o;
      o.variant = variants[i];
      o.stream_path = path;
      o.profile = kernel.profile;
      std::unique_ptr<Kernel> k = MakeKernelOrExit(kernel);
      ReplaySuite(*k, o, nullptr);
      return records;
    });
    rows.push_back(row);
  }
  for (const std::string& s : stream_of) {
    if (!s.empty()) unlink(s.c_str());
  }
  rmdir(dir);

  std::string table = absl::StrFormat("%-9s %-23s %8s %12s %14s %10s\n", "stage", "variant",
                                      "wall_s", "items", "items_per_s", "rss_MiB");
  std::string json = absl::StrCat("{\n  \"kernel\": \"", kernel.kernel, "\",\n  \"stages\": [\n");
  for (size_t i = 0; i < rows.size(); ++i) {
    const StageRow& r = rows[i];
    absl::StrAppend(&table, absl::StrFormat("%-9s %-23s %8.1f %12d %14.0f %10.1f%s\n", r.stage,
                                            r.variant, r.wall_s, r.items, r.items_per_s,
                                            r.max_rss_kib / 1024.0,
                                            r.error.empty() ? "" : "  " + r.error));
    absl::StrAppend(&json, absl::StrFormat(
                               "    {\"stage\": \"%s\", \"variant\": \"%s\", \"wall_s\": %.3f, "
                               "\"items\": %d, \"items_per_s\": %.0f, \"max_rss_kib\": %d, "
                               "\"error\": \"%s\"}%s\n",
                               r.stage, r.variant, r.wall_s, r.items, r.items_per_s,
                               r.max_rss_kib, r.error, i + 1 < rows.size() ? "," : ""));
  }
  absl::StrAppend(&json, "  ]\n}\n");
  absl::StrAppend(&table, "items: heap events (heap run), memory-layer records (replay)\n");
  return WriteOutputs("repro_speed", table,
                      {{"json_out", absl::GetFlag(FLAGS_json_out), [&] { return json; }}});
}

}  // namespace
}  // namespace thp

int main(int argc, char** argv) {
  thp::ReexecWithFixedLayout(argc, argv);
  thp::ParseFlagsOrExit(argc, argv,
                        "Times the main job's stages: heap runs recording the memory-layer stream, "
                        "and its replay through each variant.\n  repro_speed [--kernel=linux|sim] "
                        "[--variants=a,b] [--workloads=REGEX] [--json_out=F]");
  return thp::FinishMain(thp::Main());
}
