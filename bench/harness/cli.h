// Command-line handling shared by the drivers.
//
// Flags are Abseil flags, but Debian's libabsl exits with status 1 on a bad
// flag; this project promises one line naming the value and status 2. So
// ParseFlagsOrExit checks every argument itself (unknown flag, unparsable
// value, stray positional argument) before handing the command line to
// Abseil, and drivers report their own validation failures through
// ExitUsage(). A numeric flag's range is declared beside it with
// THP_FLAG_RANGE (flag_range.h) and checked here.
//
// Exit statuses, the same in every driver (README, "Exit statuses"): 0
// success; 1 a variant died of a Go fatal error (its row says which); 2 bad
// input, or an output (a file or stdout) that could not be written; 130 /
// 143 the run was interrupted by SIGINT / SIGTERM (what had finished is
// still reported). When several apply, CombineExitStatus picks one.
// ParseFlagsOrExit also makes a write error on stdout (a full disk, `>
// /dev/full`) one line on stderr and status 2 when the process ends.
#ifndef THP_BENCH_HARNESS_CLI_H_
#define THP_BENCH_HARNESS_CLI_H_

#include <initializer_list>
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

// The exit status of a run that ended with all of `statuses`: an interrupt
// (130, 143; any status above 128) first, then 2, then 1, then 0.
int CombineExitStatus(std::initializer_list<int> statuses);

// The end of a driver's main: flushes stdout (and std::cout) and returns
// CombineExitStatus({status, 2}) after one line on stderr if stdout could
// not be written, else `status`. Without it the same check runs at exit,
// where it can only make the status 2.
int FinishMain(int status);

// Splits a comma-separated list ("prefix,fixed"), dropping empty items.
std::vector<std::string> SplitList(absl::string_view list);

}  // namespace thp

#endif  // THP_BENCH_HARNESS_CLI_H_
