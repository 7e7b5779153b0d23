#include "bench/harness/kernel_choice.h"

#include <memory>
#include <utility>

#include "absl/flags/flag.h"
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
ABSL_FLAG(std::string, max_map_count, "auto",
          "simulated vm.max_map_count; auto = this machine's /proc/sys/vm/max_map_count");
ABSL_FLAG(std::string, sim_baseline, "auto",
          "VMAs the simulated process has besides the runtime's; auto = this process's "
          "count at start-up, so limits fall where the real kernel's do");

namespace thp {

KernelChoice KernelChoiceFromFlags() {
  KernelChoice c;
  c.kernel = absl::GetFlag(FLAGS_kernel);
  c.profile = absl::GetFlag(FLAGS_kernel_profile);
  c.max_map_count = absl::GetFlag(FLAGS_max_map_count);
  c.sim_baseline = absl::GetFlag(FLAGS_sim_baseline);
  return c;
}

namespace {

absl::StatusOr<int64_t> AutoOrNumber(const std::string& flag, const std::string& value,
                                     int64_t auto_value) {
  if (value == "auto") return auto_value;
  int64_t n = 0;
  if (!absl::SimpleAtoi(value, &n) || n < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, "=", value, ": expected auto or a non-negative integer"));
  }
  return n;
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

absl::StatusOr<std::unique_ptr<Kernel>> MakeKernel(const KernelChoice& c) {
  absl::StatusOr<KernelProfile> profile = KernelProfileByName(c.profile);
  if (!profile.ok()) return absl::InvalidArgumentError(absl::StrCat("--kernel_profile: ", profile.status().message()));
  if (c.kernel == "linux") {
    if (c.profile != "linux6") {
      return absl::InvalidArgumentError(absl::StrCat(
          "--kernel_profile=", c.profile,
          ": the real kernel behaves as it does (linux6); use --kernel=sim for other profiles"));
    }
    if (c.max_map_count != "auto" || c.sim_baseline != "auto") {
      return absl::InvalidArgumentError(
          "--max_map_count and --sim_baseline apply to --kernel=sim only; this tool never "
          "changes the machine's sysctl settings");
    }
    return InHintlessWindow(std::make_unique<LinuxKernel>());
  }
  if (c.kernel != "sim") {
    return absl::InvalidArgumentError(
        absl::StrCat("--kernel=", c.kernel, ": unknown kernel (accepted: linux, sim)"));
  }
  SimOptions o;
  o.profile = *profile;
  absl::StatusOr<ThpMode> mode = ReadThpMode();
  o.thp_mode = mode.ok() ? *mode : ThpMode::kMadvise;
  absl::StatusOr<int64_t> machine_limit = ReadMaxMapCount();
  absl::StatusOr<int64_t> limit =
      AutoOrNumber("max_map_count", c.max_map_count, machine_limit.ok() ? *machine_limit : 65530);
  if (!limit.ok()) return limit.status();
  o.max_map_count = *limit;
  LinuxKernel self;
  absl::StatusOr<int64_t> baseline = AutoOrNumber("sim_baseline", c.sim_baseline, self.MapCount());
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
