// Workloads as data: a text format for the heap-level event stream of a
// workload, its parser, and a replayer that runs a trace through the ported
// runtime (any variant, any kernel) with sysmon on the virtual clock.
//
// Format, one event per line; '#' starts a comment; blank lines are ignored;
// the first event line must be the header "thp-trace 1":
//   alloc <id> <bytes> scan|noscan <p>   new object, held as handle <id>
//   drop <id>                           the workload lets go of <id>
//   stack <id> <bytes> <p>              a new goroutine stack (power of two)
//   unstack <id> <p>                    that stack is freed
//   gc                                  runtime.GC()
//   freeosmemory                        runtime/debug.FreeOSMemory()
//   compute <ns>                        virtual time passes with a P busy
//   sleep <ns>                          virtual time passes with every P idle
// Ids are decimal and name one live object or stack at a time.
#ifndef THP_BENCH_WORKLOADS_TRACE_H_
#define THP_BENCH_WORKLOADS_TRACE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "mheap/runtime.h"
#include "scavenger/scavenger.h"
#include "scavenger/sysmon.h"

namespace thp {

struct TraceEvent {
  enum Kind { kAlloc, kDrop, kStack, kUnstack, kGc, kFreeOsMemory, kCompute, kSleep } kind;
  uint64_t id = 0;
  uint64_t bytes = 0;  // alloc, stack
  bool noscan = false;
  int p = 0;
  int64_t ns = 0;      // compute, sleep
  int line = 0;        // where it came from, for error messages
};

// Parses one line; `line_no` goes into the error. Returns nullopt-like
// (kind unset) for blank and comment lines via *is_event = false.
absl::StatusOr<TraceEvent> ParseTraceLine(absl::string_view line, int line_no, bool* is_event);
// Parses a whole trace, header included.
absl::StatusOr<std::vector<TraceEvent>> ParseTrace(absl::string_view text);
// The line for an event (what ParseTraceLine reads back).
std::string FormatTraceEvent(const TraceEvent& e);

struct ReplayStats {
  int64_t events = 0;
  int64_t max_vmas = 0;    // the kernel's map_count, highest after any event
  int64_t final_vmas = 0;
  int64_t virtual_ns = 0;
};

// Runs events through a Runtime with sysmon. Owns the virtual clock.
class TraceReplayer {
 public:
  static absl::StatusOr<std::unique_ptr<TraceReplayer>> Create(Kernel& kernel,
                                                               const RuntimeOptions& options,
                                                               bool scavenge_debug,
                                                               const TraceSink* trace);
  // Applies one event; a failed status (unknown id, bad size) names it.
  absl::Status Apply(const TraceEvent& e);
  const ReplayStats& stats() const { return stats_; }
  Runtime& runtime() { return *rt_; }
  const Sysmon& sysmon() const { return *sysmon_; }

 private:
  TraceReplayer(Kernel& kernel, std::unique_ptr<VirtualClock> clock, std::unique_ptr<Runtime> rt,
                bool scavenge_debug, const TraceSink* trace);
  void Advance(int64_t ns, bool idle);
  void Census();

  Kernel& kernel_;
  std::unique_ptr<VirtualClock> clock_;
  std::unique_ptr<Runtime> rt_;
  std::unique_ptr<Sysmon> sysmon_;
  SysmonActions actions_;
  const TraceSink* trace_;
  bool idle_ = false;
  int64_t busy_at_ = 0;
  int64_t start_ns_ = 0;
  absl::flat_hash_map<uint64_t, uintptr_t> objects_;
  absl::flat_hash_map<uint64_t, uintptr_t> stacks_;
  ReplayStats stats_;
};

}  // namespace thp

#endif  // THP_BENCH_WORKLOADS_TRACE_H_
