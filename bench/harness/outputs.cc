#include "bench/harness/outputs.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_format.h"

namespace thp {
namespace {

// Writes `text` to `path` (created or truncated); "" or why not (the errno
// of the first step that failed, closing included: a full disk).
std::string WriteOrWhy(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return std::strerror(errno);
  int err = 0;
  if (std::fwrite(text.data(), 1, text.size(), f) != text.size()) err = errno != 0 ? errno : EIO;
  if (std::fclose(f) != 0 && err == 0) err = errno != 0 ? errno : EIO;
  return err == 0 ? "" : std::strerror(err);
}

}  // namespace

int WriteOutputs(absl::string_view tool, const std::string& report,
                 const std::vector<OutputFile>& files) {
  std::fwrite(report.data(), 1, report.size(), stdout);
  int status = 0;
  for (const OutputFile& f : files) {
    if (f.path.empty()) continue;
    const std::string why = WriteOrWhy(f.path, f.render());
    if (why.empty()) continue;
    std::fflush(stdout);  // the report before the complaint, when both go to one place
    absl::FPrintF(stderr, "%s: --%s=%s: cannot write: %s\n", tool, f.flag, f.path, why);
    status = 2;
  }
  return status;
}

}  // namespace thp
