// vma_peak: runs a program and counts its VMAs (mm->map_count) at the exit
// of every system call that can change them, with eBPF, so the program is
// never stopped. The low-perturbation counterpart of vma_watch (which stops
// the program at each call and reads /proc/<pid>/maps); same outputs.
//
// How a run goes, so that no call of the program is missed:
// 1. The program is forked first and waits, before exec, on a pipe.
// 2. bpftrace starts with a script (vma_peak_events.h) whose probes are
//    filtered by the child's pid, which is its thread-group id after exec:
//    all threads of the program (a Go program's Ms share one mm) are
//    counted; its own children are not.
// 3. bpftrace attaches its probes one by one, and its BEGIN probe fires
//    before they are all attached, so vma_peak does not trust a "ready"
//    line: it asks the waiting child to make each watched call once with
//    arguments that change nothing (e.g. munmap of an unaligned address,
//    execve of a missing file), again every 200 ms, until a line from every
//    probe has come back. Only then is each probe known to be live.
// 4. The child execs the program. Counting starts at the program's
//    successful execve (the first map_count of the new mm); the probe-check
//    calls before it are dropped.
// 5. When the program has exited, bpftrace gets SIGINT, drains its buffers
//    and prints how many lines its probes emitted (@n). If that differs from
//    the lines read, or bpftrace reports "Lost N events", the run is
//    incomplete: the summary says lost_events=N and vma_peak exits 1. It
//    never reports a maximum that might be an under-count as if it were
//    exact.
// bpftrace's output is read in bounded lines (kMaxBpftraceLine); a line
// that is not one of the forms vma_peak_events.h accepts stops the run with
// one error line naming it (exit 1). Lines come from per-CPU buffers, so
// they are sorted by their kernel timestamp before counting.
//
// Output: one summary line on stdout (max, when, final, madvise calls by
// advice and errno, the program's exit, lost events); --series_out: a TSV
// of (seconds, map_count) at every change; --calls_out: every counted call
// (seconds, call, addr, len, arg, result, map_count after); --stdout_out:
// the program's stdout, each line prefixed by "<seconds>\t" on the same
// clock (seconds since the program was released to exec, CLOCK_MONOTONIC,
// whose absolute value is in the files' first comment line so Go's
// nanotime() stamps, e.g. a heap-event log's, can be aligned with them).
// The program's exit status is reported, not adopted.
//
// Where eBPF cannot be used (not root, no bpftrace, no tracefs and it
// cannot be mounted at /sys/kernel/tracing, no kernel BTF, bpftrace fails
// to attach) it prints one line saying so and exits 2: use vma_watch.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "bench/harness/cli.h"
#include "tools/syscall_names.h"
#include "tools/vma_peak_events.h"

ABSL_FLAG(std::string, series_out, "", "write (seconds, map_count) at every change to this TSV");
ABSL_FLAG(std::string, calls_out, "",
          "write every counted call (seconds, call, addr, len, arg, result, map_count after) "
          "to this TSV");
ABSL_FLAG(std::string, stdout_out, "",
          "write the program's stdout to this file, each line prefixed by the seconds since "
          "start and a tab (without it the program writes to vma_peak's stdout)");
ABSL_FLAG(std::string, label, "", "a name for the summary line");
ABSL_FLAG(std::string, bpftrace, "/usr/bin/bpftrace", "the bpftrace binary to run");

namespace thp {
namespace {

#ifndef SYS_process_madvise
#define SYS_process_madvise 440
#endif
#ifndef SYS_mseal
#define SYS_mseal 462
#endif

constexpr char kTracing[] = "/sys/kernel/tracing";
constexpr double kAttachTimeoutS = 60;
constexpr double kDrainTimeoutS = 30;

[[noreturn]] void ExitUnavailable(const std::string& why) {
  ExitUsage(absl::StrCat("eBPF unavailable: ", why, " (vma_watch is the fallback)"));
}

uint64_t MonotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

// The watched calls this kernel has tracepoints for; exits 2 when eBPF
// cannot be used. Mounts tracefs if it is missing.
std::vector<int> CheckEbpfOrExit(const std::string& bpftrace) {
  if (geteuid() != 0) ExitUnavailable(absl::StrCat("needs root (euid ", geteuid(), ")"));
  if (access(bpftrace.c_str(), X_OK) != 0) ExitUnavailable(absl::StrCat("no bpftrace at ", bpftrace));
  const std::string syscalls = absl::StrCat(kTracing, "/events/syscalls");
  if (!Exists(syscalls) && mount("nodev", kTracing, "tracefs", 0, nullptr) != 0) {
    ExitUnavailable(absl::StrCat("tracefs is not mounted at ", kTracing,
                                 " and mounting it failed: ", std::strerror(errno)));
  }
  if (!Exists(syscalls)) ExitUnavailable(absl::StrCat("no syscall tracepoints in ", syscalls));
  if (!Exists("/sys/kernel/btf/vmlinux")) {
    ExitUnavailable("no kernel BTF (/sys/kernel/btf/vmlinux) to read curtask->mm->map_count");
  }
  std::vector<int> calls;
  const auto all = WatchedCalls();
  for (size_t i = 0; i < all.size(); ++i) {
    const std::string base = absl::StrCat(syscalls, "/sys_");
    if (Exists(absl::StrCat(base, "exit_", all[i].name)) &&
        Exists(absl::StrCat(base, "enter_", all[i].name))) {
      calls.push_back(static_cast<int>(i));
    } else if (absl::string_view(all[i].name) == "mmap" || absl::string_view(all[i].name) == "munmap" ||
               absl::string_view(all[i].name) == "mprotect" ||
               absl::string_view(all[i].name) == "madvise" || absl::string_view(all[i].name) == "brk" ||
               absl::string_view(all[i].name) == "mremap" ||
               absl::string_view(all[i].name) == "execve") {
      ExitUnavailable(absl::StrCat("no tracepoint syscalls:sys_exit_", all[i].name));
    }
  }
  return calls;
}

// In the waiting child: make watched call `id` with arguments that leave
// the address space as it is, so its probe fires once.
void PingCall(int id) {
  const absl::string_view name = WatchedCalls()[id].name;
  char* const no_args[] = {nullptr};
  if (name == "mmap") syscall(SYS_mmap, 0, 0, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (name == "munmap") syscall(SYS_munmap, 1, 4096);
  if (name == "mremap") syscall(SYS_mremap, 1, 4096, 4096, 0);
  if (name == "mprotect") syscall(SYS_mprotect, 1, 4096, PROT_READ);
  if (name == "pkey_mprotect") syscall(SYS_pkey_mprotect, 1, 4096, PROT_READ, -1);
  if (name == "madvise") syscall(SYS_madvise, 1, 4096, MADV_NORMAL);
  if (name == "process_madvise") syscall(SYS_process_madvise, -1, 0, 0, MADV_COLD, 0);
  if (name == "brk") syscall(SYS_brk, 0);
  if (name == "mlock") syscall(SYS_mlock, 1, 0);
  if (name == "mlock2") syscall(SYS_mlock2, 1, 0, 0xffff);
  if (name == "munlock") syscall(SYS_munlock, 1, 0);
  if (name == "mlockall") syscall(SYS_mlockall, 0);
  if (name == "munlockall") syscall(SYS_munlockall);
  if (name == "shmat") syscall(SYS_shmat, -1, 0, 0);
  if (name == "shmdt") syscall(SYS_shmdt, 1);
  if (name == "mseal") syscall(SYS_mseal, 1, 4096, 0);
  if (name == "execve") syscall(SYS_execve, "/nonexistent/vma_peak-probe-check", no_args, no_args);
  if (name == "execveat") syscall(SYS_execveat, -1, "", no_args, no_args, 0);
}

// Forks the program; it waits on `ctl` for 'p' (make each call of `calls`
// once) or 'g' (exec). Its stdout goes to `out` when that is >= 0.
pid_t StartChild(const std::vector<std::string>& argv, int ctl, int out,
                 const std::vector<int>& calls) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (out >= 0 && dup2(out, STDOUT_FILENO) < 0) _exit(127);
  for (;;) {
    char c = 0;
    const ssize_t n = read(ctl, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n != 1) _exit(127);  // vma_peak gave up
    if (c == 'p') {
      for (int id : calls) PingCall(id);
      continue;
    }
    if (c == 'g') break;
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  std::fprintf(stderr, "vma_peak: cannot run %s: %s\n", args[0], std::strerror(errno));
  _exit(127);
}

pid_t StartBpftrace(const std::string& bpftrace, const std::string& script, int out, int err) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  dup2(out, STDOUT_FILENO);
  dup2(err, STDERR_FILENO);
  // Room for bursts: 4 MiB of perf buffer per CPU (bpftrace's default is 64 pages).
  setenv("BPFTRACE_PERF_RB_PAGES", "1024", /*overwrite=*/0);
  execl(bpftrace.c_str(), bpftrace.c_str(), "-e", script.c_str(), static_cast<char*>(nullptr));
  std::fprintf(stderr, "cannot run %s: %s\n", bpftrace.c_str(), std::strerror(errno));
  _exit(127);
}

// What bpftrace said on stderr, for a failure message: its first ERROR line
// other than the harmless RLIMIT_MEMLOCK warning, else its last line.
std::string BpftraceComplaint(int err_fd) {
  std::string text;
  char buf[4096];
  lseek(err_fd, 0, SEEK_SET);
  for (ssize_t n; (n = read(err_fd, buf, sizeof(buf))) > 0 && text.size() < (1 << 20);) {
    text.append(buf, static_cast<size_t>(n));
  }
  std::string last;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
    if (absl::StrContains(line, "RLIMIT_MEMLOCK")) continue;
    if (absl::StartsWith(line, "ERROR")) return std::string(line.substr(0, 300));
    last = std::string(line.substr(0, 300));
  }
  return last.empty() ? "no message" : last;
}

// Splits bpftrace's stdout into lines and parses them.
class BpftraceReader {
 public:
  explicit BpftraceReader(int fd) : fd_(fd) {}

  // Reads what is available; returns false at EOF. Exits 1 on a bad line.
  bool ReadSome() {
    char buf[65536];
    const ssize_t n = read(fd_, buf, sizeof(buf));
    if (n < 0) return errno == EINTR || errno == EAGAIN;
    if (n == 0) return false;
    pending_.append(buf, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = pending_.find('\n', start)) != std::string::npos; start = nl + 1) {
      Handle(absl::string_view(pending_).substr(start, nl - start));
    }
    pending_.erase(0, start);
    if (pending_.size() > kMaxBpftraceLine) Handle(pending_);  // too long: fails
    return true;
  }

  const std::vector<CallEvent>& events() const { return events_; }
  bool total_seen() const { return total_seen_; }
  uint64_t total() const { return total_; }
  uint64_t lost() const { return lost_; }

 private:
  void Handle(absl::string_view line) {
    absl::StatusOr<BpftraceLine> parsed = ParseBpftraceLine(line);
    if (!parsed.ok()) {
      std::fprintf(stderr, "vma_peak: %s\n", std::string(parsed.status().message()).c_str());
      std::exit(1);
    }
    switch (parsed->kind) {
      case BpftraceLine::kEvent: events_.push_back(parsed->event); break;
      case BpftraceLine::kLost: lost_ += parsed->count; break;
      case BpftraceLine::kTotal:
        total_seen_ = true;
        total_ = parsed->count;
        break;
      case BpftraceLine::kIgnored: break;
    }
  }

  int fd_;
  std::string pending_;
  std::vector<CallEvent> events_;
  bool total_seen_ = false;
  uint64_t total_ = 0;
  uint64_t lost_ = 0;
};

// Copies the program's stdout to a file, prefixing each line with the
// seconds since start at which the line was complete (its newline arrived):
// a Go benchmark prints its name when it starts and the rest of its line
// when it ends, and the line's time must be its end. A line longer than
// kMaxLine is written in pieces, each stamped when it was cut.
class StampedCopy {
 public:
  StampedCopy(FILE* out, uint64_t start_ns) : out_(out), start_ns_(start_ns) {}

  // Returns false at EOF (after writing an unfinished last line).
  bool ReadSome(int fd) {
    char buf[65536];
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0) return errno == EINTR || errno == EAGAIN;
    if (n == 0) {
      if (!line_.empty()) Emit();
      return false;
    }
    for (ssize_t i = 0; i < n; ++i) {
      line_.push_back(buf[i]);
      if (buf[i] == '\n' || line_.size() >= kMaxLine) Emit();
    }
    std::fflush(out_);
    return true;
  }

 private:
  static constexpr size_t kMaxLine = 1 << 20;

  void Emit() {
    const double t = static_cast<double>(MonotonicNs() - start_ns_) / 1e9;
    std::fprintf(out_, "%.3f\t", t);
    std::fwrite(line_.data(), 1, line_.size(), out_);
    if (line_.back() != '\n') std::fputc('\n', out_);
    line_.clear();
  }

  FILE* out_;
  uint64_t start_ns_;
  std::string line_;
};

FILE* OpenOrExit(const std::string& path, const char* flag) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) ExitUsage(absl::StrCat("cannot write --", flag, "=", path));
  return f;
}

int Run(const std::vector<std::string>& argv) {
  FILE* series = nullptr;
  FILE* calls_file = nullptr;
  FILE* stdout_file = nullptr;
  if (!absl::GetFlag(FLAGS_series_out).empty()) {
    series = OpenOrExit(absl::GetFlag(FLAGS_series_out), "series_out");
  }
  if (!absl::GetFlag(FLAGS_calls_out).empty()) {
    calls_file = OpenOrExit(absl::GetFlag(FLAGS_calls_out), "calls_out");
  }
  if (!absl::GetFlag(FLAGS_stdout_out).empty()) {
    stdout_file = OpenOrExit(absl::GetFlag(FLAGS_stdout_out), "stdout_out");
  }
  const std::string bpftrace = absl::GetFlag(FLAGS_bpftrace);
  const std::vector<int> calls = CheckEbpfOrExit(bpftrace);
  // bpftrace raises RLIMIT_MEMLOCK itself where it can; do it here so its
  // children (none) and it start with room.
  rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
  setrlimit(RLIMIT_MEMLOCK, &unlimited);

  int ctl[2], out[2] = {-1, -1}, bpf_out[2];
  if (pipe2(ctl, O_CLOEXEC) != 0 || pipe2(bpf_out, O_CLOEXEC) != 0 ||
      (stdout_file != nullptr && pipe2(out, O_CLOEXEC) != 0)) {
    std::perror("vma_peak: pipe");
    return 1;
  }
  signal(SIGPIPE, SIG_IGN);
  const pid_t child = StartChild(argv, ctl[0], out[1], calls);
  close(ctl[0]);
  if (out[1] >= 0) close(out[1]);

  char err_path[] = "/tmp/vma_peak_bpftrace_XXXXXX";
  const int err_fd = mkostemp(err_path, O_CLOEXEC);
  if (err_fd < 0) {
    std::perror("vma_peak: mkostemp");
    return 1;
  }
  unlink(err_path);
  const pid_t tracer =
      StartBpftrace(bpftrace, BpftraceScript(child, calls), bpf_out[1], err_fd);
  close(bpf_out[1]);
  auto give_up = [&](const std::string& why) {
    kill(child, SIGKILL);
    kill(tracer, SIGKILL);
    waitpid(child, nullptr, 0);
    waitpid(tracer, nullptr, 0);
    ExitUnavailable(why);
  };

  // Probe check: every probe must report a call of the waiting child.
  BpftraceReader reader(bpf_out[0]);
  const uint64_t attach_deadline = MonotonicNs() + static_cast<uint64_t>(kAttachTimeoutS * 1e9);
  uint64_t next_ping = 0;
  for (;;) {
    std::vector<bool> seen(WatchedCalls().size(), false);
    for (const CallEvent& e : reader.events()) seen[e.call] = true;
    bool all = true;
    for (int id : calls) all = all && seen[id];
    if (all) break;
    const uint64_t now = MonotonicNs();
    if (now > attach_deadline) {
      give_up(absl::StrCat("bpftrace's probes did not all report within ", kAttachTimeoutS, " s"));
    }
    if (now >= next_ping) {
      if (write(ctl[1], "p", 1) != 1) give_up("the waiting program died before exec");
      next_ping = now + 200000000;
    }
    pollfd p{bpf_out[0], POLLIN, 0};
    if (poll(&p, 1, 50) > 0 && !reader.ReadSome()) {
      waitpid(tracer, nullptr, 0);
      kill(child, SIGKILL);
      waitpid(child, nullptr, 0);
      ExitUnavailable(absl::StrCat("bpftrace failed: ", BpftraceComplaint(err_fd)));
    }
  }

  // Release the program.
  const uint64_t start_ns = MonotonicNs();
  const std::string clock_note = absl::StrCat("# vma_peak start_monotonic_ns=", start_ns, "\n");
  if (write(ctl[1], "g", 1) != 1) give_up("the waiting program died before exec");
  close(ctl[1]);
  StampedCopy copy(stdout_file, start_ns);
  if (stdout_file != nullptr) std::fputs(clock_note.c_str(), stdout_file);
  bool out_open = out[0] >= 0;
  int status = 0;
  for (;;) {
    pollfd p[2] = {{bpf_out[0], POLLIN, 0}, {out_open ? out[0] : -1, POLLIN, 0}};
    if (poll(p, 2, 50) > 0) {
      if (p[0].revents != 0 && !reader.ReadSome()) {
        std::fprintf(stderr, "vma_peak: bpftrace stopped while the program ran: %s\n",
                     BpftraceComplaint(err_fd).c_str());
        kill(child, SIGKILL);
        waitpid(child, nullptr, 0);
        return 1;
      }
      if (out_open && p[1].revents != 0) out_open = copy.ReadSome(out[0]);
    }
    const pid_t done = waitpid(child, &status, WNOHANG);
    if (done == child) break;
  }
  const double wall = static_cast<double>(MonotonicNs() - start_ns) / 1e9;
  if (out_open) {  // what the program wrote before it exited
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    while (copy.ReadSome(out[0])) {
      pollfd p{out[0], POLLIN, 0};
      if (poll(&p, 1, 0) <= 0) break;
    }
  }

  // Stop bpftrace; it drains its buffers and prints @n.
  kill(tracer, SIGINT);
  const uint64_t drain_deadline = MonotonicNs() + static_cast<uint64_t>(kDrainTimeoutS * 1e9);
  for (;;) {
    if (MonotonicNs() > drain_deadline) {
      kill(tracer, SIGKILL);
      break;
    }
    pollfd p{bpf_out[0], POLLIN, 0};
    if (poll(&p, 1, 100) > 0 && !reader.ReadSome()) break;
  }
  waitpid(tracer, nullptr, 0);

  uint64_t lost = reader.lost();
  const uint64_t received = reader.events().size();
  if (!reader.total_seen()) {
    std::fprintf(stderr,
                 "vma_peak: bpftrace ended without its event count; cannot show no event was "
                 "lost\n");
    lost = std::max<uint64_t>(lost, 1);
  } else if (reader.total() > received) {
    lost = std::max<uint64_t>(lost, reader.total() - received);
  }
  const PeakRun run = AnalyzeEvents(reader.events(), start_ns);

  if (series != nullptr) {
    std::fputs(clock_note.c_str(), series);
    std::fprintf(series, "# seconds\tmap_count\n");
    for (const auto& [t, n] : run.series) std::fprintf(series, "%.6f\t%lld\n", t, static_cast<long long>(n));
    std::fclose(series);
  }
  if (calls_file != nullptr) {
    std::fputs(clock_note.c_str(), calls_file);
    std::fprintf(calls_file, "# seconds\tcall\taddr\tlen\targ\tresult\tmap_count\n");
    const int madvise = CallId("madvise");
    for (const CallEvent& e : run.counted) {
      const bool failed = e.ret < 0 && e.ret > -4096;
      const std::string arg = e.call == madvise ? AdviceName(e.arg) : absl::StrCat(e.arg);
      const std::string result =
          failed ? ErrnoName(static_cast<int>(-e.ret)) : absl::StrCat("0x", absl::Hex(e.ret));
      std::fprintf(calls_file, "%.6f\t%s\t0x%llx\t%llu\t%s\t%s\t%lld\n",
                   static_cast<double>(e.nsecs - start_ns) / 1e9, WatchedCalls()[e.call].name,
                   static_cast<unsigned long long>(e.addr), static_cast<unsigned long long>(e.len),
                   arg.c_str(), result.c_str(), static_cast<long long>(e.map_count));
    }
    std::fclose(calls_file);
  }
  if (stdout_file != nullptr) std::fclose(stdout_file);

  const int exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  const std::string how =
      WIFSIGNALED(status) ? absl::StrCat("signal ", WTERMSIG(status)) : std::string("exit");
  std::vector<std::string> madv;
  for (const auto& [key, n] : run.madvise) madv.push_back(absl::StrCat(key, "=", n));
  const std::string label = absl::GetFlag(FLAGS_label);
  std::printf("%smax_vmas=%lld at=%.3fs final=%lld events=%lld madvise{%s} %s=%d wall=%.1fs "
              "lost_events=%llu\n",
              label.empty() ? "" : (label + " ").c_str(), static_cast<long long>(run.max), run.max_at,
              static_cast<long long>(run.final_count), static_cast<long long>(run.events),
              absl::StrJoin(madv, " ").c_str(), how.c_str(), exit_code, wall,
              static_cast<unsigned long long>(lost));
  std::fflush(stdout);
  if (!run.exec_seen) {
    std::fprintf(stderr, "vma_peak: the program's execve was not seen (did it start?)\n");
    return 1;
  }
  if (lost > 0) {
    std::fprintf(stderr, "vma_peak: %llu events lost: the maximum may be an under-count\n",
                 static_cast<unsigned long long>(lost));
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace thp

int main(int argc, char** argv) {
  std::vector<std::string> args = thp::ParseFlagsOrExit(
      argc, argv,
      "vma_peak [--series_out=F] [--calls_out=F] [--stdout_out=F] [--label=NAME] -- PROGRAM "
      "[ARGS...]",
      /*allow_positional=*/true);
  if (args.empty()) thp::ExitUsage("no program to run; usage: vma_peak [flags] -- PROGRAM [ARGS...]");
  return thp::Run(args);
}
