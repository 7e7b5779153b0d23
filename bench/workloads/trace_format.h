// Workloads as data: the text format of a workload's heap-level event
// stream (its parser and its printer). bench/workloads/trace_replayer.h runs
// the events through the ported runtime; the workload generators
// (go15_suite, fragmenter, issue8832, chunk_churn) write them.
//
// Format, one event per line; '#' starts a comment; blank lines are ignored;
// the first event line must be the header "thp-trace 1":
//   alloc <id> <bytes> scan|noscan <p> [systemstack] [writebarrier] [finalizer] [chain]
//         [work <units>]
//                                       new object, held as handle <id>;
//                                       systemstack: mallocgc runs on the g0
//                                       stack (Go 1.5.1's deferproc calls
//                                       newdefer through systemstack), where
//                                       startGC returns at once: such an
//                                       allocation never starts a GC cycle,
//                                       and it is no safe point;
//                                       writebarrier: the program stores the
//                                       new pointer in a global or heap slot
//                                       (iface_test.go's `e = ts`), so during
//                                       a GC's concurrent phase the write
//                                       barrier shades it: that cycle marks
//                                       it even if it is dropped at once;
//                                       finalizer: the program sets a
//                                       finalizer on it (mfinal_test.go's
//                                       SetFinalizer(v, fin)): once
//                                       unreachable, a sweep keeps it and
//                                       queues the finalizer, and it is
//                                       garbage only after runfinq ran that;
//                                       chain: the object is the next link
//                                       of a singly linked chain (go1.5.1
//                                       newdefer's record, pushed on
//                                       g._defer): a GC marks the chain one
//                                       link at a time, so each link held
//                                       lengthens a Go 1.5 heap cycle;
//                                       work: in a loop, the alloc stands for
//                                       <units> of its iteration's busy time,
//                                       where every other alloc, stack and go
//                                       event stands for one (1 to 2^32)
//   drop <id>                           the workload lets go of <id>
//   stack <id> <bytes> <p>              a new goroutine stack (power of two)
//   unstack <id> <p>                    that stack is freed
//   sudog <id> <p>                      a goroutine on P p blocks on a channel or in a
//                                       select (one per case): acquireSudog takes a
//                                       sudog, held as <id>, from the P's or
//                                       the central cache, else new(sudog), which
//                                       starts no GC cycle (go1.5.1 proc.go)
//   unsudog <id> <p>                    it wakes on P p: releaseSudog puts the sudog
//                                       back; the P's cache keeps up to 128 for good,
//                                       the central cache until the next GC
//                                       (mheap/go15/sudog_cache.h)
//   go <id> <p> [work <units>]          a goroutine starts on P p (newproc1: a dead
//                                       g reused, or a new g struct and 2 KiB stack);
//                                       work: in a loop, it stands for <units>
//                                       (0 to 2^32) of its iteration's busy time
//                                       instead of one
//   gogrow <id> <bytes> <p>             its stack becomes <bytes>, a power of two
//                                       (copystack: allocate the new, free the old)
//   gouse <id> <bytes> <p>              the goroutine now uses <bytes> of its stack
//                                       (depth plus _StackLimit; 0: not known): the
//                                       stack doubles on P p until it holds that
//                                       (newstack), and a GC halves a stack used
//                                       under a quarter (Go 1.5 shrinkstack);
//                                       with "ramp <ns>": from now on the use
//                                       rises evenly from nothing to <bytes> in
//                                       every <ns> (a recursion each op of the
//                                       loop that starts now), a GC reads it
//                                       where the op is, and a stack it halved
//                                       grows back as the world restarts;
//                                       with "frame <bytes>": the use is a
//                                       recursion of frames that size, each of
//                                       which a GC's stack scan walks (go1.5.1
//                                       scanstack: gentraceback's callback per
//                                       frame; GcModel's kStackScanNsPerFrame)
//   goexit <id> <p> [work <units>]      it exits on P p (gfput; a stack that is not
//                                       2 KiB is freed, the next GC frees the rest);
//                                       work: in a loop, it stands for <units>
//                                       (0 to 2^32) of its iteration's busy time,
//                                       where a goexit stands for none unless told
//   gc                                  runtime.GC()
//   freeosmemory                        runtime/debug.FreeOSMemory()
//   readmemstats                        runtime.ReadMemStats() (testing's StartTimer
//                                       and StopTimer): waits for a cycle in flight,
//                                       then flushes every P's mcache and stack cache
//   compute <ns> [nosafepoint]          virtual time passes with a P busy;
//                                       nosafepoint: in work that never reaches
//                                       a preemption point (copystack), so a GC
//                                       sysmon forces during it, or a mark that
//                                       runs out during it, stops the world
//                                       only at its end
//   sleep <ns>                          virtual time passes with every P idle
//   retain <id>                         <id> stays live, without an id, until release
//   release [<n>]                       drops every retained object, or the <n>
//                                       retained last (1 to 1e11; no more than
//                                       are retained)
//   globrunqput <n>                     the workload's scheduler put n goroutines on
//                                       the global run queue's tail (runqputslow)
//   globrunqget <p> <n>                 P p looked at the global run queue (schedule's
//                                       61st tick, or findrunnable) and took n from
//                                       its head; a forced GC sysmon readied while
//                                       such events come waits its turn there
//   newm <n> start|end                  Go made a new M (newm: an m struct, gsignal
//                                       and g0 with their stacks, kept for good) at
//                                       the start or the end of the n-th background
//                                       GC cycle to start from here (n >= 1); a
//                                       recorded scheduler decision (Go 1.5 heap)
//   bench <name> <n>                    a b.N run of a benchmark begins (a label)
//   loop <iterations> <ns> [nosafepoint|allocsafepoints] [everypbusy]
//        [pmove <k> [psteal <w0>,<w1>,... [pstay <w0>,<w1>,...]]]
//   end                                 the lines up to "end" are one iteration of
//                                       a timed loop; each iteration is <ns> of busy
//                                       time, spread after its alloc and stack
//                                       and go events, one unit each unless an
//                                       alloc states its work (loops do not nest);
//                                       nosafepoint: the loop never reaches a
//                                       preemption point, so a GC sysmon forces
//                                       during it cannot stop the world, and runs
//                                       when the loop ends; its body holds only
//                                       systemstack allocs and their drops and
//                                       retains, nosafepoint computes and a move
//                                       line (any other event would reach a
//                                       safe point)
//                                       allocsafepoints: the loop reaches a
//                                       preemption point only at each alloc
//                                       that is not systemstack (append's
//                                       loop, whose only call is growslice's
//                                       mallocgc): the busy time after one
//                                       reaches none until the next, so a GC
//                                       that needs the goroutine (its stack
//                                       scan, a stopped world) waits for that
//                                       alloc or the loop's end; its body
//                                       holds only allocs, drops, retains and
//                                       nosafepoint computes, and the loop
//                                       has neither everypbusy nor pmove
//                                       everypbusy: the loop's goroutines keep
//                                       every P running and never block or yield
//                                       (RunParallel workers that only compute),
//                                       so a runtime goroutine readied during it
//                                       (a forced GC, the GC's mark termination,
//                                       the background sweeper) waits until sysmon
//                                       preempts one of them
//                                       pmove <k>: the goroutine that runs the
//                                       loop moves to the next P every k
//                                       iterations (k from 1 to 1e11): iteration
//                                       i runs each event of P p on P
//                                       (p + i / k) mod GOMAXPROCS (an event
//                                       whose p is not below GOMAXPROCS keeps
//                                       it, and is refused as anywhere); a
//                                       recorded scheduler decision
//                                       psteal <w0>,<w1>,...: at each move, how
//                                       many of the body's goroutine exits run
//                                       on the next P is drawn anew, j with
//                                       weight wj (1 to kMaxStealWeights
//                                       weights, each at most 1e11, not all 0):
//                                       the moving iteration's last j goexits
//                                       (at most all of them); past the body's
//                                       goexits, further iterations in the
//                                       middle of the stretch send their last
//                                       goexits there without moving (steals
//                                       that leave the goroutine where it is,
//                                       unless pstay places those).
//                                       The body then holds no move line and at
//                                       least one goexit; the draws are
//                                       TraceReplayer's (seeded, the same in
//                                       every replay); a recorded scheduler
//                                       decision
//                                       pstay <w0>,<w1>,...: in each iteration
//                                       that does not move (the stretch's
//                                       others, and all of a loop that never
//                                       moves), how many of the body's
//                                       goexits run on the next P while the
//                                       goroutine stays (another P's steal),
//                                       drawn as psteal's: j with weight wj,
//                                       that iteration's last j goexits.
//                                       With it, neither list has more weights
//                                       than the body has goexits and one
//                                       (no draw goes past the iteration)
//   move                                in a pmove loop's body, at most once: in
//                                       the last iteration before each move, the
//                                       goroutine moves here, and the events after
//                                       this line run on the next P already (other
//                                       Ps took some of its goroutines: their
//                                       exits come on the P it moves to); without
//                                       it the move comes at the iteration's end
// Ids are decimal and name one live object, stack or goroutine at a time
// (goroutine ids and sudog ids are namespaces of their own).
//
// Bounds, checked when the trace is parsed, so that no trace runs forever
// or wraps a count: a line is at most kMaxTraceLineBytes (a CRLF line end is
// read as LF); <p> is 0 to 255 (GOMAXPROCS at most 256); bench <n> and loop
// <iterations> are at most 1e11 (past what Go 1.5's b.N can reach); the
// whole trace, loops expanded, is at most kMaxTraceEvents events and
// kMaxTraceNs of virtual time (sysmon wakes every 10 ms or less of it, so
// a longer trace would cost minutes of wall time at the least). Sizes are
// checked by the runtime as Go checks them (Runtime::Allocate, stackalloc).
#ifndef THP_BENCH_WORKLOADS_TRACE_FORMAT_H_
#define THP_BENCH_WORKLOADS_TRACE_FORMAT_H_

#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace thp {

inline constexpr size_t kMaxTraceLineBytes = 4096;
// 1e10: the Go 1.5 suite's own trace (vma_repro --trace_out) holds 1.16e9
// events with its loops expanded, and a replay must take it.
inline constexpr int64_t kMaxTraceEvents = 10000000000;       // 1e10
inline constexpr int64_t kMaxTraceNs = 100000000000000;       // 1e14 ns, about 28 hours
inline constexpr uint64_t kMaxTraceCount = 100000000000;      // 1e11: bench n, loop iterations
inline constexpr uint64_t kMaxNewMCycle = 1000000;            // 1e6: newm's cycle
inline constexpr uint64_t kMaxFrameBytes = uint64_t{1} << 30;  // gouse's frame: Go's 1 GiB stack cap
inline constexpr uint64_t kMaxAllocWork = uint64_t{1} << 32;   // alloc's work units
inline constexpr size_t kMaxStealWeights = 64;                 // a loop's psteal or pstay weights

struct TraceEvent {
  enum Kind {
    kAlloc, kDrop, kStack, kUnstack, kGc, kFreeOsMemory, kCompute, kSleep, kBench, kLoop, kEnd,
    kRetain, kRelease, kGo, kGoGrow, kGoExit, kGlobRunqPut, kGlobRunqGet, kNewM, kReadMemStats,
    kGoUse, kSudog, kUnsudog, kMove
  } kind;
  uint64_t id = 0;     // alloc, drop, stack, unstack, sudog, unsudog, go*; b.N for bench;
                       // iterations for loop;
                       // the count for globrunqput and globrunqget; the cycle for newm;
                       // how many release drops (0: every retained object)
  uint64_t bytes = 0;  // alloc, stack, gogrow, gouse
  bool noscan = false;
  bool system_stack = false;   // alloc: "systemstack"
  bool write_barrier = false;  // alloc: "writebarrier"
  bool finalizer = false;      // alloc: "finalizer"
  bool chain = false;          // alloc: "chain"
  uint64_t work = 1;           // alloc, go, goexit: "work <units>" (a loop's; 1 when
                               // not stated, but 0 for goexit: work_stated)
  bool work_stated = false;    // go, goexit: "work" given
  bool at_cycle_end = false;   // newm: "end"
  int p = 0;
  int64_t ns = 0;      // compute, sleep, loop; gouse's ramp (0: none)
  uint64_t frame_bytes = 0;    // gouse: "frame <bytes>" (0: frames not stated)
  bool no_safe_point = false;  // loop, compute: "nosafepoint"
  bool alloc_safe_points = false;  // loop: "allocsafepoints"
  bool every_p_busy = false;   // loop: "everypbusy"
  uint64_t p_move = 0;         // loop: "pmove <k>" (0: its goroutine stays on its Ps)
  std::vector<uint64_t> p_steal;  // loop: "psteal <w0>,<w1>,..." (empty: none)
  std::vector<uint64_t> p_stay;   // loop: "pstay <w0>,<w1>,..." (empty: none)
  int line = 0;        // where it came from, for error messages
  std::string name;    // bench
};

// Whether `weights` are a loop's psteal or pstay list as the parser takes
// them: 1 to kMaxStealWeights weights, each at most kMaxTraceCount (so that
// their sum stays exact in a double), not all 0.
bool StealWeightsOk(const std::vector<uint64_t>& weights);

// Whether running `e` reaches a preemption point (what a nosafepoint loop
// may not hold): every event but a systemstack alloc (mallocgc on g0 checks
// no preemption request), the workload's own drops and retains (no
// runtime call), a nosafepoint compute and a pmove loop's move marker
// (no event: it only says where the moving iteration changes P).
inline bool ReachesSafePoint(const TraceEvent& e) {
  return !((e.kind == TraceEvent::kAlloc && e.system_stack) || e.kind == TraceEvent::kDrop ||
           e.kind == TraceEvent::kRetain || (e.kind == TraceEvent::kCompute && e.no_safe_point) ||
           e.kind == TraceEvent::kMove);
}

// Whether running `e` in an allocsafepoints loop reaches a preemption point
// between the loop's allocs (what such a loop may not hold): as
// ReachesSafePoint, but an alloc's check is the loop's own point.
inline bool ReachesSafePointBetweenAllocs(const TraceEvent& e) {
  return e.kind != TraceEvent::kAlloc && ReachesSafePoint(e);
}

// Whether `e` stops the world: runtime.GC(), debug.FreeOSMemory() (a
// runtime.GC() first) and runtime.ReadMemStats() (testing's timer calls).
// Each is one call of the goroutine that makes it, not of every P.
inline bool StopsTheWorld(const TraceEvent& e) {
  return e.kind == TraceEvent::kGc || e.kind == TraceEvent::kFreeOsMemory ||
         e.kind == TraceEvent::kReadMemStats;
}

// An alloc event (no flags) and a drop event, as a workload generator
// makes them.
TraceEvent AllocEvent(uint64_t id, uint64_t bytes, bool noscan, int p);
TraceEvent DropEvent(uint64_t id);

// Parses one line; `line_no` goes into the error. Returns nullopt-like
// (kind unset) for blank and comment lines via *is_event = false.
absl::StatusOr<TraceEvent> ParseTraceLine(absl::string_view line, int line_no, bool* is_event);
// Parses a trace one line at a time, with every check ParseTrace makes:
// Feed returns each line's event (nullopt for the header, blank and
// comment lines); Finish, after the last line, checks the trace's end.
class TraceParser {
 public:
  absl::StatusOr<std::optional<TraceEvent>> Feed(absl::string_view line);
  absl::Status Finish() const;

 private:
  int line_no_ = 0;
  int loop_line_ = 0;               // the open loop's line, 0 outside loops
  bool loop_no_safe_point_ = false;  // the open loop's nosafepoint
  bool loop_alloc_safe_points_ = false;  // the open loop's allocsafepoints
  bool loop_p_move_ = false;         // the open loop's pmove
  bool loop_p_steal_ = false;        // the open loop's psteal
  int move_line_ = 0;                // the open loop's move line, 0 if none yet
  bool header_ = false;
  // Totals with loops expanded, checked against kMaxTraceEvents/kMaxTraceNs.
  int64_t events_ = 0, virtual_ns_ = 0;
  int64_t body_events_ = 0;      // of the open loop
  int64_t loop_iterations_ = 0;  // of the open loop
};
// Parses a whole trace, header included.
absl::StatusOr<std::vector<TraceEvent>> ParseTrace(absl::string_view text);
// Reads a trace from `f` one line at a time and hands each event to `fn`
// (which may move it), holding none: the first failed status, the parser's
// or fn's, ends the read and is returned.
absl::Status ForEachTraceEvent(std::FILE* f, const std::function<absl::Status(TraceEvent&&)>& fn);
// The line for an event (what ParseTraceLine reads back).
std::string FormatTraceEvent(const TraceEvent& e);
}  // namespace thp

#endif  // THP_BENCH_WORKLOADS_TRACE_FORMAT_H_
