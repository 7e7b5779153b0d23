#include "bench/harness/child_run.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/harness/cli.h"
#include "runtime_port/base/file_io.h"
#include "runtime_port/kernel/kernel.h"

ABSL_FLAG(std::string, child_variant, "", "internal: run one variant and write its result");
ABSL_FLAG(std::string, child_result, "", "internal: where the child writes its result");
ABSL_FLAG(std::string, child_map, "", "internal: where the child writes its address maps");

extern char** environ;

namespace thp {

std::optional<ChildRole> ChildRoleFromFlags() {
  ChildRole role;
  role.variant = absl::GetFlag(FLAGS_child_variant);
  if (role.variant.empty()) return std::nullopt;
  role.result_path = absl::GetFlag(FLAGS_child_result);
  role.map_path = absl::GetFlag(FLAGS_child_map);
  return role;
}

int FinishChild(absl::string_view tool, const ChildRole& role, const std::string& result_text,
                const std::string& map_text) {
  auto write = [tool](const std::string& path, const std::string& text) {
    if (WriteFile(path, text)) return true;
    absl::FPrintF(stderr, "%s: cannot write %s\n", tool, path);
    return false;
  };
  if (!role.map_path.empty() && !write(role.map_path, map_text)) return 2;
  return write(role.result_path, result_text) ? 0 : 2;
}

std::string ChildFailure(const ChildOutcome& child, bool result_parsed, bool result_reports_error) {
  if (child.lost) return "child lost: waiting for it failed";
  if (WIFSIGNALED(child.wait_status)) {
    return absl::StrCat("child killed by signal ", WTERMSIG(child.wait_status));
  }
  const int status = WIFEXITED(child.wait_status) ? WEXITSTATUS(child.wait_status) : -1;
  if (!result_parsed || (status != 0 && !result_reports_error)) {
    return absl::StrFormat("child exited with status %d, no result", status);
  }
  return "";
}

void RelayChildStderr(absl::string_view header, const ChildOutcome& child) {
  std::string block = absl::StrCat(header, "\n", child.captured_stderr);
  if (!child.captured_stderr.empty() && child.captured_stderr.back() != '\n') block += '\n';
  std::fwrite(block.data(), 1, block.size(), stderr);
  std::fflush(stderr);
}

ChildRunner::ChildRunner(std::string tool, int argc, char** argv)
    : tool_(std::move(tool)), argv_(argv, argv + argc) {
  std::string dir_template = absl::StrCat("/tmp/", tool_, ".XXXXXX");
  if (mkdtemp(dir_template.data()) == nullptr) {
    ExitUsage("cannot create a temporary directory under /tmp");
  }
  dir_ = dir_template;
}

ChildRunner::~ChildRunner() { rmdir(dir_.c_str()); }

ChildRunner::Running ChildRunner::Start(size_t index, const ChildSpec& spec) {
  Running child;
  child.index = index;
  // Named by the order children start, so two runs of one variant (or the
  // same variant listed twice) never write to the same file.
  const std::string stem = absl::StrCat(dir_, "/", ++started_, ".", spec.variant);
  child.result_path = stem + ".result";
  if (spec.wants_map) child.map_path = stem + ".map";
  if (spec.capture_stderr) child.stderr_path = stem + ".stderr";
  std::vector<std::string> args = argv_;
  args.push_back(absl::StrCat("--child_variant=", spec.variant));
  args.push_back(absl::StrCat("--child_result=", child.result_path));
  if (spec.wants_map) args.push_back(absl::StrCat("--child_map=", child.map_path));
  args.insert(args.end(), spec.extra_flags.begin(), spec.extra_flags.end());
  std::vector<char*> cargs;
  for (std::string& a : args) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (spec.capture_stderr) {
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, child.stderr_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
  }
  const int err =
      posix_spawn(&child.pid, "/proc/self/exe", &actions, nullptr, cargs.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) ExitUsage(absl::StrCat("cannot start a child process: ", ErrnoName(err)));
  return child;
}

bool ChildRunner::WaitForAny(pid_t* pid, int* status) {
  for (;;) {
    *pid = waitpid(-1, status, 0);
    if (*pid >= 0) return true;
    if (errno != EINTR) return false;
  }
}

ChildOutcome ChildRunner::Collect(const ChildSpec& spec, const Running& child, int wait_status,
                                  bool lost) {
  ChildOutcome out;
  out.variant = spec.variant;
  out.wait_status = wait_status;
  out.lost = lost;
  out.result = ReadWholeFile(child.result_path);
  std::remove(child.result_path.c_str());
  if (!child.stderr_path.empty()) {
    absl::StatusOr<std::string> text = ReadWholeFile(child.stderr_path);
    std::remove(child.stderr_path.c_str());
    if (text.ok()) {
      out.captured_stderr = *std::move(text);
    } else {
      absl::FPrintF(stderr, "%s: no stderr from %s: %s\n", tool_, spec.variant,
                    text.status().message());
    }
  }
  if (child.map_path.empty()) return out;
  absl::StatusOr<std::string> text = ReadWholeFile(child.map_path);
  std::remove(child.map_path.c_str());
  absl::StatusOr<std::vector<AddressMap>> maps =
      text.ok() ? ParseAddressMaps(*text) : absl::StatusOr<std::vector<AddressMap>>(text.status());
  if (maps.ok() && maps->empty()) maps = ParseAddressMap(*text).status();  // says why
  if (maps.ok()) {
    out.maps = *std::move(maps);
  } else {
    absl::FPrintF(stderr, "%s: no address map from %s: %s\n", tool_, spec.variant,
                  maps.status().message());
  }
  return out;
}

void ChildRunner::Run(const std::vector<ChildSpec>& specs, size_t jobs,
                      const std::function<void(size_t index, ChildOutcome outcome)>& done) {
  std::vector<Running> running;
  size_t next = 0;
  while (next < specs.size() || !running.empty()) {
    while (running.size() < jobs && next < specs.size()) {
      running.push_back(Start(next, specs[next]));
      ++next;
    }
    pid_t pid = 0;
    int status = 0;
    if (!WaitForAny(&pid, &status)) {
      // Nothing left to wait for: every child still listed is lost.
      for (const Running& child : running) done(child.index, Collect(specs[child.index], child, 0, true));
      running.clear();
      continue;
    }
    for (size_t i = 0; i < running.size(); ++i) {
      if (running[i].pid != pid) continue;
      const Running child = running[i];
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
      done(child.index, Collect(specs[child.index], child, status, false));
      break;
    }
  }
}

ChildOutcome ChildRunner::RunOne(const ChildSpec& spec) {
  ChildOutcome out;
  Run({spec}, 1, [&out](size_t, ChildOutcome o) { out = std::move(o); });
  return out;
}

}  // namespace thp
