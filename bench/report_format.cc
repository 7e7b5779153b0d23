#include "bench/report_format.h"

#include <spawn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/cli.h"
#include "runtime_port/base/file_io.h"
#include "runtime_port/kernel/kernel.h"

extern char** environ;

namespace thp {

void WriteOutputOrExit(absl::string_view tool, absl::string_view flag, const std::string& path,
                       const std::string& text) {
  if (path.empty() || WriteFile(path, text)) return;
  absl::FPrintF(stderr, "%s: --%s=%s: cannot write\n", tool, flag, path);
  std::exit(2);
}

pid_t SpawnSelf(int argc, char** argv, const std::vector<std::string>& extra) {
  std::vector<std::string> args(argv, argv + argc);
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> cargs;
  for (std::string& a : args) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  pid_t pid = 0;
  const int err = posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, cargs.data(), environ);
  if (err != 0) ExitUsage(absl::StrCat("cannot start a child process: ", ErrnoName(err)));
  return pid;
}

}  // namespace thp
