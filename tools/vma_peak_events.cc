#include "tools/vma_peak_events.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tools/syscall_names.h"

namespace thp {
namespace {

// Field names as the kernel's syscalls tracepoints spell them
// (/sys/kernel/tracing/events/syscalls/sys_enter_<name>/format).
constexpr WatchedCall kCalls[] = {
    {"mmap", "addr", "len", "prot"},
    {"munmap", "addr", "len", nullptr},
    {"mremap", "addr", "old_len", "new_len"},
    {"mprotect", "start", "len", "prot"},
    {"pkey_mprotect", "start", "len", "prot"},
    {"madvise", "start", "len_in", "behavior"},
    {"process_madvise", nullptr, "vlen", "behavior"},
    {"brk", "brk", nullptr, nullptr},
    {"mlock", "start", "len", nullptr},
    {"mlock2", "start", "len", "flags"},
    {"munlock", "start", "len", nullptr},
    {"mlockall", nullptr, nullptr, "flags"},
    {"munlockall", nullptr, nullptr, nullptr},
    {"shmat", "shmaddr", nullptr, "shmflg"},
    {"shmdt", "shmaddr", nullptr, nullptr},
    {"mseal", "start", "len", "flags"},
    {"execve", nullptr, nullptr, nullptr},
    {"execveat", nullptr, nullptr, nullptr},
};

bool HasArgs(const WatchedCall& c) {
  return c.addr != nullptr || c.len != nullptr || c.arg != nullptr;
}

}  // namespace

absl::Span<const WatchedCall> WatchedCalls() { return kCalls; }

int CallId(absl::string_view name) {
  for (size_t i = 0; i < sizeof(kCalls) / sizeof(kCalls[0]); ++i) {
    if (name == kCalls[i].name) return static_cast<int>(i);
  }
  return -1;
}

std::string BpftraceScript(int tgid, absl::Span<const int> calls) {
  std::string s;
  const std::string filter = absl::StrCat("/pid == ", tgid, "/");
  for (int id : calls) {
    const WatchedCall& c = kCalls[id];
    auto saved = [&](const char* field, const char* map) -> std::string {
      return field == nullptr ? "0" : absl::StrCat(map, "[tid]");
    };
    if (HasArgs(c)) {
      absl::StrAppend(&s, "tracepoint:syscalls:sys_enter_", c.name, " ", filter, " {");
      if (c.addr != nullptr) absl::StrAppend(&s, " @a[tid] = (uint64)args->", c.addr, ";");
      if (c.len != nullptr) absl::StrAppend(&s, " @l[tid] = (uint64)args->", c.len, ";");
      if (c.arg != nullptr) absl::StrAppend(&s, " @x[tid] = (int64)args->", c.arg, ";");
      absl::StrAppend(&s, " }\n");
    }
    absl::StrAppend(&s, "tracepoint:syscalls:sys_exit_", c.name, " ", filter, " { @n = count();",
                    " printf(\"E %d %llu %d %lld %llu %llu %lld\\n\", ", id,
                    ", nsecs, curtask->mm->map_count, args->ret, ", saved(c.addr, "@a"), ", ",
                    saved(c.len, "@l"), ", ", saved(c.arg, "@x"), ");");
    if (c.addr != nullptr) absl::StrAppend(&s, " delete(@a[tid]);");
    if (c.len != nullptr) absl::StrAppend(&s, " delete(@l[tid]);");
    if (c.arg != nullptr) absl::StrAppend(&s, " delete(@x[tid]);");
    absl::StrAppend(&s, " }\n");
  }
  // Print the emitted-line count, then clear the maps so bpftrace prints
  // nothing else at exit.
  absl::StrAppend(&s, "END { print(@n); clear(@n); clear(@a); clear(@l); clear(@x); }\n");
  return s;
}

absl::StatusOr<BpftraceLine> ParseBpftraceLine(absl::string_view line) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("unexpected bpftrace output line (", why, "): \"",
                     line.substr(0, kMaxBpftraceLine), "\""));
  };
  if (line.size() > kMaxBpftraceLine) return bad("too long");
  BpftraceLine out;
  const absl::string_view stripped = absl::StripAsciiWhitespace(line);
  if (stripped.empty()) return out;
  if (absl::StartsWith(line, "Attaching ") && absl::EndsWith(line, "...")) return out;
  if (absl::StartsWith(line, "E ")) {
    std::vector<absl::string_view> f = absl::StrSplit(line.substr(2), ' ');
    if (f.size() != 7) return bad("want 7 fields after E");
    CallEvent& e = out.event;
    int64_t call = 0;
    if (!absl::SimpleAtoi(f[0], &call) || call < 0 ||
        call >= static_cast<int64_t>(sizeof(kCalls) / sizeof(kCalls[0]))) {
      return bad("call id");
    }
    e.call = static_cast<int>(call);
    if (!absl::SimpleAtoi(f[1], &e.nsecs)) return bad("nsecs");
    if (!absl::SimpleAtoi(f[2], &e.map_count) || e.map_count < 0 || e.map_count > (1 << 30)) {
      return bad("map_count");
    }
    if (!absl::SimpleAtoi(f[3], &e.ret)) return bad("ret");
    if (!absl::SimpleAtoi(f[4], &e.addr)) return bad("addr");
    if (!absl::SimpleAtoi(f[5], &e.len)) return bad("len");
    if (!absl::SimpleAtoi(f[6], &e.arg)) return bad("arg");
    out.kind = BpftraceLine::kEvent;
    return out;
  }
  if (absl::StartsWith(line, "Lost ") && absl::EndsWith(line, " events")) {
    absl::string_view n = line.substr(5, line.size() - 5 - 7);
    if (!absl::SimpleAtoi(n, &out.count)) return bad("lost count");
    out.kind = BpftraceLine::kLost;
    return out;
  }
  if (absl::StartsWith(line, "@n: ")) {
    if (!absl::SimpleAtoi(line.substr(4), &out.count)) return bad("event count");
    out.kind = BpftraceLine::kTotal;
    return out;
  }
  return bad("unknown");
}

PeakRun AnalyzeEvents(std::vector<CallEvent> events, uint64_t start_ns) {
  std::stable_sort(events.begin(), events.end(),
                   [](const CallEvent& a, const CallEvent& b) { return a.nsecs < b.nsecs; });
  PeakRun run;
  const int execve = CallId("execve");
  const int execveat = CallId("execveat");
  const int madvise = CallId("madvise");
  const int process_madvise = CallId("process_madvise");
  size_t first = events.size();
  for (size_t i = 0; i < events.size(); ++i) {
    const CallEvent& e = events[i];
    if ((e.call == execve || e.call == execveat) && e.ret == 0 && e.nsecs >= start_ns) {
      first = i;
      break;
    }
  }
  if (first == events.size()) return run;
  run.exec_seen = true;
  auto seconds = [&](uint64_t ns) {
    return ns >= start_ns ? static_cast<double>(ns - start_ns) / 1e9
                          : -static_cast<double>(start_ns - ns) / 1e9;
  };
  run.counted.assign(events.begin() + static_cast<std::ptrdiff_t>(first), events.end());
  int64_t current = -1;
  for (const CallEvent& e : run.counted) {
    ++run.events;
    if (e.call == madvise) ++run.madvise[MadviseKey(e.arg, e.ret)];
    if (e.call == process_madvise) ++run.madvise["process_" + MadviseKey(e.arg, e.ret)];
    const double t = seconds(e.nsecs);
    if (e.map_count != current) run.series.emplace_back(t, e.map_count);
    current = e.map_count;
    if (e.map_count > run.max) {
      run.max = e.map_count;
      run.max_at = t;
    }
  }
  run.final_count = current;
  return run;
}

}  // namespace thp
