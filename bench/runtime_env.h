// The environment a Go program reads, for the drivers that run the ported
// runtime: GODEBUG (warnings for unknown keys on stderr), GOGC and
// GOMAXPROCS. A bad value is one line on stderr and exit status 2.
#ifndef THP_BENCH_RUNTIME_ENV_H_
#define THP_BENCH_RUNTIME_ENV_H_

#include <string>

#include "mheap/go15/runtime.h"
#include "scavenger/godebug.h"

namespace thp {

struct RuntimeEnv {
  DebugVars debug;
  RuntimeOptions options;  // variant, GOGC and GOMAXPROCS filled in
};

// `flag_variant` is the driver's --variant; GODEBUG's thpvariant, then
// disablethp=1, override it.
RuntimeEnv RuntimeEnvOrExit(const std::string& flag_variant);

}  // namespace thp

#endif  // THP_BENCH_RUNTIME_ENV_H_
