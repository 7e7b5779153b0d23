// The replayer of heap-event traces (trace_format.h): runs events through
// the ported runtime (any variant, any kernel) with sysmon on the virtual
// clock. It owns the virtual clock and the VMA census (census_kernel.h) the
// runtime talks to the kernel through; the drivers observe the run through
// its callbacks and never change it.
#ifndef THP_BENCH_WORKLOADS_TRACE_REPLAYER_H_
#define THP_BENCH_WORKLOADS_TRACE_REPLAYER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bench/workloads/run_program.h"
#include "bench/workloads/trace_format.h"
#include "mheap/go15/runtime.h"
#include "mheap/heap_runtime/go121_heap_runtime.h"
#include "mheap/heap_runtime/go15_heap_runtime.h"
#include "mheap/heap_runtime/heap_runtime.h"
#include "runtime_port/base/splitmix64.h"
#include "runtime_port/kernel/census_kernel.h"
#include "scavenger/gctrace.h"
#include "scavenger/sysmon.h"

namespace thp {

struct ReplayStats {
  int64_t events = 0;      // events applied, bench labels not counted (a loop's body counts
                           // once per iteration)
  int64_t max_vmas = 0;    // the process's map_count, highest after any kernel call
  int64_t final_vmas = 0;
  int64_t max_own_vmas = 0;  // the runtime's own mappings (census_kernel.h)
  int64_t final_own_vmas = 0;
  int64_t virtual_ns = 0;
};

// The virtual clock's time when a replayer is created (the heap's first
// calls are made then).
inline constexpr int64_t kReplayStartNs = 1000;

// A loop's busy time reaches sysmon in slices of at most this much, so a
// loop of many short iterations costs one sysmon catch-up per slice: the
// default of TraceReplayer::set_loop_slice_ns. A slice's allocations all
// come at its start, before its time passes (and before the background
// sweeper gets that time), so the slice is the model's time resolution
// for a loop; the drivers' --loop_slice_us sets it. One exception: an
// allocation that takes a span while the background sweeper works through
// the same spans (HeapRuntime::AllocRacesSweeper) comes at its own moment,
// the slice's time before it passed first, since which spans each of the
// two gets depends on it. 100 us: 1% of the 10 ms that go1.5.1's sysmon
// sleeps while a program runs (proc1.go sysmon: 20 us after an idle spell,
// doubling after 50 rounds, capped at 10 ms), so a pass and a cycle's
// start come at most that far off the allocations they follow. The
// default was 1 ms, under which BenchmarkMalloc16 run alone
// (tools/go151/alone_runs.sh, three runs) gave about a tenth of Go's
// releases that were not stale-now even with the refills at their own
// moments, and about Go's at 100 us; over 31 such runs of 15
// benchmarks the model's distance from Go was the same at 10, 30 and 100
// us, and 10 us cost the main job a third more time. A resolution, not a
// figure tuned to.
inline constexpr int64_t kLoopSliceNs = 100000;

// The seed of a replay's psteal draws (trace_format.h): every replay of a
// trace draws the same exits at the same moves. Chosen before any result,
// as kMarkShareSeed was; not a Go thing.
inline constexpr uint64_t kStealDrawSeed = 0x57ea15;

// The index j that a point u of [0, 1) picks with probability weights[j]
// over their sum (not all 0, at most kMaxStealWeights of at most 1e11):
// the first j whose running sum passes u * sum.
size_t WeightedIndex(const std::vector<uint64_t>& weights, double u);

// How a loop lets the scheduler in: a trace loop line's flags
// (trace_format.h), as TraceReplayer::ApplyLoop reads them.
struct LoopOptions {
  bool no_safe_point = false;
  // Preemption points only at the body's allocs that are not systemstack
  // (trace_format.h's allocsafepoints; not with the other three).
  bool alloc_safe_points = false;
  bool every_p_busy = false;
  int64_t p_move = 0;
  std::vector<uint64_t> p_steal;
  std::vector<uint64_t> p_stay;  // trace_format.h's pstay (only with p_steal)
};
LoopOptions LoopOptionsOf(const TraceEvent& loop);

// Runs events through a HeapRuntime (the Go 1.5 port with sysmon, or the
// Go 1.21 port with its background work). Owns the virtual clock and the
// VMA census: the runtime talks to the kernel through a CensusKernel.
class TraceReplayer {
 public:
  // `gctrace` (may be null; must outlive the replayer) receives the
  // GODEBUG=gctrace=1 lines of the heap's Go version: on the Go 1.5 heap each
  // GC cycle's gc line, "GC forced", and the scvg lines of every scavenge
  // (HeapScavenge, FreeOSMemory); on the Go 1.21 heap each cycle's gc line
  // and "GC forced" (mheap/go121/gctrace.h). `scavtrace` (may be null)
  // receives the Go 1.21 heap's GODEBUG=scavtrace=1 lines (Go 1.5 has none).
  // With `vma_census` false the runtime talks to `kernel` directly: no VMA
  // count after each call (a /proc/self/maps read on the real kernel, which
  // would land inside every madvise timing), the VMA fields of stats() are
  // 0 and census() must not be called. `heap` picks the port; the Go 1.21
  // one takes the variant, GOGC, GOMAXPROCS, GOMEMLIMIT, touch_memory,
  // map_noreserve and mem_observer of `options`, and has no scavenge=1.
  static absl::StatusOr<std::unique_ptr<TraceReplayer>> Create(Kernel& kernel,
                                                               const RuntimeOptions& options,
                                                               bool scavenge_debug,
                                                               const GcTraceWriter* gctrace,
                                                               bool vma_census = true,
                                                               HeapKind heap = HeapKind::kGo15,
                                                               const GcTraceWriter* scavtrace = nullptr);
  // Applies one event (not loop or end); a failed status (unknown id, bad
  // size) names it. An allocation that leaves the program waiting for a
  // marking cycle (HeapRuntime::ProgramWaitsForMark) waits here.
  absl::Status Apply(const TraceEvent& e);
  // Runs `iterations` iterations of `body` (no bench, loop or end events in
  // it), each taking ns_per_iteration of busy time, as `options` say. A
  // loop with `no_safe_point` (whose body holds only events that reach no safe
  // point: systemstack allocs, drops, retains) never reaches a preemption
  // point, and Go 1.5 preempts at none other: a GC that sysmon forces
  // during it takes worldsema but cannot stop the world until the loop
  // returns, so it starts at the loop's end (and no second one is forced
  // meanwhile: bggc is still working). A loop with `every_p_busy` keeps
  // every P running goroutines that never block or yield: what the runtime
  // readies during it waits for sysmon to preempt one
  // (HeapRuntime::EnterLoopKeepingEveryPBusy). With `p_move` above 0, the
  // goroutine running the loop moves to the next P every p_move iterations
  // (trace_format.h's pmove): iteration i runs each event of P p below
  // GOMAXPROCS on P (p + i / p_move) mod GOMAXPROCS; in the last iteration
  // before each move, the events after the body's move marker (at most
  // one; trace_format.h) run on the next P already. With `p_steal`
  // (trace_format.h's psteal) instead of a marker, how many of the body's
  // goexits run on the next P is drawn at each move from those weights
  // (DrawSteal); with `p_stay` too, in each iteration that does not move
  // from p_stay's (DrawStayGap). A loop with `alloc_safe_points` reaches a preemption
  // point only at each of its allocs not on the system stack: the busy
  // time between two passes with none (HeapRuntime::
  // EnterLoopWithSafePointsAtAllocs), and no fast path batches its allocs.
  absl::Status ApplyLoop(const std::vector<TraceEvent>& body, int64_t iterations,
                         int64_t ns_per_iteration, const LoopOptions& options = {});
  // A loop of one iteration whose body arrives one event at a time and is
  // never held (a streamed WholeRun body, run_program.h): BeginStreamedLoop,
  // PutStreamedEvent for each event, EndStreamedLoop. `work` is the units
  // of work (LoopWork) of the alloc, stack and go events the body holds
  // (EndStreamedLoop dies if the events sent disagree). The runtime sees exactly what
  // ApplyLoop(body, 1, ns_per_iteration) shows it. After a failed status,
  // the remaining events are ignored and EndStreamedLoop returns it.
  void BeginStreamedLoop(int64_t ns_per_iteration, int64_t work);
  absl::Status PutStreamedEvent(const TraceEvent& e);
  absl::Status EndStreamedLoop();
  // Applies a whole parsed trace, loops included. `on_bench` (may be empty)
  // sees each bench label as it is reached.
  absl::Status Run(const std::vector<TraceEvent>& events,
                   const std::function<void(const TraceEvent&)>& on_bench);
  // What a first pass over a trace file learns: every line checked, and for
  // each loop of one iteration (a streamed WholeRun body, such as
  // Matmult's million goroutines), its line and its alloc, stack and go
  // events, so that its body can be streamed too.
  using StreamableLoops = absl::flat_hash_map<int, int64_t>;
  static absl::StatusOr<StreamableLoops> CheckTrace(std::FILE* f);
  // Run, reading the trace from `f` as it goes (trace_format.h's
  // ForEachTraceEvent): only an open loop's body is held, and not even that
  // for the loops in `streamable` (CheckTrace's, from the same file).
  absl::Status RunStream(std::FILE* f, const std::function<void(const TraceEvent&)>& on_bench,
                         const StreamableLoops& streamable);
  ReplayStats stats() const;
  // For tests: in the loops ApplyLoop ran one step at a time, how many
  // loop slices ended (LoopClock::slice_left) right after the body's step
  // k, by k (a step is an event, or an alloc and its drop; k = the body's
  // step count: at an iteration's end).
  const std::vector<int64_t>& slice_ends_by_step() const { return slice_ends_by_step_; }
  // The runtime the events drive, whichever heap it is.
  HeapRuntime& heap_runtime() { return *rt_; }
  const HeapRuntime& heap_runtime() const { return *rt_; }
  // The Go 1.5 heap's runtime, sysmon and driver (dies for another heap).
  Runtime& runtime();
  const Sysmon& sysmon() const;
  const Go15HeapRuntime& go15() const;
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
  // Since the last bench label: the time the program waited for marks
  // inside loops (HeapRuntime::WaitForMark), and how much of it the loops'
  // busy time has repaid so far (AssistWaits).
  int64_t assist_waited_ns() const { return assist_.waited; }
  int64_t assist_repaid_ns() const { return assist_.repaid; }
  // Called after the runtime's scavenger ran (may be empty): after each of
  // sysmon's scavenge passes on the Go 1.5 heap; after each stretch of time
  // in which the background scavenger ran on the Go 1.21 heap.
  void set_on_scavenge(std::function<void()> f) { rt_->set_on_scavenge(std::move(f)); }
  // Off, a loop's events are applied one by one (an alloc and its drop as
  // one transient allocation, the rest through Apply): what the batched
  // paths must equal, for tests.
  void set_batched_loops(bool on) { batched_loops_ = on; }
  // The loop slice (kLoopSliceNs by default); `ns` must be positive.
  void set_loop_slice_ns(int64_t ns);
  int64_t loop_slice_ns() const { return loop_slice_ns_; }

 private:
  // How a loop iteration's busy time reaches sysmon (ApplyLoop).
  struct LoopClock {
    int64_t per_work = 0;  // per unit of work (LoopWork) after each event
    int64_t at_end = 0;    // the remainder, at the iteration's end
    int64_t pending = 0;   // not yet given to Advance
    // Busy time left until the next slice ends. Slices end on a grid of
    // loop_slice_ns_ of the loop's busy time, counted from the loop's
    // start, not from the last flush: a count restarted at each flush ends
    // every slice after the same event of the body whenever nothing else
    // flushes, so that sysmon's rounds and a mark's termination would
    // always find the iteration at that point (CreateGoroutinesCapture's
    // mark terminations found its op's four goroutines alive nearly every
    // time, after the op's fourth go; Go's found them all dead in a quarter
    // of its cycles, //bench/workloads:go15_gfree_ops_log_test).
    // On the grid, the point moves through the body as the iteration's
    // length and the slice's allow. A flush for another reason (a stopped
    // world, a racing refill, a wait) leaves the grid where it is.
    int64_t slice_left = 0;
    // Time this iteration's runtime.GC, ReadMemStats and FreeOSMemory calls
    // already let pass (waiting for a cycle, a stopped world): the busy time
    // after them (which Go's measured op time holds them in) is cut by as
    // much, down to nothing by the iteration's end.
    int64_t waited = 0;
  };
  // kTransient: an alloc and its drop; kRetained: an alloc and its retain;
  // kBlock: n allocs and then their n drops in the same order.
  enum class Fast { kNo, kTransient, kRetained, kBlock };
  struct StreamedLoop {
    LoopClock clock;
    std::optional<TraceEvent> held;  // an alloc waiting to see the next event
    int64_t work_expected = 0;
    int64_t work_seen = 0;
    absl::Status status;
  };

  // The program's waits for marks (HeapRuntime::WaitForMark) in the
  // current benchmark (since its bench label), and how the busy time of
  // its ops repays them. A benchmark's measured time per op holds its
  // waits (Go 1.5.1's ns/op averages over marks, where the program sleeps
  // in gcAssistAlloc, and the stretches between them, where it runs
  // faster): the busy time after a wait is cut by the fraction the waits
  // are of the busy time so far (at most kMaxRepayFraction), until what
  // was waited is repaid, so the benchmark keeps its measured length and
  // runs faster between its marks. Not a Go thing: how the model undoes
  // the average.
  struct AssistWaits {
    int64_t waited = 0;         // time waited
    int64_t nominal = 0;        // loop busy time as measured, before cuts
    int64_t repaid = 0;         // cut from it so far
    double fraction = 0;        // the cut per ns, since the last wait
    int64_t owed_at_wait = 0;   // waited less repaid, at the last wait
    int64_t nominal_since = 0;  // busy time since the last wait
    int64_t repaid_since = 0;   // cut from it
  };
  // The most of an op's busy time a wait's repayment cuts (early in a
  // benchmark the waits can exceed the busy time so far).
  static constexpr double kMaxRepayFraction = 0.9;

  TraceReplayer(std::unique_ptr<CensusKernel> census, std::unique_ptr<VirtualClock> clock,
                std::unique_ptr<HeapRuntime> rt, int gomaxprocs);
  // Apply without the wait for a mark (a loop's step waits itself, after
  // its pending busy time).
  absl::Status ApplyEvent(const TraceEvent& e);
  // When the program's last allocation left it waiting for the marking
  // cycle: the loop's pending busy time passes, then the wait, which
  // AssistWaits records. With c null (no loop: no measured time holds
  // the wait), only the wait.
  void WaitForMark(LoopClock* c);
  // Loop busy time `ns` as measured, less what it repays of the waits.
  int64_t RepayWaits(int64_t ns);
  void Advance(int64_t ns, bool idle);
  // What the runtime calls to move the clock.
  std::function<void(int64_t)> SetClock();
  // Runs one event that stops the world (StopsTheWorld, trace_format.h) and
  // returns the time it let pass.
  int64_t StopTheWorld(const TraceEvent& e);
  LoopClock MakeLoopClock(int64_t ns_per_iteration, int64_t work) const;
  // Counts `ns` of c's busy time against the slice grid (LoopClock::
  // slice_left); true when a slice ended in it.
  bool SliceEnds(LoopClock& c, int64_t ns) const;
  void FlushLoopTime(LoopClock& c);
  // Flushes c's pending time when `alloc`, made now, would race a sweeper
  // for spans (HeapRuntime::AllocRacesSweeper): it comes at its own moment.
  void FlushBeforeRacingRefill(const TraceEvent& alloc, LoopClock& c);
  // The allgs index of the goroutine event e names, or NotFound naming
  // `op` and the id when no running goroutine has it.
  absl::StatusOr<size_t> RunningGoroutine(const TraceEvent& e, absl::string_view op) const;
  // Adds busy time to the pending time, flushing a whole slice.
  void AddLoopTime(LoopClock& c, int64_t ns);
  absl::Status ApplyLoopStep(const TraceEvent& e, Fast fast, LoopClock& c);
  void EndLoopIteration(LoopClock& c);
  Fast FastPath(const TraceEvent& alloc, const TraceEvent& next) const;
  // For each position of `body`, how many allocs a kBlock starting there
  // holds (0: none).
  std::vector<size_t> BlockLengths(const std::vector<TraceEvent>& body) const;
  absl::Status ApplyBlock(const TraceEvent* allocs, size_t n, LoopClock& c);
  absl::Status ApplyLoopIterations(const std::vector<TraceEvent>& body, int64_t iterations,
                                   int64_t ns_per_iteration, const LoopOptions& options);
  // The next psteal draw: j with probability weights[j] over their sum.
  size_t DrawSteal(const std::vector<uint64_t>& weights);
  // pstay's draws, one iteration at a time, as runs: how many iterations
  // in a row draw 0, each drawing j > 0 with probability `q` (0 <= q <= 1);
  // geometric, taken from one draw (b.N reaches 1e9).
  int64_t DrawStayGap(double q);
  // A loop body's steps: each event, or a pair or block the fast paths take
  // at once (pointers into the body).
  struct Step {
    const TraceEvent* e;
    Fast fast;
    size_t block = 0;  // kBlock's allocs
  };
  std::vector<Step> LoopSteps(const std::vector<TraceEvent>& body) const;
  // Runs `iterations` iterations of `steps` on clock c (no final flush).
  absl::Status ApplySteps(const std::vector<Step>& steps, int64_t iterations, LoopClock& c);
  // The top level of a trace being run: the open loop and its body.
  struct TopLevel {
    const std::function<void(const TraceEvent&)>& on_bench;
    const StreamableLoops* streamable;  // may be null
    std::optional<TraceEvent> loop;
    bool streaming = false;  // the open loop's body goes to PutStreamedEvent
    std::vector<TraceEvent> body;
  };
  absl::Status FeedEvent(TraceEvent&& e, TopLevel& t);
  // A loop whose body is one transient alloc (`e`), on clock c (no final
  // flush).
  absl::Status ApplyTransientLoop(const TraceEvent& e, int64_t iterations, LoopClock& c);
  // census() for the calls that change its settings (same check).
  CensusKernel& mutable_census() { return const_cast<CensusKernel&>(census()); }

  std::unique_ptr<CensusKernel> census_;
  std::unique_ptr<VirtualClock> clock_;
  std::unique_ptr<HeapRuntime> rt_;
  Go15HeapRuntime* go15_ = nullptr;  // rt_, when it runs the Go 1.5 heap
  int gomaxprocs_ = 1;  // the runtime's, for a pmove loop's turns
  // psteal's draws, one per move, in the order the replay makes them.
  SplitMix64 steal_draws_{kStealDrawSeed};
  bool batched_loops_ = true;
  int64_t loop_slice_ns_ = kLoopSliceNs;
  bool in_loop_without_safe_point_ = false;  // inside ApplyLoop's nosafepoint loop
  // Inside ApplyLoop's allocsafepoints loop: each alloc not on the system
  // stack is a preemption point, with none between them (in_loop_without_
  // safe_point_ is set there too).
  bool in_loop_with_safe_points_at_allocs_ = false;
  int64_t start_ns_ = 0;
  absl::flat_hash_map<uint64_t, uintptr_t> objects_;
  absl::flat_hash_map<uint64_t, uintptr_t> stacks_;
  absl::flat_hash_map<uint64_t, uintptr_t> sudogs_;  // sudog id -> the sudog
  absl::flat_hash_map<uint64_t, size_t> goroutines_;  // trace id -> allgs index
  std::vector<uintptr_t> retained_;
  // The order of the retains since the last full release, as runs of
  // (on the runtime's held stack, how many): the held stack takes a loop's
  // fast-path retains, retained_ the others. `release <n>` drops from the
  // back.
  std::vector<std::pair<bool, uint64_t>> retain_order_;
  void NoteRetained(bool held);
  // `release <n>`: drops the n objects retained last (an error if fewer
  // are retained).
  absl::Status ReleaseLast(uint64_t n);
  int64_t events_ = 0;
  static constexpr size_t kNoStep = static_cast<size_t>(-1);
  size_t step_ = kNoStep;  // ApplySteps' step in the body, for slice_ends_by_step_
  std::vector<int64_t> slice_ends_by_step_;
  AssistWaits assist_;
  std::optional<StreamedLoop> stream_;
};

}  // namespace thp

#endif  // THP_BENCH_WORKLOADS_TRACE_REPLAYER_H_
