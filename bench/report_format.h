// What every driver's report writer and parent process share: JSON and CSV
// quoting, writing an output file or exiting with status 2, and starting
// this same binary again as a child with extra flags (each variant of a
// driver runs in a fresh address space).
#ifndef THP_BENCH_REPORT_FORMAT_H_
#define THP_BENCH_REPORT_FORMAT_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace thp {

// Writes `text` to `path` unless the path is empty; on failure prints
// "<tool>: --<flag>=<path>: cannot write" and exits with status 2.
void WriteOutputOrExit(absl::string_view tool, absl::string_view flag, const std::string& path,
                       const std::string& text);

// Starts /proc/self/exe with argv[0..argc) plus `extra` and returns its pid;
// exits with status 2 (one line) if it cannot be started.
pid_t SpawnSelf(int argc, char** argv, const std::vector<std::string>& extra);

}  // namespace thp

#endif  // THP_BENCH_REPORT_FORMAT_H_
