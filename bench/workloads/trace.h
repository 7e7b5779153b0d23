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
//   go <id> <p>                         a goroutine starts on P p (newproc1: a dead
//                                       g reused, or a new g struct and 2 KiB stack)
//   gogrow <id> <bytes> <p>             its stack becomes <bytes>, a power of two
//                                       (copystack: allocate the new, free the old)
//   goexit <id> <p>                     it exits on P p (gfput; a stack that is not
//                                       2 KiB is freed, the next GC frees the rest)
//   gc                                  runtime.GC()
//   freeosmemory                        runtime/debug.FreeOSMemory()
//   compute <ns>                        virtual time passes with a P busy
//   sleep <ns>                          virtual time passes with every P idle
//   retain <id>                         <id> stays live, without an id, until release
//   release                             drops every retained object
//   bench <name> <n>                    a b.N run of a benchmark begins (a label)
//   loop <iterations> <ns>              the lines up to "end" are one iteration of
//   end                                 a timed loop; each iteration is <ns> of busy
//                                       time, spread evenly after its alloc and
//                                       stack and go events (loops do not nest)
// Ids are decimal and name one live object, stack or goroutine at a time
// (goroutine ids are a namespace of their own).
#ifndef THP_BENCH_WORKLOADS_TRACE_H_
#define THP_BENCH_WORKLOADS_TRACE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "mheap/go15/runtime.h"
#include "runtime_port/kernel/census_kernel.h"
#include "scavenger/scavenger.h"
#include "scavenger/sysmon.h"

namespace thp {

struct TraceEvent {
  enum Kind {
    kAlloc, kDrop, kStack, kUnstack, kGc, kFreeOsMemory, kCompute, kSleep, kBench, kLoop, kEnd,
    kRetain, kRelease, kGo, kGoGrow, kGoExit
  } kind;
  uint64_t id = 0;     // alloc, drop, stack, unstack, go*; b.N for bench; iterations for loop
  uint64_t bytes = 0;  // alloc, stack, gogrow
  bool noscan = false;
  int p = 0;
  int64_t ns = 0;      // compute, sleep, loop
  int line = 0;        // where it came from, for error messages
  std::string name;    // bench
};

// Parses one line; `line_no` goes into the error. Returns nullopt-like
// (kind unset) for blank and comment lines via *is_event = false.
absl::StatusOr<TraceEvent> ParseTraceLine(absl::string_view line, int line_no, bool* is_event);
// Parses a whole trace, header included.
absl::StatusOr<std::vector<TraceEvent>> ParseTrace(absl::string_view text);
// The line for an event (what ParseTraceLine reads back).
std::string FormatTraceEvent(const TraceEvent& e);

struct ReplayStats {
  int64_t events = 0;      // events applied, bench labels not counted (a loop's body counts
                           // once per iteration)
  int64_t max_vmas = 0;    // the process's map_count, highest after any kernel call
  int64_t final_vmas = 0;
  int64_t max_own_vmas = 0;  // the runtime's own mappings (census_kernel.h)
  int64_t final_own_vmas = 0;
  int64_t virtual_ns = 0;
};

// A loop's busy time reaches sysmon in slices of at most this much, so a
// loop of many short iterations costs one sysmon catch-up per slice.
inline constexpr int64_t kLoopSliceNs = 1000000;

// Runs events through a Runtime with sysmon. Owns the virtual clock and the
// VMA census: the runtime talks to the kernel through a CensusKernel.
class TraceReplayer {
 public:
  // With `vma_census` false the runtime talks to `kernel` directly: no VMA
  // count after each call (a /proc/self/maps read on the real kernel, which
  // would land inside every madvise timing), the VMA fields of stats() are
  // 0 and census() must not be called.
  static absl::StatusOr<std::unique_ptr<TraceReplayer>> Create(Kernel& kernel,
                                                               const RuntimeOptions& options,
                                                               bool scavenge_debug,
                                                               const TraceSink* trace,
                                                               bool vma_census = true);
  // Applies one event (not loop or end); a failed status (unknown id, bad
  // size) names it.
  absl::Status Apply(const TraceEvent& e);
  // Runs `iterations` iterations of `body` (no bench, loop or end events in
  // it), each taking ns_per_iteration of busy time.
  absl::Status ApplyLoop(const std::vector<TraceEvent>& body, int64_t iterations,
                         int64_t ns_per_iteration);
  // Applies a whole parsed trace, loops included. `on_bench` (may be empty)
  // sees each bench label as it is reached.
  absl::Status Run(const std::vector<TraceEvent>& events,
                   const std::function<void(const TraceEvent&)>& on_bench);
  ReplayStats stats() const;
  Runtime& runtime() { return *rt_; }
  const Sysmon& sysmon() const { return *sysmon_; }
  const CensusKernel& census() const;
  // Census every kernel call (the default), or only when ObserveCensus()
  // is called (census_kernel.h: for runs near vm.max_map_count). These
  // three need a replayer made with its census.
  void set_census_every_call(bool on) { mutable_census().set_recount_every_call(on); }
  void ObserveCensus() { mutable_census().Observe(); }
  // See CensusKernel::set_on_new_max.
  void set_on_census_peak(std::function<void()> f) {
    mutable_census().set_on_new_max(std::move(f));
  }
  int64_t now_ns() const { return clock_->NanoTime(); }
  // Called after each scavenge pass sysmon runs (may be empty).
  void set_on_scavenge(std::function<void()> f) { on_scavenge_ = std::move(f); }

 private:
  TraceReplayer(std::unique_ptr<CensusKernel> census, std::unique_ptr<VirtualClock> clock,
                std::unique_ptr<Runtime> rt, bool scavenge_debug, const TraceSink* trace);
  void Advance(int64_t ns, bool idle);
  // census() for the calls that change its settings (same check).
  CensusKernel& mutable_census() { return const_cast<CensusKernel&>(census()); }

  std::unique_ptr<CensusKernel> census_;
  std::unique_ptr<VirtualClock> clock_;
  std::unique_ptr<Runtime> rt_;
  std::unique_ptr<Sysmon> sysmon_;
  SysmonActions actions_;
  const TraceSink* trace_;
  std::function<void()> on_scavenge_;
  bool idle_ = false;
  int64_t busy_at_ = 0;
  int64_t start_ns_ = 0;
  absl::flat_hash_map<uint64_t, uintptr_t> objects_;
  absl::flat_hash_map<uint64_t, uintptr_t> stacks_;
  absl::flat_hash_map<uint64_t, size_t> goroutines_;  // trace id -> allgs index
  std::vector<uintptr_t> retained_;
  int64_t events_ = 0;
};

}  // namespace thp

#endif  // THP_BENCH_WORKLOADS_TRACE_H_
