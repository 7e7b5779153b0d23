// Choosing the kernel a driver runs on: --kernel, --kernel_profile,
// --max_map_count and --sim_baseline, shared by every driver.
#ifndef THP_BENCH_HARNESS_KERNEL_CHOICE_H_
#define THP_BENCH_HARNESS_KERNEL_CHOICE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "runtime_port/kernel/kernel.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {

struct KernelChoice {
  std::string kernel = "linux";   // "linux" or "sim"
  std::string profile = "linux6"; // sim only: "linux6" or "linux2015"
  // sim only: vm.max_map_count; "auto" = this machine's setting.
  std::string max_map_count = "auto";
  // sim only: VMAs outside the model; "auto" = this process's count now.
  std::string sim_baseline = "auto";
};

// The KernelChoice the standard flags describe.
KernelChoice KernelChoiceFromFlags();

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
