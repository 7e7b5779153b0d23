// What a driver hands its user at the end of a run: the report on stdout,
// then each output file the command line asked for (--json_out=F, ...), in
// order. The one place that decides what happens when one cannot be
// written: every asked-for file is attempted, whatever happened to the
// others (issue 18). It mirrors no Go code.
#ifndef THP_BENCH_HARNESS_OUTPUTS_H_
#define THP_BENCH_HARNESS_OUTPUTS_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace thp {

struct OutputFile {
  const char* flag;                     // "json_out"
  std::string path;                     // the flag's value; empty: not asked for
  std::function<std::string()> render;  // called only when asked for
};

// Prints `report` on stdout, then writes each asked-for file. Each file
// that cannot be written is one line "<tool>: --<flag>=<path>: cannot
// write: <error>" on stderr, and the others are still written. Returns 0,
// or 2 if any file failed (CombineExitStatus, cli.h, ranks it). A write
// error on stdout itself shows when the process ends (cli.h).
int WriteOutputs(absl::string_view tool, const std::string& report,
                 const std::vector<OutputFile>& files);

}  // namespace thp

#endif  // THP_BENCH_HARNESS_OUTPUTS_H_
