// Command-line handling shared by the drivers.
//
// Flags are Abseil flags, but Debian's libabsl exits with status 1 on a bad
// flag; this project promises one line naming the value and status 2. So
// ParseFlagsOrExit checks every argument itself (unknown flag, unparsable
// value, stray positional argument) before handing the command line to
// Abseil, and drivers report their own validation failures through
// ExitUsage().
#ifndef THP_BENCH_HARNESS_CLI_H_
#define THP_BENCH_HARNESS_CLI_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace thp {

// Parses argv into the Abseil flags; on any error prints
// "<program>: <what>" and exits with status 2. Returns the positional
// arguments (none are accepted unless allow_positional).
std::vector<std::string> ParseFlagsOrExit(int argc, char** argv, absl::string_view usage,
                                          bool allow_positional = false);

// Prints "<program>: <message>" and exits with status 2.
[[noreturn]] void ExitUsage(absl::string_view message);

// Exits with status 2 reporting `status` if it is not OK.
void ExitIfError(const absl::Status& status);

// Splits a comma-separated list ("prefix,fixed"), dropping empty items.
std::vector<std::string> SplitList(absl::string_view list);

}  // namespace thp

#endif  // THP_BENCH_HARNESS_CLI_H_
