// Choosing the kernel a driver runs on: --kernel, --kernel_profile,
// --sim_thp, --max_map_count and --sim_baseline, shared by every driver.
//
// The simulated kernel's THP mode and vm.max_map_count come from the flags,
// whose defaults (madvise, and Linux's default limit 65530) are what this
// project's figures are pinned for, so a --kernel=sim run gives the same
// numbers on every machine; "auto" reads this machine's setting, and only
// when asked. On --kernel=linux these flags must keep their defaults: the
// real kernel runs with the machine's settings, and nothing here changes
// them.
#ifndef THP_BENCH_HARNESS_KERNEL_CHOICE_H_
#define THP_BENCH_HARNESS_KERNEL_CHOICE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "runtime_port/kernel/kernel.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {

// The flags' defaults.
inline constexpr char kDefaultSimThp[] = "madvise";
inline constexpr char kDefaultMaxMapCount[] = "65530";

struct KernelChoice {
  std::string kernel = "linux";   // "linux" or "sim"
  std::string profile = "linux6"; // sim only: "linux6" or "linux2015"
  // sim only: transparent_hugepage/enabled, "madvise", "always" or "never";
  // "auto" = this machine's /sys/kernel/mm/transparent_hugepage/enabled.
  std::string sim_thp = kDefaultSimThp;
  // sim only: vm.max_map_count; "auto" = this machine's setting.
  std::string max_map_count = kDefaultMaxMapCount;
  // sim only: VMAs outside the model; "auto" = this process's count now.
  std::string sim_baseline = "auto";
};

// The KernelChoice the standard flags describe.
KernelChoice KernelChoiceFromFlags();

// What the simulated kernel runs with once "auto" is resolved.
struct SimSettings {
  ThpMode thp_mode = ThpMode::kMadvise;
  int64_t max_map_count = 65530;
};

// The THP mode and limit `choice` gives the simulated kernel, reading this
// machine only for "auto"; an InvalidArgument error naming a bad value and
// the accepted ones, or saying which machine setting "auto" could not read.
absl::StatusOr<SimSettings> ResolveSimSettings(const KernelChoice& choice);

// The THP mode and vm.max_map_count a run on `choice` meets, for reports:
// the simulated kernel's (as ResolveSimSettings), or on the real kernel this
// machine's, "unknown" and -1 where they cannot be read. An error only for a
// choice MakeKernel would refuse.
struct KernelSettings {
  std::string thp_mode;  // "madvise", "always", "never" (or "unknown")
  int64_t max_map_count = -1;
};
absl::StatusOr<KernelSettings> KernelSettingsOf(const KernelChoice& choice);

// Builds the kernel; an InvalidArgument error naming a bad value and the
// accepted ones. The runtime's hint-less mappings go to a window of their
// own on either kernel (runtime_port/kernel/hintless_window_kernel.h).
absl::StatusOr<std::unique_ptr<Kernel>> MakeKernel(const KernelChoice& choice);
// The same, or that error as one line and exit status 2.
std::unique_ptr<Kernel> MakeKernelOrExit(const KernelChoice& choice);

// The simulated kernel a MakeKernel kernel runs on, or nullptr for Linux.
SimulatedKernel* SimulatedKernelOf(Kernel& kernel);

}  // namespace thp

#endif  // THP_BENCH_HARNESS_KERNEL_CHOICE_H_
