// bench/thp_bloat: Go issue 8832's RSS bloat. Runs the goroutine
// program (bench/workloads/issue8832.h) through the ported runtime with each
// memory-layer variant under GODEBUG=scavenge=1, once as the machine runs it
// and once with khugepaged emulated in THP "always" mode after every
// scavenge pass (runtime_port/khugepaged_emulator.h), and reports the arena's
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
// --max_ptes_none is the emulation's threshold on both kernels: a region is
// collapsed only if at most that many of its 512 pages are absent. On the
// simulated kernel that is the whole rule, as khugepaged applies it; on the
// real kernel the emulation applies it before calling MADV_COLLAPSE, which
// itself ignores max_ptes_none (and every other sysfs setting). The machine's
// own /sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_none is never
// read or changed.
//
// Each run is a child process of its own (a fresh address space, so every
// run's heap starts at the same address); runs go one at a time so the
// collapse latencies are not measured against each other. Progress goes to
// stderr (--quiet silences it). Exit status 0; 1 if a run failed (its row
// says why); 2 for bad flags.

#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/bloat_report.h"
#include "bench/bloat_run.h"
#include "bench/cli.h"
#include "bench/report_format.h"
#include "bench/fixed_layout.h"
#include "bench/kernel_choice.h"
#include "bench/runtime_env.h"
#include "runtime_port/linux_kernel.h"
#include "runtime_port/mem_linux.h"
#include "runtime_port/proc_maps.h"
#include "runtime_port/sim_kernel.h"

ABSL_FLAG(std::string, variants, "none,prefix,fixed",
          "comma-separated memory-layer variants (any variant the kernel can run)");
ABSL_FLAG(int, max_ptes_none, 511,
          "the emulated khugepaged's max_ptes_none, 0..511: collapse a 2 MiB region only if at "
          "most this many of its 512 pages are absent (applied by the emulation on both kernels; "
          "the real MADV_COLLAPSE itself has no such threshold)");
ABSL_FLAG(std::string, json_out, "", "write every figure as JSON here");
ABSL_FLAG(std::string, csv_out, "", "write one CSV row per variant here");
ABSL_FLAG(bool, quiet, false, "no progress lines on stderr");
ABSL_FLAG(std::string, child_variant, "", "internal: run one variant and write its result");
ABSL_FLAG(bool, child_khugepaged, false, "internal: the child runs with the emulation");
ABSL_FLAG(std::string, child_result, "", "internal: where the child writes its result");

namespace thp {
namespace {

struct Setup {
  KernelChoice kernel;
  BloatRunOptions run;
};

Setup SetupOrExit() {
  Setup s;
  s.kernel = KernelChoiceFromFlags();
  const int max_none = absl::GetFlag(FLAGS_max_ptes_none);
  if (max_none < 0 || max_none > kDefaultMaxPtesNone) {
    ExitUsage(absl::StrCat("--max_ptes_none=", max_none, ": expected 0 to ", kDefaultMaxPtesNone));
  }
  s.run.emulator.max_ptes_none = max_none;
  // GODEBUG=scavenge=1 unless GODEBUG says otherwise: the minutes
  // become milliseconds.
  const RuntimeEnv env = RuntimeEnvOrExit("none");
  const char* godebug = std::getenv("GODEBUG");
  s.run.scavenge_debug =
      godebug != nullptr && absl::StrContains(godebug, "scavenge=") ? env.debug.scavenge > 0 : true;
  s.run.runtime = env.options;
  s.run.runtime.touch_memory = true;
  return s;
}

std::vector<std::string> VariantsOrExit(const Setup& s) {
  absl::StatusOr<std::unique_ptr<Kernel>> probe = MakeKernel(s.kernel);
  ExitIfError(probe.status());
  const std::string flag = absl::GetFlag(FLAGS_variants);
  std::vector<std::string> out;
  for (const std::string& v : SplitList(flag)) {
    // NewMemLinux checks the name and that the kernel has the advices.
    absl::StatusOr<std::unique_ptr<MemLinux>> m = NewMemLinux(**probe, v, MemLinuxOptions());
    if (!m.ok()) ExitUsage(absl::StrCat("--variants: ", m.status().message()));
    out.push_back(v);
  }
  if (out.empty()) ExitUsage(absl::StrCat("--variants=", flag, ": no variant to run"));
  return out;
}

int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

int RunChild(const Setup& s) {
  const std::string out = absl::GetFlag(FLAGS_child_result);
  absl::StatusOr<std::unique_ptr<Kernel>> kernel = MakeKernel(s.kernel);
  ExitIfError(kernel.status());
  BloatRunOptions o = s.run;
  o.runtime.variant = absl::GetFlag(FLAGS_child_variant);
  o.khugepaged = absl::GetFlag(FLAGS_child_khugepaged);
  if ((*kernel)->Name() == "linux") {
    o.emulator.wall_ns = MonotonicNs;  // the simulated kernel's collapses take no time
  } else if (!(*kernel)->Supports(Advice::kCollapse)) {
    // A 2015 kernel had khugepaged but no MADV_COLLAPSE.
    SimulatedKernel* sim = dynamic_cast<SimulatedKernel*>(kernel->get());
    if (sim == nullptr) ExitUsage(absl::StrCat("kernel ", (*kernel)->Name(), " has no MADV_COLLAPSE"));
    o.emulator.collapse = [sim](uintptr_t region) { return sim->CollapseRegion(region); };
  }
  absl::StatusOr<BloatResult> r = RunBloat(**kernel, o);
  ExitIfError(r.status());
  if (!WriteFile(out, SerializeBloatResult(*r))) {
    std::fprintf(stderr, "thp_bloat: cannot write %s\n", out.c_str());
    return 2;
  }
  return 0;
}

// Runs one child to completion; its result, or an error message.
absl::StatusOr<BloatResult> RunOneChild(int argc, char** argv, const std::string& variant,
                                        bool khugepaged, const std::string& result_path) {
  const pid_t pid =
      SpawnSelf(argc, argv, {absl::StrCat("--child_variant=", variant),
                             absl::StrCat("--child_khugepaged=", khugepaged ? "true" : "false"),
                             absl::StrCat("--child_result=", result_path)});
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return absl::InternalError("waitpid failed");
  absl::StatusOr<std::string> text = ReadWholeFile(result_path);
  std::remove(result_path.c_str());
  if (WIFSIGNALED(status)) {
    return absl::InternalError(absl::StrCat("child killed by signal ", WTERMSIG(status)));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !text.ok()) {
    return absl::InternalError(
        absl::StrFormat("child exited with status %d, no result", WEXITSTATUS(status)));
  }
  return ParseBloatResult(*text);
}

int RunParent(int argc, char** argv, const Setup& s) {
  const std::vector<std::string> variants = VariantsOrExit(s);
  const bool quiet = absl::GetFlag(FLAGS_quiet);
  char dir_template[] = "/tmp/thp_bloat.XXXXXX";
  const char* dir = mkdtemp(dir_template);
  if (dir == nullptr) ExitUsage("cannot create a temporary directory under /tmp");

  BloatReport report;
  report.kernel = s.kernel.kernel;
  report.profile = s.kernel.profile;
  report.max_ptes_none = s.run.emulator.max_ptes_none;
  absl::StatusOr<ThpMode> mode = ReadThpMode();
  report.thp_mode = mode.ok() ? std::string(ThpModeName(*mode)) : "unknown";
  if (!quiet && mode.ok() && *mode == ThpMode::kAlways) {
    std::fprintf(stderr, "thp_bloat: notice: THP mode is \"always\": the machine's own khugepaged "
                 "works on the heap too, so even the runs without the emulation are not free of "
                 "it\n");
  }
  bool failed = false;
  for (const std::string& v : variants) {
    BloatRow row;
    row.variant = v;
    for (bool khp : {false, true}) {
      if (!quiet) {
        std::fprintf(stderr, "thp_bloat: [%s] %s khugepaged...\n", v.c_str(),
                     khp ? "with" : "without");
      }
      absl::StatusOr<BloatResult> r =
          RunOneChild(argc, argv, v, khp, absl::StrCat(dir, "/", v, khp ? ".with" : ".without"));
      if (!r.ok()) {
        row.error = absl::StrCat(khp ? "with" : "without", " khugepaged: ", r.status().message());
        break;
      }
      (khp ? row.with : row.without) = *std::move(r);
    }
    failed |= !row.error.empty();
    report.rows.push_back(std::move(row));
  }
  rmdir(dir);

  std::printf("%s", FormatBloatTable(report).c_str());
  auto write = [](const std::string& path, const std::string& text, const char* flag) {
    WriteOutputOrExit("thp_bloat", flag, path, text);
  };
  write(absl::GetFlag(FLAGS_json_out), FormatBloatJson(report), "json_out");
  write(absl::GetFlag(FLAGS_csv_out), FormatBloatCsv(report), "csv_out");
  return failed ? 1 : 0;
}

}  // namespace
}  // namespace thp

int main(int argc, char** argv) {
  thp::ReexecWithFixedLayout(argc, argv);
  thp::ParseFlagsOrExit(argc, argv,
                        "Go issue 8832's RSS bloat: the arena's RSS per variant without and with "
                        "khugepaged emulated in THP \"always\" mode.\n  thp_bloat "
                        "[--variants=none,prefix,fixed] [--kernel=linux|sim] [--max_ptes_none=N] "
                        "[--json_out=F --csv_out=F] [--quiet]");
  const thp::Setup s = thp::SetupOrExit();
  if (!absl::GetFlag(FLAGS_child_variant).empty()) return thp::RunChild(s);
  return thp::RunParent(argc, argv, s);
}
