#include "bench/harness/outputs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "absl/strings/str_format.h"
#include "runtime_port/base/file_io.h"
#include "runtime_port/base/quote.h"

namespace thp {
namespace {

// Whether stdout and stderr are one file (a terminal, one pipe), so the
// report must be flushed before a complaint to keep their order. Otherwise
// it is not flushed here: a write error on stdout is then reported at the
// end with its errno (cli.h), which a failed flush here would lose.
bool StdoutIsStderr() {
  struct stat out, err;
  return fstat(STDOUT_FILENO, &out) == 0 && fstat(STDERR_FILENO, &err) == 0 &&
         out.st_dev == err.st_dev && out.st_ino == err.st_ino;
}

}  // namespace

int WriteOutputs(absl::string_view tool, const std::string& report,
                 const std::vector<OutputFile>& files) {
  std::fwrite(report.data(), 1, report.size(), stdout);
  int status = 0;
  for (const OutputFile& f : files) {
    if (f.path.empty()) continue;
    const absl::Status written = WriteWholeFile(f.path, f.render());
    if (written.ok()) continue;
    if (StdoutIsStderr()) std::fflush(stdout);  // the report before the complaint
    absl::FPrintF(stderr, "%s: --%s=%s: cannot write: %s\n", tool, f.flag, EscapeForError(f.path),
                  written.message());
    status = 2;
  }
  return status;
}

}  // namespace thp
