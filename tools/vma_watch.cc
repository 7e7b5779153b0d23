// vma_watch: runs a program and counts its VMAs after every system call
// that can change them, exactly, from /proc/<pid>/maps.
//
// Used to measure a real Go binary (e.g. Go 1.5.1's runtime.test) the way
// vma_repro measures the port. A poller can miss a peak that lasts less than
// its period; this cannot. It traces the program with ptrace and a seccomp
// filter that stops only mmap, munmap, mremap, mprotect, madvise, brk and
// process_madvise, so the program's other system calls (Go's sysmon sleeps,
// futexes) run untouched. At each stop's syscall exit it counts the maps of
// the traced process (the thread group that was started; forked children
// are traced too, so the inherited filter never fails their calls with
// ENOSYS, but are not counted).
//
// The count is map_count as vm.max_map_count sees it ([vsyscall] is not
// counted). For a static Go binary that is the whole process's count: what
// the issue calls the Go-equivalent count.
//
// Output: one summary line on stdout (max, when, final, madvise calls by
// advice and errno); with --series_out, a TSV of (seconds, map_count) at
// every change; with --calls_out, a TSV of every watched call of the traced
// process with its arguments, result and the map_count after it. The program's exit status is reported, not adopted:
// vma_watch exits 0 when it measured the run to the end, 2 on bad usage or an
// output (--series_out, --calls_out, stdout) that cannot be written.
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/harness/cli.h"
#include "runtime_port/base/file_io.h"
#include "runtime_port/kernel/proc_maps.h"
#include "tools/syscall_names.h"

ABSL_FLAG(std::string, series_out, "", "write (seconds, map_count) at every change to this TSV");
ABSL_FLAG(std::string, calls_out, "",
          "write every watched call (seconds, call, addr, len, arg, result, map_count after) "
          "to this TSV");
ABSL_FLAG(std::string, label, "", "a name for the summary line");

namespace thp {
namespace {

#ifndef SYS_process_madvise
#define SYS_process_madvise 440
#endif

constexpr int kWatched[] = {SYS_mmap, SYS_munmap, SYS_mremap, SYS_mprotect,
                            SYS_madvise, SYS_brk, SYS_process_madvise};

// In the child, before exec: stop the watched calls for the tracer.
void InstallFilter() {
  std::vector<sock_filter> prog;
  prog.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
  prog.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0));
  prog.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  prog.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
  const int n = static_cast<int>(sizeof(kWatched) / sizeof(kWatched[0]));
  for (int i = 0; i < n; ++i) {
    // Match: jump to the TRACE return, which sits after the remaining tests
    // and the ALLOW return.
    const auto to_trace = static_cast<uint8_t>(n - i);
    prog.push_back(
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(kWatched[i]), to_trace, 0));
  }
  prog.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  prog.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE));
  sock_fprog fprog{};
  fprog.len = static_cast<unsigned short>(prog.size());
  fprog.filter = prog.data();
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) != 0) {
    std::perror("vma_watch: seccomp");
    _exit(127);
  }
}

// map_count of `pid`, or -1 once its maps can no longer be read.
int64_t CountMaps(pid_t pid) {
  absl::StatusOr<std::string> maps = ReadWholeFile(absl::StrFormat("/proc/%d/maps", pid));
  return maps.ok() ? MapCountOfText(*maps) : -1;
}

// A watched call between its entry stop and its exit stop.
struct InCall {
  uint64_t nr = 0;
  uint64_t addr = 0;
  uint64_t len = 0;
  uint64_t arg = 0;  // madvise advice, mprotect prot, mmap prot
};

std::string CallName(uint64_t nr) {
  switch (nr) {
    case SYS_mmap: return "mmap";
    case SYS_munmap: return "munmap";
    case SYS_mremap: return "mremap";
    case SYS_mprotect: return "mprotect";
    case SYS_madvise: return "madvise";
    case SYS_brk: return "brk";
    case SYS_process_madvise: return "process_madvise";
    default: return absl::StrFormat("syscall%d", nr);
  }
}

struct Watch {
  pid_t leader = 0;
  absl::Time start;
  int64_t max = 0;
  double max_at = 0;
  int64_t current = 0;
  int64_t counts = 0;  // maps reads
  std::map<std::string, int64_t> madvise;  // "HUGEPAGE" or "HUGEPAGE/EINVAL"
  FILE* series = nullptr;
  FILE* calls = nullptr;

  void Observe() {
    const int64_t n = CountMaps(leader);
    if (n < 0) return;
    ++counts;
    const double t = absl::ToDoubleSeconds(absl::Now() - start);
    if (n != current && series != nullptr) std::fprintf(series, "%.6f\t%lld\n", t, static_cast<long long>(n));
    current = n;
    if (n > max) {
      max = n;
      max_at = t;
    }
  }
};

int Run(const std::vector<std::string>& argv) {
  Watch w;
  const std::string series_path = absl::GetFlag(FLAGS_series_out);
  if (!series_path.empty()) {
    w.series = std::fopen(series_path.c_str(), "w");
    if (w.series == nullptr) ExitUsage(absl::StrFormat("cannot write --series_out=%s", series_path));
    std::fprintf(w.series, "# seconds\tmap_count\n");
  }
  const std::string calls_path = absl::GetFlag(FLAGS_calls_out);
  if (!calls_path.empty()) {
    w.calls = std::fopen(calls_path.c_str(), "w");
    if (w.calls == nullptr) ExitUsage(absl::StrFormat("cannot write --calls_out=%s", calls_path));
    std::fprintf(w.calls, "# seconds\tcall\taddr\tlen\targ\tresult\tmap_count\n");
  }
  const pid_t parent = getpid();
  const pid_t child = fork();
  if (child < 0) {
    std::perror("vma_watch: fork");
    return 1;
  }
  if (child == 0) {
    // The program dies with vma_watch, however that ends: PTRACE_O_EXITKILL
    // only covers it once the options are set, and a tracee stopped before
    // then would be left stopped for ever.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
    raise(SIGSTOP);
    InstallFilter();
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    std::fprintf(stderr, "vma_watch: cannot run %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  waitpid(child, &status, 0);
  const long options = PTRACE_O_TRACESECCOMP | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK |
                       PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC | PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL;
  ptrace(PTRACE_SETOPTIONS, child, nullptr, reinterpret_cast<void*>(options));
  w.leader = child;
  w.start = absl::Now();
  ptrace(PTRACE_CONT, child, nullptr, nullptr);

  // Threads stopped at a watched call's entry.
  absl::flat_hash_map<pid_t, InCall> in_call;
  int exit_code = -1;
  std::string how = "exit";
  for (;;) {
    const pid_t pid = waitpid(-1, &status, __WALL);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;  // ECHILD: everything traced has gone
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      in_call.erase(pid);
      if (pid == child) {
        exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (WIFSIGNALED(status)) how = absl::StrFormat("signal %d", WTERMSIG(status));
      }
      continue;
    }
    if (!WIFSTOPPED(status)) continue;
    const int sig = WSTOPSIG(status);
    const int event = status >> 16;
    if (sig == SIGTRAP && event == PTRACE_EVENT_SECCOMP) {
      user_regs_struct regs{};
      ptrace(PTRACE_GETREGS, pid, nullptr, &regs);
      InCall c;
      c.nr = regs.orig_rax;
      c.addr = regs.rdi;
      c.len = regs.rsi;
      c.arg = regs.rdx;
      in_call[pid] = c;
      ptrace(PTRACE_SYSCALL, pid, nullptr, nullptr);  // next stop: this call's exit
      continue;
    }
    if (sig == (SIGTRAP | 0x80)) {
      auto it = in_call.find(pid);
      if (it != in_call.end()) {
        user_regs_struct regs{};
        ptrace(PTRACE_GETREGS, pid, nullptr, &regs);
        const InCall c = it->second;
        in_call.erase(it);
        // Threads of the watched process share its mm; forked children are
        // not counted.
        char task_path[64];
        std::snprintf(task_path, sizeof(task_path), "/proc/%d/task/%d", child, pid);
        if (access(task_path, F_OK) == 0) {
          const auto ret = static_cast<int64_t>(regs.rax);
          const bool failed = ret < 0 && ret > -4096;
          const std::string err = failed ? ErrnoName(static_cast<int>(-ret)) : "";
          if (c.nr == SYS_madvise) ++w.madvise[MadviseKey(static_cast<int64_t>(c.arg), ret)];
          w.Observe();
          if (w.calls != nullptr) {
            const std::string arg = c.nr == SYS_madvise ? AdviceName(static_cast<int64_t>(c.arg))
                                                        : absl::StrFormat("%d", c.arg);
            const std::string result = failed ? err : absl::StrFormat("%#x", ret);
            std::fprintf(w.calls, "%.6f\t%s\t%#llx\t%llu\t%s\t%s\t%lld\n",
                         absl::ToDoubleSeconds(absl::Now() - w.start), CallName(c.nr).c_str(),
                         static_cast<unsigned long long>(c.addr),
                         static_cast<unsigned long long>(c.len), arg.c_str(), result.c_str(),
                         static_cast<long long>(w.current));
          }
        }
      }
      ptrace(PTRACE_CONT, pid, nullptr, nullptr);
      continue;
    }
    if (sig == SIGTRAP && event != 0) {
      ptrace(PTRACE_CONT, pid, nullptr, nullptr);  // clone, fork, vfork, exec events
      continue;
    }
    if (sig == SIGSTOP && event == 0) {
      // A new thread's or child's first stop, or a real SIGSTOP: let it run.
      ptrace(PTRACE_CONT, pid, nullptr, nullptr);
      continue;
    }
    if (event == PTRACE_EVENT_STOP) {
      ptrace(PTRACE_CONT, pid, nullptr, nullptr);
      continue;
    }
    // The program's own signals go through.
    ptrace(PTRACE_CONT, pid, nullptr, reinterpret_cast<void*>(static_cast<intptr_t>(sig)));
  }
  // A file that could not be written (a full disk, /dev/full) is one line
  // and exit status 2, after the summary line.
  int write_status = 0;
  auto close = [&write_status](FILE* f, const char* flag, const std::string& path) {
    if (f == nullptr) return;
    const bool failed = std::ferror(f) != 0;
    errno = 0;
    if (std::fclose(f) == 0 && !failed) return;
    std::fprintf(stderr, "vma_watch: --%s=%s: cannot write: %s\n", flag, path.c_str(),
                 errno != 0 ? std::strerror(errno) : "write failed");
    write_status = 2;
  };
  close(w.series, "series_out", series_path);
  close(w.calls, "calls_out", calls_path);
  std::vector<std::string> calls;
  for (const auto& [key, n] : w.madvise) calls.push_back(absl::StrFormat("%s=%d", key, n));
  const std::string label = absl::GetFlag(FLAGS_label);
  std::printf("%smax_vmas=%lld at=%.3fs final=%lld maps_reads=%lld madvise{%s} %s=%d wall=%.1fs\n",
              label.empty() ? "" : (label + " ").c_str(), static_cast<long long>(w.max), w.max_at,
              static_cast<long long>(w.current), static_cast<long long>(w.counts),
              absl::StrJoin(calls, " ").c_str(), how.c_str(), exit_code,
              absl::ToDoubleSeconds(absl::Now() - w.start));
  return CombineExitStatus({exit_code < 0 ? 1 : 0, write_status});
}

}  // namespace
}  // namespace thp

int main(int argc, char** argv) {
  std::vector<std::string> args = thp::ParseFlagsOrExit(
      argc, argv, "vma_watch [--series_out=F] [--label=NAME] -- PROGRAM [ARGS...]",
      /*allow_positional=*/true);
  if (args.empty()) thp::ExitUsage("no program to run; usage: vma_watch [flags] -- PROGRAM [ARGS...]");
  return thp::Run(args);
}
