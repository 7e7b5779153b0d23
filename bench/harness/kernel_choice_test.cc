// The simulated kernel's settings come from the flags, not from this
// machine: THP mode madvise and vm.max_map_count 65530 unless the command
// line says otherwise, the machine's own only for "auto"; bad values and
// sim-only flags on the real kernel are one InvalidArgument line each.
#include "bench/harness/kernel_choice.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "runtime_port/kernel/linux_kernel.h"

ABSL_DECLARE_FLAG(std::string, kernel);
ABSL_DECLARE_FLAG(std::string, sim_thp);
ABSL_DECLARE_FLAG(std::string, max_map_count);

namespace thp {
namespace {

KernelChoice Sim(std::string sim_thp = kDefaultSimThp,
                 std::string max_map_count = kDefaultMaxMapCount) {
  KernelChoice c;
  c.kernel = "sim";
  c.sim_thp = std::move(sim_thp);
  c.max_map_count = std::move(max_map_count);
  c.sim_baseline = "0";
  return c;
}

// The simulated kernel MakeKernel builds for `c`; fails the test if none.
SimOptions BuiltOptions(const KernelChoice& c) {
  absl::StatusOr<std::unique_ptr<Kernel>> k = MakeKernel(c);
  EXPECT_TRUE(k.ok()) << k.status();
  if (!k.ok()) return SimOptions();
  const SimulatedKernel* sim = SimulatedKernelOf(**k);
  EXPECT_NE(sim, nullptr);
  return sim == nullptr ? SimOptions() : sim->options();
}

std::string ErrorOf(const KernelChoice& c) {
  absl::StatusOr<std::unique_ptr<Kernel>> k = MakeKernel(c);
  EXPECT_EQ(k.status().code(), absl::StatusCode::kInvalidArgument) << k.status();
  return std::string(k.status().message());
}

TEST(KernelChoiceTest, FlagDefaultsAreMadviseAnd65530) {
  const KernelChoice c = KernelChoiceFromFlags();
  EXPECT_EQ(c.kernel, "linux");
  EXPECT_EQ(c.sim_thp, "madvise");
  EXPECT_EQ(c.max_map_count, "65530");
  EXPECT_EQ(c.sim_baseline, "auto");
}

TEST(KernelChoiceTest, SimDefaultsDoNotDependOnThisMachine) {
  const SimOptions o = BuiltOptions(Sim());
  EXPECT_EQ(o.thp_mode, ThpMode::kMadvise);
  EXPECT_EQ(o.max_map_count, 65530);
  EXPECT_EQ(o.baseline_vmas, 0);
}

TEST(KernelChoiceTest, FlagsReachTheSimulatedKernel) {
  absl::FlagSaver restore;
  absl::SetFlag(&FLAGS_kernel, "sim");
  absl::SetFlag(&FLAGS_sim_thp, "never");
  absl::SetFlag(&FLAGS_max_map_count, "1000");
  const SimOptions o = BuiltOptions(KernelChoiceFromFlags());
  EXPECT_EQ(o.thp_mode, ThpMode::kNever);
  EXPECT_EQ(o.max_map_count, 1000);
}

TEST(KernelChoiceTest, EveryModeByName) {
  for (const auto& [name, mode] : {std::pair<std::string, ThpMode>{"madvise", ThpMode::kMadvise},
                                   {"always", ThpMode::kAlways},
                                   {"never", ThpMode::kNever}}) {
    absl::StatusOr<SimSettings> s = ResolveSimSettings(Sim(name, "0"));
    ASSERT_TRUE(s.ok()) << name << ": " << s.status();
    EXPECT_EQ(s->thp_mode, mode) << name;
    EXPECT_EQ(s->max_map_count, 0);
    EXPECT_EQ(BuiltOptions(Sim(name)).thp_mode, mode) << name;
  }
}

// "auto" is this machine's setting, or, where it cannot be read, an error
// that says so (never a silent fallback).
TEST(KernelChoiceTest, AutoReadsThisMachine) {
  absl::StatusOr<ThpMode> host_mode = ReadThpMode();
  absl::StatusOr<SimSettings> s = ResolveSimSettings(Sim("auto"));
  if (host_mode.ok()) {
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(s->thp_mode, *host_mode);
    EXPECT_EQ(s->max_map_count, 65530);
  } else {
    EXPECT_EQ(s.status().message().rfind("--sim_thp=auto: cannot read this machine's THP mode", 0),
              0u)
        << s.status();
  }
  absl::StatusOr<int64_t> host_limit = ReadMaxMapCount();
  s = ResolveSimSettings(Sim("never", "auto"));
  if (host_limit.ok()) {
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(s->max_map_count, *host_limit);
    EXPECT_EQ(s->thp_mode, ThpMode::kNever);
  } else {
    EXPECT_EQ(s.status().message().rfind("--max_map_count=auto: cannot read", 0), 0u) << s.status();
  }
}

TEST(KernelChoiceTest, BadValuesNameTheValueAndWhatIsAccepted) {
  EXPECT_EQ(ErrorOf(Sim("sometimes")),
            "--sim_thp=sometimes: expected madvise, always, never or auto");
  EXPECT_EQ(ErrorOf(Sim("Madvise")), "--sim_thp=Madvise: expected madvise, always, never or auto");
  EXPECT_EQ(ErrorOf(Sim("madvise", "-5")),
            "--max_map_count=-5: expected auto or a non-negative integer");
  EXPECT_EQ(ErrorOf(Sim("madvise", "many")),
            "--max_map_count=many: expected auto or a non-negative integer");
  EXPECT_EQ(ResolveSimSettings(Sim("madvise", "")).status().message(),
            "--max_map_count=: expected auto or a non-negative integer");
}

TEST(KernelChoiceTest, RealKernelTakesOnlyTheDefaults) {
  KernelChoice c;  // linux, every sim flag at its default
  absl::StatusOr<std::unique_ptr<Kernel>> k = MakeKernel(c);
  ASSERT_TRUE(k.ok()) << k.status();
  EXPECT_EQ(SimulatedKernelOf(**k), nullptr);

  c.sim_thp = "always";
  EXPECT_EQ(ErrorOf(c),
            "--sim_thp=always: applies to --kernel=sim only (the real kernel runs in "
            "this machine's THP mode, which this tool never changes)");
  c.sim_thp = "auto";  // the machine's mode is what linux runs in anyway; still sim-only
  EXPECT_EQ(ErrorOf(c).rfind("--sim_thp=auto: applies to --kernel=sim only", 0), 0u);
  c.sim_thp = kDefaultSimThp;
  c.max_map_count = "auto";
  EXPECT_EQ(ErrorOf(c),
            "--max_map_count=auto: applies to --kernel=sim only (the real kernel keeps "
            "this machine's vm.max_map_count; this tool never changes sysctl settings)");
  c.max_map_count = "1000";
  EXPECT_EQ(ErrorOf(c).rfind("--max_map_count=1000: applies to --kernel=sim only", 0), 0u);
  c.max_map_count = kDefaultMaxMapCount;
  c.sim_baseline = "0";
  EXPECT_EQ(ErrorOf(c).rfind("--sim_baseline=0: applies to --kernel=sim only", 0), 0u);
}

// What reports print: the simulator's settings for a sim run, this
// machine's for a real one.
TEST(KernelChoiceTest, SettingsForReports) {
  absl::StatusOr<KernelSettings> sim = KernelSettingsOf(Sim("never", "1000"));
  ASSERT_TRUE(sim.ok()) << sim.status();
  EXPECT_EQ(sim->thp_mode, "never");
  EXPECT_EQ(sim->max_map_count, 1000);
  sim = KernelSettingsOf(Sim());
  ASSERT_TRUE(sim.ok()) << sim.status();
  EXPECT_EQ(sim->thp_mode, "madvise");
  EXPECT_EQ(sim->max_map_count, 65530);
  EXPECT_EQ(KernelSettingsOf(Sim("sometimes")).status().message(),
            "--sim_thp=sometimes: expected madvise, always, never or auto");

  absl::StatusOr<KernelSettings> real = KernelSettingsOf(KernelChoice());
  ASSERT_TRUE(real.ok()) << real.status();
  absl::StatusOr<ThpMode> host_mode = ReadThpMode();
  EXPECT_EQ(real->thp_mode, host_mode.ok() ? std::string(ThpModeName(*host_mode)) : "unknown");
  absl::StatusOr<int64_t> host_limit = ReadMaxMapCount();
  EXPECT_EQ(real->max_map_count, host_limit.ok() ? *host_limit : -1);
}

}  // namespace
}  // namespace thp
