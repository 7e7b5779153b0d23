// GODEBUG, GOGC and GOMAXPROCS as the port reads them. GODEBUG is a
// comma-separated list of key=value pairs (Go 1.5 parsedebugvars); the keys
// the port knows are scavenge, gctrace, scavtrace, madvdontneed and
// disablethp (Go's)
// and thpvariant (this project's: the memory-layer variant). Unlike Go, a
// value that is not a number is an error rather than a silent 0; unknown
// keys are ignored, as Go ignores them, with a warning.
#ifndef THP_SCAVENGER_GODEBUG_H_
#define THP_SCAVENGER_GODEBUG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace thp {

struct DebugVars {
  int scavenge = 0;      // >0: "scavenge-a-lot" (10 ms / 20 ms sysmon periods)
  bool scavenge_named = false;  // the value set scavenge (a driver's default applies if not)
  int gctrace = 0;       // >0: gc and scvg trace lines on stderr
  int scavtrace = 0;     // >0: Go 1.21's scav lines on stderr (the Go 1.21 heap only)
  int madvdontneed = 0;  // accepted for later Go versions' variants (1.12+)
  int disablethp = 0;    // >0: same as thpvariant=disablethp
  std::string thpvariant;  // empty: the caller's default
};

// Parses a GODEBUG value. Unknown keys and fields without '=' are skipped,
// each adding a one-line warning to *warnings.
absl::StatusOr<DebugVars> ParseGodebug(const std::string& value,
                                       std::vector<std::string>* warnings);

// GOMAXPROCS: a positive integer up to 256 ("" = the default given).
absl::StatusOr<int> ParseGomaxprocs(const std::string& value, int default_procs);

}  // namespace thp

#endif  // THP_SCAVENGER_GODEBUG_H_
