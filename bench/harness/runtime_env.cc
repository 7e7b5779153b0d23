#include "bench/harness/runtime_env.h"

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "absl/flags/reflection.h"
#include "absl/strings/numbers.h"
#include "bench/harness/cli.h"

namespace thp {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

// Started by a ChildRunner (child_run.h): --child_variant is registered in
// this binary and set. Looked up by name, so that drivers without children
// do not link the child-run flags.
bool IsChildProcess() {
  const absl::CommandLineFlag* f = absl::FindCommandLineFlag("child_variant");
  return f != nullptr && !f->CurrentValue().empty();
}

}  // namespace

RuntimeEnv RuntimeEnvOrExit(const std::string& flag_variant, ScavengeDefault scavenge) {
  RuntimeEnv env;
  std::vector<std::string> warnings;
  absl::StatusOr<DebugVars> dbg = ParseGodebug(Env("GODEBUG"), &warnings);
  ExitIfError(dbg.status());
  // A driver's children read the same GODEBUG: the parent has warned once.
  if (!IsChildProcess()) {
    for (const std::string& w : warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  }
  absl::StatusOr<int> procs = ParseGomaxprocs(Env("GOMAXPROCS"), 2);
  ExitIfError(procs.status());
  env.debug = *dbg;
  env.scavenge_debug = dbg->scavenge_named ? dbg->scavenge > 0 : scavenge == ScavengeDefault::kOn;
  env.options.variant = !dbg->thpvariant.empty() ? dbg->thpvariant
                        : dbg->disablethp > 0   ? "disablethp"
                                                : flag_variant;
  env.options.gogc = Env("GOGC");
  // Checked here, before any child runs: the runtime checks it again at
  // Runtime::Create, but by then a parent would have started every child
  // only to collect the same error from each.
  ExitIfError(ParseGogc(env.options.gogc).status());
  env.options.gomaxprocs = *procs;
  // One rule for a setting both the environment and a flag can give: what
  // a Go program reads (GOMAXPROCS, GODEBUG's thpvariant) wins, as a Go
  // binary would obey it; the driver's flag (--gomaxprocs, --variant)
  // applies when the environment is silent. The flag is looked up by name,
  // as only some drivers have it; its range was checked at parse time.
  const absl::CommandLineFlag* flag = absl::FindCommandLineFlag("gomaxprocs");
  int from_flag = 0;
  if (Env("GOMAXPROCS").empty() && flag != nullptr &&
      absl::SimpleAtoi(flag->CurrentValue(), &from_flag)) {
    env.options.gomaxprocs = from_flag;
  }
  return env;
}

}  // namespace thp
