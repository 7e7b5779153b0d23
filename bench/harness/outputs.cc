#include "bench/harness/outputs.h"

#include <cstdio>

#include "absl/strings/str_format.h"
#include "runtime_port/base/file_io.h"

namespace thp {

int WriteOutputs(absl::string_view tool, const std::string& report,
                 const std::vector<OutputFile>& files) {
  std::fwrite(report.data(), 1, report.size(), stdout);
  int status = 0;
  for (const OutputFile& f : files) {
    if (f.path.empty()) continue;
    const absl::Status written = WriteWholeFile(f.path, f.render());
    if (written.ok()) continue;
    std::fflush(stdout);  // the report before the complaint, when both go to one place
    absl::FPrintF(stderr, "%s: --%s=%s: cannot write: %s\n", tool, f.flag, f.path,
                  written.message());
    status = 2;
  }
  return status;
}

}  // namespace thp
