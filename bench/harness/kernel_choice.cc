#include "bench/harness/kernel_choice.h"

#include <functional>
#include <memory>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bench/harness/cli.h"
#include "runtime_port/kernel/hintless_window_kernel.h"
#include "runtime_port/kernel/kernel_profile.h"
#include "runtime_port/kernel/linux_kernel.h"
#include "runtime_port/kernel/sim_kernel.h"

ABSL_FLAG(std::string, kernel, "linux",
          "linux (this machine's kernel) or sim (the simulated kernel)");
ABSL_FLAG(std::string, kernel_profile, "linux6",
          "simulated kernel behaviour: linux6 (today's kernels) or linux2015 (what Go 1.5 "
          "met: EINVAL on re-flagging, no MADV_COLLAPSE); the real kernel is linux6");
ABSL_FLAG(std::string, sim_thp, thp::kDefaultSimThp,
          "simulated transparent_hugepage/enabled: madvise, always or never; auto = this "
          "machine's /sys/kernel/mm/transparent_hugepage/enabled (--kernel=sim only)");
ABSL_FLAG(std::string, max_map_count, thp::kDefaultMaxMapCount,
          "simulated vm.max_map_count: a non-negative integer; auto = this machine's "
          "/proc/sys/vm/max_map_count (--kernel=sim only)");
ABSL_FLAG(std::string, sim_baseline, "auto",
          "VMAs the simulated process has besides the runtime's; auto = this process's "
          "count at start-up, so limits fall where the real kernel's do");

namespace thp {

KernelChoice KernelChoiceFromFlags() {
  KernelChoice c;
  c.kernel = absl::GetFlag(FLAGS_kernel);
  c.profile = absl::GetFlag(FLAGS_kernel_profile);
  c.sim_thp = absl::GetFlag(FLAGS_sim_thp);
  c.max_map_count = absl::GetFlag(FLAGS_max_map_count);
  c.sim_baseline = absl::GetFlag(FLAGS_sim_baseline);
  return c;
}

namespace {

// `value` as a number, or for "auto" what `read_auto` gives (called only
// then, so a machine setting is read only when asked for).
absl::StatusOr<int64_t> AutoOrNumber(const std::string& flag, const std::string& value,
                                     const std::function<absl::StatusOr<int64_t>()>& read_auto) {
  if (value == "auto") {
    absl::StatusOr<int64_t> v = read_auto();
    if (!v.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--", flag, "=auto: cannot read this machine's setting: ", v.status().message()));
    }
    return *v;
  }
  int64_t n = 0;
  if (!absl::SimpleAtoi(value, &n) || n < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, "=", value, ": expected auto or a non-negative integer"));
  }
  return n;
}

absl::StatusOr<ThpMode> SimThpMode(const std::string& value) {
  if (value == "madvise") return ThpMode::kMadvise;
  if (value == "always") return ThpMode::kAlways;
  if (value == "never") return ThpMode::kNever;
  if (value == "auto") {
    absl::StatusOr<ThpMode> mode = ReadThpMode();
    if (!mode.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--sim_thp=auto: cannot read this machine's THP mode: ", mode.status().message()));
    }
    return *mode;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--sim_thp=", value, ": expected madvise, always, never or auto"));
}

// A --kernel=sim flag set away from its default with --kernel=linux.
absl::Status SimOnly(const std::string& flag, const std::string& value,
                     const std::string& default_value, const char* why) {
  if (value == default_value) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("--", flag, "=", value, ": applies to --kernel=sim only (", why, ")"));
}

// Every driver's kernel places the runtime's hint-less mappings in a window
// of their own (hintless_window_kernel.h), on the real kernel as on the
// simulated one, so both place and merge them as a static Go binary would.
std::unique_ptr<Kernel> InHintlessWindow(std::unique_ptr<Kernel> inner) {
  return std::make_unique<HintlessWindowKernel>(std::move(inner));
}

}  // namespace

SimulatedKernel* SimulatedKernelOf(Kernel& k) {
  if (auto* w = dynamic_cast<HintlessWindowKernel*>(&k)) return SimulatedKernelOf(w->inner());
  return dynamic_cast<SimulatedKernel*>(&k);
}

absl::StatusOr<SimSettings> ResolveSimSettings(const KernelChoice& c) {
  SimSettings s;
  absl::StatusOr<ThpMode> mode = SimThpMode(c.sim_thp);
  if (!mode.ok()) return mode.status();
  s.thp_mode = *mode;
  absl::StatusOr<int64_t> limit = AutoOrNumber("max_map_count", c.max_map_count, &ReadMaxMapCount);
  if (!limit.ok()) return limit.status();
  s.max_map_count = *limit;
  return s;
}

absl::StatusOr<KernelSettings> KernelSettingsOf(const KernelChoice& c) {
  KernelSettings out;
  if (c.kernel == "sim") {
    absl::StatusOr<SimSettings> sim = ResolveSimSettings(c);
    if (!sim.ok()) return sim.status();
    out.thp_mode = std::string(ThpModeName(sim->thp_mode));
    out.max_map_count = sim->max_map_count;
    return out;
  }
  absl::StatusOr<ThpMode> mode = ReadThpMode();
  out.thp_mode = mode.ok() ? std::string(ThpModeName(*mode)) : "unknown";
  absl::StatusOr<int64_t> limit = ReadMaxMapCount();
  out.max_map_count = limit.ok() ? *limit : -1;
  return out;
}

absl::StatusOr<std::unique_ptr<Kernel>> MakeKernel(const KernelChoice& c) {
  absl::StatusOr<KernelProfile> profile = KernelProfileByName(c.profile);
  if (!profile.ok()) return absl::InvalidArgumentError(absl::StrCat("--kernel_profile: ", profile.status().message()));
  if (c.kernel == "linux") {
    if (c.profile != "linux6") {
      return absl::InvalidArgumentError(absl::StrCat(
          "--kernel_profile=", c.profile,
          ": the real kernel behaves as it does (linux6); use --kernel=sim for other profiles"));
    }
    for (absl::Status st :
         {SimOnly("sim_thp", c.sim_thp, kDefaultSimThp,
                  "the real kernel runs in this machine's THP mode, which this tool never "
                  "changes"),
          SimOnly("max_map_count", c.max_map_count, kDefaultMaxMapCount,
                  "the real kernel keeps this machine's vm.max_map_count; this tool never "
                  "changes sysctl settings"),
          SimOnly("sim_baseline", c.sim_baseline, "auto",
                  "the real process has the VMAs it has")}) {
      if (!st.ok()) return st;
    }
    return InHintlessWindow(std::make_unique<LinuxKernel>());
  }
  if (c.kernel != "sim") {
    return absl::InvalidArgumentError(
        absl::StrCat("--kernel=", c.kernel, ": unknown kernel (accepted: linux, sim)"));
  }
  SimOptions o;
  o.profile = *profile;
  absl::StatusOr<SimSettings> settings = ResolveSimSettings(c);
  if (!settings.ok()) return settings.status();
  o.thp_mode = settings->thp_mode;
  o.max_map_count = settings->max_map_count;
  absl::StatusOr<int64_t> baseline =
      AutoOrNumber("sim_baseline", c.sim_baseline,
                   []() -> absl::StatusOr<int64_t> { return LinuxKernel().MapCount(); });
  if (!baseline.ok()) return baseline.status();
  o.baseline_vmas = *baseline;
  return InHintlessWindow(std::make_unique<SimulatedKernel>(o));
}

std::unique_ptr<Kernel> MakeKernelOrExit(const KernelChoice& choice) {
  absl::StatusOr<std::unique_ptr<Kernel>> kernel = MakeKernel(choice);
  ExitIfError(kernel.status());
  return *std::move(kernel);
}

}  // namespace thp
