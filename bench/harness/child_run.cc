#include "bench/harness/child_run.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "bench/harness/cli.h"
#include "runtime_port/base/file_io.h"
#include "runtime_port/base/quote.h"
#include "runtime_port/kernel/kernel.h"

ABSL_FLAG(std::string, child_variant, "", "internal: run one variant and write its result");
ABSL_FLAG(std::string, child_result, "", "internal: where the child writes its result");
ABSL_FLAG(std::string, child_map, "", "internal: where the child writes its address maps");

extern char** environ;

namespace thp {
namespace {

// The test-only hook (child_run.h): THP_TEST_CHILD_HOOK=<variant>:<action>.
constexpr char kTestHook[] = "THP_TEST_CHILD_HOOK";

struct TestHook {
  std::string variant;
  std::string action;  // hang, segv, kill, abort
};

// The hook asked for, nullopt if none; an error names the value.
absl::StatusOr<std::optional<TestHook>> TestHookFromEnv() {
  const char* value = std::getenv(kTestHook);
  if (value == nullptr || *value == '\0') return std::optional<TestHook>();
  const std::vector<std::string> parts = absl::StrSplit(value, absl::MaxSplits(':', 1));
  if (parts.size() == 2 && !parts[0].empty() &&
      (parts[1] == "hang" || parts[1] == "segv" || parts[1] == "kill" || parts[1] == "abort")) {
    return std::optional<TestHook>(TestHook{parts[0], parts[1]});
  }
  return absl::InvalidArgumentError(absl::StrFormat(
      "%s=\"%s\": expected <variant>:hang|segv|kill|abort (test only)", kTestHook,
      absl::CHexEscape(absl::string_view(value).substr(0, 80))));
}

void RunTestHook(const ChildRole& role) {
  absl::StatusOr<std::optional<TestHook>> hook = TestHookFromEnv();
  if (!hook.ok() || !hook->has_value() || (*hook)->variant != role.variant) return;
  const std::string& action = (*hook)->action;
  if (action == "hang") {
    std::fprintf(stderr, "test hook: child %s hangs\n", role.variant.c_str());
    std::fflush(stderr);
    for (;;) pause();
  }
  const int sig = action == "segv" ? SIGSEGV : action == "kill" ? SIGKILL : SIGABRT;
  // The default action, whatever handler a sanitizer installed (ASan's
  // SIGSEGV handler aborts, which would report SIGABRT).
  if (sig != SIGKILL) signal(sig, SIG_DFL);
  raise(sig);
}

// What the parent blocks, from the first runner on, and waits for.
sigset_t WaitedSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGCHLD);
  return set;
}

// The signal mask before the first runner blocked WaitedSignals(): the
// children's.
sigset_t& MaskBeforeRunners() {
  static sigset_t* mask = [] {
    auto* m = new sigset_t;
    sigset_t set = WaitedSignals();
    pthread_sigmask(SIG_BLOCK, &set, m);
    return m;
  }();
  return *mask;
}

// "SIGSEGV" for 11.
std::string SignalName(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev != nullptr ? absl::StrCat("SIG", abbrev) : absl::StrCat("signal ", sig);
}

}  // namespace

std::optional<ChildRole> ChildRoleFromFlags() {
  ChildRole role;
  role.variant = absl::GetFlag(FLAGS_child_variant);
  if (role.variant.empty()) return std::nullopt;
  role.result_path = absl::GetFlag(FLAGS_child_result);
  role.map_path = absl::GetFlag(FLAGS_child_map);
  RunTestHook(role);
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
  if (child.interrupted) return "interrupted";
  if (child.lost) return "child lost: waiting for it failed";
  if (WIFSIGNALED(child.wait_status)) {
    const int sig = WTERMSIG(child.wait_status);
    return absl::StrCat("child killed by signal ", sig, " (", SignalName(sig), ")");
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
  ExitIfError(TestHookFromEnv().status());
  // Blocked before the directory exists, so no interrupt can leave it.
  (void)MaskBeforeRunners();
  // Under $TMPDIR when set (as mktemp), else /tmp.
  const char* tmpdir = std::getenv("TMPDIR");
  const std::string parent = tmpdir != nullptr && tmpdir[0] != '\0' ? tmpdir : "/tmp";
  std::string dir_template = absl::StrCat(parent, "/", tool_, ".XXXXXX");
  if (mkdtemp(dir_template.data()) == nullptr) {
    ExitUsage(absl::StrCat("cannot create a temporary directory under ", QuoteForError(parent), ": ",
                           std::strerror(errno)));
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
  const pid_t parent = getpid();
  const sigset_t child_mask = MaskBeforeRunners();
  // fork, then only async-signal-safe calls until exec.
  child.pid = fork();
  if (child.pid < 0) ExitUsage(absl::StrCat("cannot start a child process: ", ErrnoName(errno)));
  if (child.pid == 0) {
    // Dies with its parent; the parent may have died before this line.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(127);
    if (spec.capture_stderr) {
      const int fd = open(child.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      if (fd < 0 || dup2(fd, STDERR_FILENO) < 0) _exit(127);
    }
    pthread_sigmask(SIG_SETMASK, &child_mask, nullptr);
    execve("/proc/self/exe", cargs.data(), environ);
    _exit(127);
  }
  return child;
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
  const sigset_t waited = WaitedSignals();
  while (!interrupted()) {
    while (running.size() < jobs && next < specs.size()) {
      running.push_back(Start(next, specs[next]));
      ++next;
    }
    if (running.empty()) return;
    // SIGINT and SIGTERM come before SIGCHLD (the lowest pending signal is
    // taken first), so children that a Ctrl-C to the process group killed
    // are counted as interrupted. The timeout only bounds a wait for a
    // SIGCHLD that another part of the process might have taken.
    const timespec second = {1, 0};
    const int sig = sigtimedwait(&waited, nullptr, &second);
    if (sig == SIGINT || sig == SIGTERM) {
      interrupt_signal_ = sig;
      break;
    }
    // Reap every child that has ended.
    for (size_t i = 0; i < running.size();) {
      int status = 0;
      const pid_t got = waitpid(running[i].pid, &status, WNOHANG);
      if (got == 0 || (got < 0 && errno == EINTR)) {
        ++i;
        continue;
      }
      const Running child = running[i];
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
      done(child.index, Collect(specs[child.index], child, status, /*lost=*/got < 0));
    }
  }
  // Interrupted: stop the children still running, keep what those that
  // ended on their own wrote, and mark the rest.
  for (const Running& child : running) kill(child.pid, SIGKILL);
  for (const Running& child : running) {
    int status = 0;
    pid_t got;
    do {
      got = waitpid(child.pid, &status, 0);
    } while (got < 0 && errno == EINTR);
    ChildOutcome out = Collect(specs[child.index], child, status, /*lost=*/got < 0);
    out.interrupted = got < 0 || !WIFEXITED(status);
    done(child.index, std::move(out));
  }
  for (; next < specs.size(); ++next) {
    ChildOutcome out;
    out.variant = specs[next].variant;
    out.interrupted = true;
    done(next, std::move(out));
  }
}

int ChildRunner::InterruptExitStatus() {
  if (!interrupted()) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    const timespec now = {0, 0};
    const int sig = sigtimedwait(&set, nullptr, &now);
    if (sig == SIGINT || sig == SIGTERM) interrupt_signal_ = sig;
  }
  return interrupted() ? 128 + interrupt_signal_ : 0;
}

ChildOutcome ChildRunner::RunOne(const ChildSpec& spec) {
  ChildOutcome out;
  Run({spec}, 1, [&out](size_t, ChildOutcome o) { out = std::move(o); });
  return out;
}

}  // namespace thp
