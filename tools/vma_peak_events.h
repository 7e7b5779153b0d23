// The eBPF side of vma_peak: the bpftrace script it runs, the lines it reads
// back, and the count they add up to.
//
// The script has one exit probe per watched system call (mmap, munmap,
// mremap, mprotect, pkey_mprotect, madvise, process_madvise, brk, the
// mlock family, shmat/shmdt, mseal, execve/execveat), filtered by the thread
// group id of the measured program (bpftrace's `pid`), so every thread of a
// Go program (they share one mm) is counted and forked children are not.
// Each probe prints one line "E <call> <nsecs> <map_count> <ret> <addr>
// <len> <arg>": the call's id in WatchedCalls(), bpf_ktime_get_ns() (the
// CLOCK_MONOTONIC clock, the same as Go's nanotime), curtask->mm->map_count
// read at the call's exit, the call's result, and its arguments saved by
// the matching entry probe (per thread; 0 where a call has no such argument).
// `@n = count()` counts the lines the kernel side emitted; END prints it so
// the reader can prove none were lost in bpftrace's per-CPU buffers.
//
// What "exact" means here: map_count is read in the kernel at the exit of
// each call, so a value that exists between two calls of one thread is
// never missed, and the program is never stopped. A change made by one
// thread and undone by another before the first thread's exit probe runs
// is not seen; the Go heap makes its calls under its own lock, so this only
// concerns calls made concurrently outside the heap lock.
#ifndef THP_TOOLS_VMA_PEAK_EVENTS_H_
#define THP_TOOLS_VMA_PEAK_EVENTS_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace thp {

// A watched system call and the tracepoint fields its entry probe saves.
// A null field means the call has no such argument (printed as 0).
struct WatchedCall {
  const char* name;  // "mmap": tracepoints syscalls:sys_{enter,exit}_<name>
  const char* addr;
  const char* len;
  const char* arg;   // madvise's advice, mprotect's prot, ...
};

// Every call vma_peak can watch; a line's call id indexes this table.
absl::Span<const WatchedCall> WatchedCalls();
int CallId(absl::string_view name);  // -1 when not watched

// The bpftrace program for the thread group `tgid`, probing the calls
// whose ids are in `calls` (those whose tracepoints this kernel has).
std::string BpftraceScript(int tgid, absl::Span<const int> calls);

// The longest line the script prints (or bpftrace's own lines we accept).
constexpr size_t kMaxBpftraceLine = 256;

struct CallEvent {
  int call = 0;
  uint64_t nsecs = 0;
  int64_t map_count = 0;
  int64_t ret = 0;
  uint64_t addr = 0;
  uint64_t len = 0;
  int64_t arg = 0;
};

struct BpftraceLine {
  enum Kind { kEvent, kLost, kTotal, kIgnored };
  Kind kind = kIgnored;
  CallEvent event;     // kEvent
  uint64_t count = 0;  // kLost: events bpftrace says it lost; kTotal: lines emitted
};

// Parses one line of bpftrace's stdout (without its newline). Accepted:
// event lines, "Lost <n> events", "@n: <n>", "Attaching <n> probes...",
// and blank lines. Anything else is an error quoting the line.
absl::StatusOr<BpftraceLine> ParseBpftraceLine(absl::string_view line);

// The measured run, from its events sorted by time: counting starts at the
// program's successful execve (its map_count is the first value), earlier
// events (the driver's probe checks before exec) are dropped.
struct PeakRun {
  bool exec_seen = false;
  int64_t max = 0;
  double max_at = 0;  // seconds after start_ns
  int64_t final_count = 0;
  int64_t events = 0;  // counted events (from the exec on)
  std::map<std::string, int64_t> madvise;  // MadviseKey -> calls
  std::vector<std::pair<double, int64_t>> series;  // (seconds, map_count) at each change
  std::vector<CallEvent> counted;  // the counted events, in time order
};

// `events` in any order (bpftrace's per-CPU buffers do not keep time order
// across CPUs); times are reported as seconds after start_ns.
PeakRun AnalyzeEvents(std::vector<CallEvent> events, uint64_t start_ns);

}  // namespace thp

#endif  // THP_TOOLS_VMA_PEAK_EVENTS_H_
