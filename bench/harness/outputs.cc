#include "bench/harness/outputs.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_format.h"
#include "runtime_port/base/file_io.h"

namespace thp {

void WriteOutputsOrExit(absl::string_view tool, const std::string& report,
                        const std::vector<OutputFile>& files) {
  std::fwrite(report.data(), 1, report.size(), stdout);
  for (const OutputFile& f : files) {
    if (f.path.empty() || WriteFile(f.path, f.render())) continue;
    std::fflush(stdout);
    absl::FPrintF(stderr, "%s: --%s=%s: cannot write\n", tool, f.flag, f.path);
    std::exit(2);
  }
}

}  // namespace thp
