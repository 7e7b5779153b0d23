// The environment a Go program reads, for the drivers that run the ported
// runtime: GODEBUG (warnings for unknown keys on stderr), GOGC and
// GOMAXPROCS. A bad value is one line on stderr and exit status 2, before
// any work starts (and before a parent starts its children). This is also
// the one place that decides whether sysmon scavenges a lot
// (GODEBUG=scavenge=1) when GODEBUG does not say.
#ifndef THP_BENCH_HARNESS_RUNTIME_ENV_H_
#define THP_BENCH_HARNESS_RUNTIME_ENV_H_

#include <string>

#include "mheap/go15/runtime.h"
#include "scavenger/godebug.h"

namespace thp {

// What scavenge is when GODEBUG does not name it: off as in Go, or on for
// the drivers that measure what Go measured with GODEBUG=scavenge=1 (the
// 692 -> 49 of commit 44078a3; issue 8832's minutes become milliseconds).
enum class ScavengeDefault { kOff, kOn };

struct RuntimeEnv {
  DebugVars debug;
  RuntimeOptions options;  // variant, GOGC and GOMAXPROCS filled in
  bool scavenge_debug = false;  // GODEBUG's scavenge if named, else the default
};

// `flag_variant` is the driver's --variant; GODEBUG's thpvariant, then
// disablethp=1, override it. Likewise GOMAXPROCS, when set, overrides a
// driver's --gomaxprocs flag (vma_repro, vma_limit); with neither, 2.
RuntimeEnv RuntimeEnvOrExit(const std::string& flag_variant,
                            ScavengeDefault scavenge = ScavengeDefault::kOff);

}  // namespace thp

#endif  // THP_BENCH_HARNESS_RUNTIME_ENV_H_
