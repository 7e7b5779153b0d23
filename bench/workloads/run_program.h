// One b.N run of a Go 1.5 runtime benchmark as a heap program: what the
// benchmark function allocates before its timed loop (setup), what one
// iteration of the loop does to the heap (body), how many iterations run and
// how much busy time each takes, and what becomes garbage when the function
// returns (teardown). Programs are plain trace events (trace.h), so a run can
// be written out with --trace_out and replayed by //bench:replay.
//
// RunBuilder is how the workload table (go15_suite.cc) writes a program. It
// hands out event ids, so a program's ids are unique within it, and it drops
// everything setup allocated at teardown (an object that outlives the run in
// Go is garbage after the benchmark function returns).
//
// A WholeRun program's body grows with b.N (Matmult's cube starts a goroutine
// per block: 4 million events at b.N = 2e8), so a builder made with an
// EventSink hands such a body to the sink as it is written instead of
// holding it, and the drivers run the generator twice: once to count, once
// to replay (suite_runner.h, ForEachRun).
//
// Goroutines are go/gogrow/goexit events (the runtime's goroutine table:
// g structs, gfree reuse, the GC freeing dead gs' stacks), never raw stacks.
//
// Invariants of a finished program:
//  - every id allocated in the body is dropped or retained in the body, and
//    the body leaves the goroutines running as it found them (each it
//    starts exits in it, and each of setup's it ends it starts again), so
//    every iteration starts from the same set of ids;
//  - retained objects are released at teardown;
//  - every id allocated in setup is dropped in teardown, or in setup when it
//    is garbage before the loop (SetupGarbage, SetupAllocTemp), and every
//    goroutine started in setup exits in teardown;
//  - stack sizes are powers of two of at least 2 KiB.
#ifndef THP_BENCH_WORKLOADS_RUN_PROGRAM_H_
#define THP_BENCH_WORKLOADS_RUN_PROGRAM_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "bench/workloads/go15_launch.h"
#include "bench/workloads/trace_format.h"

namespace thp {

struct RunProgram {
  std::string benchmark;            // "BenchmarkMalloc8"
  int64_t n = 0;                    // b.N of this run
  std::vector<TraceEvent> setup;    // before the timed loop
  std::vector<TraceEvent> body;     // one loop iteration
  int64_t iterations = 0;           // n (n / k for a body of k ops), n / GOMAXPROCS
                                    // rounded up for RunParallel, or 1 when the body
                                    // is the whole run (WholeRun)
  int64_t ns_per_iteration = 0;     // timed busy time of one iteration
  int64_t p_move_iterations = 0;    // the loop's goroutine moves to the next P
                                    // every this many iterations (0: never;
                                    // the trace loop's pmove)
  std::vector<uint64_t> p_steal;    // at each move, the weights of how many of
                                    // the body's goexits run on the next P
                                    // (empty: none; the trace loop's psteal)
  std::vector<uint64_t> p_stay;     // in each iteration that does not move, the
                                    // weights of how many of them do (empty:
                                    // none; the trace loop's pstay)
  std::vector<TraceEvent> teardown; // after the loop
  // A WholeRun body that went to the builder's EventSink (at least one
  // event): `body` is empty and these say what the sink received.
  bool body_streamed = false;
  int64_t body_events = 0;          // events in the body
  int64_t body_work = 0;            // its alloc, stack and go events' units
                                    // (LoopWork: what the iteration's time is
                                    // spread over)
  // Whether testing.B's timer is on when the benchmark function returns
  // (runN's StopTimer reads the memory statistics only then).
  bool timer_on_at_end = true;
  // The run's time.Sleep calls in all (setup, every iteration, teardown):
  // wall time that is not ns_per_iteration's.
  int64_t sleep_ns = 0;
  // The setup's own busy time (RunBuilder::SetupCompute), with the timer
  // stopped: wall time that is not ns_per_iteration's either.
  int64_t setup_busy_ns = 0;
};

// testing.B's timer calls (go1.5.1 testing/benchmark.go).
enum class BenchTimer { kStart, kStop, kReset };

// Receives a streamed body's events in order.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void Put(const TraceEvent& e) = 0;
};

// The events the trace replayer spreads a loop iteration's busy time over.
inline bool IsLoopWork(const TraceEvent& e) {
  return e.kind == TraceEvent::kAlloc || e.kind == TraceEvent::kStack ||
         e.kind == TraceEvent::kGo || (e.kind == TraceEvent::kGoExit && e.work_stated);
}
// How many units of that time come right after `e`: its stated work for an
// alloc, or a go or goexit that states it; one for a stack event or a go
// event that does not; none for the rest.
inline int64_t LoopWork(const TraceEvent& e) {
  if (!IsLoopWork(e)) return 0;
  if (e.kind == TraceEvent::kAlloc || e.work_stated) return static_cast<int64_t>(e.work);
  return 1;
}

// The slices AfterLoopWork's time is spent in when it releases what the
// loop retained as it goes: a loop's own (kLoopSliceNs, trace_replayer.h).
inline constexpr int64_t kAfterLoopSliceNs = 1000000;

// What the table's generator for one benchmark sees.
struct RunContext {
  int64_t n = 1;        // b.N
  int gomaxprocs = 2;   // also the number of RunParallel workers (parallelism 1)
  // The drivers' --time_scale, by which the recorded ns/op the run is built
  // with was multiplied: a time the generator states itself (AfterLoopWork)
  // is multiplied by it too.
  double time_scale = 1.0;
};

class RunBuilder {
 public:
  explicit RunBuilder(const RunContext& ctx) : ctx_(ctx) {}
  // Once WholeRun() is called (before any Op* call), every body event goes
  // to `sink` (not owned; outlives the builder) instead of being held, and
  // Build() marks the program's body as streamed. Other programs are built
  // as by the constructor above.
  RunBuilder(const RunContext& ctx, EventSink* sink) : ctx_(ctx), sink_(sink) {}

  const RunContext& ctx() const { return ctx_; }

  // --- before the timed loop; live until the run ends -----------------------
  // `count` objects of `bytes` each (pointerful unless noscan), on P `p`.
  void SetupAlloc(uint64_t bytes, bool noscan, int count = 1, int p = 0);
  // `count` objects made before the loop and garbage before it starts
  // (strings.Repeat's byte slice once its string is made): all allocated,
  // then all dropped, in setup. They count as Go counts them (mallocs
  // made with the timer on) and the GC finds them unreachable from then on.
  void SetupGarbage(uint64_t bytes, bool noscan, int count = 1, int p = 0);
  // An object made before the loop that becomes garbage later in setup
  // (the arrays append or a growing map outgrows, dropped once the next one
  // holds the copy): returns its id, which SetupDrop must end before Build.
  uint64_t SetupAllocTemp(uint64_t bytes, bool noscan, int p = 0);
  void SetupDrop(uint64_t id);
  // Work the benchmark function does before its loop, between the Setup*
  // calls around it (filling what setup allocated): `ns` (times the time
  // scale) of busy time on P p, with the timer as the SetupTimer calls left
  // it. A GC that starts meanwhile marks beside it.
  void SetupCompute(double ns, int p = 0);
  // `count` goroutines that the benchmark function starts before its loop
  // (RunParallel's workers too) and that stay for the run: each go
  // statement runs newproc1 on the launch goroutine's P, kLaunchP (a dead g
  // with or without its 2 KiB stack from that P's gfree list and stack
  // cache, or a new g), and the i-th exits on P i % GOMAXPROCS at
  // teardown, where it ran. Returns their ids, in start order.
  std::vector<uint64_t> SetupGoroutines(int count);
  // One goroutine started on P p before the loop that exits on P exit_p
  // when the run ends. Returns its id.
  uint64_t SetupGoroutine(int p, int exit_p);
  // A goroutine started in setup blocks on P p (a channel receive, or one
  // case of a select) and holds a sudog until the run ends, when it wakes
  // on P release_p and gives it back (TraceEvent::kSudog, kUnsudog).
  void SetupSudog(int p, int release_p);
  // Goroutine `id` (started in setup) grows its stack on P p by doubling
  // from 2 KiB until it holds `bytes` (each doubling allocates the new
  // stack, then frees the old one), and keeps it for the run.
  void SetupGrow(uint64_t id, uint64_t bytes, int p);
  // Goroutine `id` (started in setup, running the loop's ops on P p) makes
  // a recursion in every op whose stack use rises evenly from nothing to
  // `bytes` (depth plus _StackLimit) over the op's time: a gouse ramp
  // event (trace_format.h) whose period Build sets to one op's time. Its
  // stack grows to hold `bytes` (SetupGrow first, to grow it by doubling
  // as the setup's own frames would), and Go 1.5's shrinkstack then halves
  // it when a cycle's mark termination finds the recursion using under a
  // quarter of it. The recursion's frames are `frame_bytes` each (0: not
  // stated), which a GC's scan walks (mgc.h, kStackScanNsPerFrame).
  void SetupStackRamp(uint64_t id, uint64_t bytes, uint64_t frame_bytes, int p);
  // The body written by the Op* calls is `ops` consecutive ops, not one
  // (a chain whose goroutines alternate between two ids): the loop runs
  // b.N / ops iterations of ops ops' time each, and the generator writes
  // the b.N % ops ops left over itself, outside the loop (their time not
  // counted). Only for a plain loop.
  void OpsPerIteration(int64_t ops);
  // The goroutine that runs the loop's ops (the body's events on P 0)
  // moves to the next P every `ops` ops, as Go 1.5.1's scheduler moved a
  // benchmark goroutine in a measured run (a recorded scheduler decision;
  // the trace loop's pmove). Only for a plain loop (not WholeRun, Parallel
  // or SideBySide).
  void MoveBetweenPsEvery(int64_t ops);
  // With MoveBetweenPsEvery and no OpMoveToNextP: at each move, how many of
  // the op's goroutines exit on the P it moves to is drawn anew, j with
  // weight weights[j] (the trace loop's psteal: the op's last j exits, and
  // past its exits, steals in the stretch that do not move it), as a
  // measured distribution of Go 1.5.1's steals.
  void StealAtMoves(std::vector<uint64_t> weights);
  // With StealAtMoves, and an op of at most weights.size() - 1 goroutine
  // exits, one op an iteration: in each op that does not move, how many of
  // its goroutines exit on the next P while the op's goroutine stays is
  // drawn, j with weight weights[j] (the trace loop's pstay: the op's last
  // j exits); StealAtMoves' draws then place only the moving op's exits.
  void StealBetweenMoves(std::vector<uint64_t> weights);
  // As SetupGrow for goroutines that grow at once side by side, ids[i] on
  // P i (RunParallel's workers descending in their first ops): their
  // doublings take turns, each goroutine's next one after the others'
  // same step, as copystack's allocations and frees interleave when the
  // Ps run together.
  void SetupGrowSideBySide(const std::vector<uint64_t>& ids, uint64_t bytes);

  // --- one iteration of the timed loop --------------------------------------
  // `count` objects that are garbage by the end of the iteration.
  void OpAlloc(uint64_t bytes, bool noscan, int count = 1, int p = 0);
  // An object stored in a global (its alloc marked writebarrier: a GC's
  // concurrent phase shades it), garbage once the next iteration's store
  // overwrites it; dropped at once here, as the global's one object is
  // small next to the rest.
  void OpAllocStoredInGlobal(uint64_t bytes, bool noscan, int p = 0);
  // An object with a finalizer (its alloc marked finalizer), dropped at
  // once: the GC keeps it until its finalizer has run.
  void OpAllocWithFinalizer(uint64_t bytes, bool noscan, int p = 0);
  // An object made in every iteration and kept until the run ends (b.N
  // pending defer records), on the system stack if `on_system_stack`
  // (its alloc is marked systemstack: it never starts a GC cycle), and the
  // next link of one chain through the iterations if `chain_link` (marked
  // chain: the defer records' link field).
  void OpAllocRetained(uint64_t bytes, bool noscan, bool on_system_stack, bool chain_link,
                       int p = 0);
  // append's growth: each size is allocated while the previous one is still
  // live (the copy), then the previous one is dropped; the last is garbage at
  // the end of the iteration. Each growth stands for a share of the op's time
  // in proportion to its size, one unit per KiB (at least one; the alloc's
  // work): go1.5.1 growslice copies the old array into the new one, and the
  // appends until the next growth fill the rest, so each byte of the new
  // array is written about once, and in Go 1.5.1's recorded run the first
  // half of AppendGrowString's growths (to 94 pages) came within 1.4 ms of
  // its 416 ms b.N = 1 run.
  void OpAllocChain(const std::vector<uint64_t>& sizes, bool noscan, int p = 0);
  // One op's goroutine, descending a recursion of `frames` frames of
  // `frame_bytes` each (stack_test.go's `go func() { count(n) }`): it
  // starts on P `p`, descends, returns and exits (gfput frees its grown
  // stack) within the iteration. The descent takes `descent_ns_per_frame`
  // a frame (a compute per stretch). Whenever its use (depth plus
  // kStackLimitBytes) outgrows the stack, newstack doubles it: the new
  // stack is allocated and the old freed at once (a gouse event), then
  // copystack moves the frames so far, `copy_ns_per_frame` each, reaching
  // no preemption point (a compute nosafepoint: a GC sysmon forces, or a
  // mark that runs out, meanwhile stops the world at its end). Both times
  // are multiplied by the time scale. The rest of the op's time is spent
  // at the recursion's bottom (a compute before the goexit; in Go that time
  // is mostly the program held while its stack is scanned, and the
  // return); when the stated times pass the op's, all are cut down alike
  // and the rest is none. Each stretch of descent between two doublings,
  // and the last one, states its depth kRecursionDepthSteps times, each at
  // the middle of its part (gouse with the frame size), so a GC that
  // starts there scans that many frames (mgc.h, kStackScanNsPerFrame).
  // Only for a plain loop (not WholeRun, Parallel or SideBySide).
  void OpGoroutineRecursion(uint64_t frames, uint64_t frame_bytes, double descent_ns_per_frame,
                            double copy_ns_per_frame, int p = 0);
  // `count` goroutines started on P `p` one after another, then all exiting
  // there, within the iteration (a dead g reused: after a GC it allocates a
  // 2 KiB stack again).
  void OpGoroutines(int count, int p = 0);
  // The same in parts: `count` goroutines started on P p (their ids, in
  // start order), and the exit of one of them on P p, both within the
  // iteration; every goroutine OpGoStart starts must exit in it. A start
  // stands for one unit of the iteration's busy time (IsLoopWork) and an
  // exit for none; with `timed` false a start stands for none, and with
  // `timed` true an exit stands for one (the time comes after the exit).
  std::vector<uint64_t> OpGoStart(int count, int p = 0, bool timed = true);
  void OpGoExit(uint64_t id, int p = 0, bool timed = false);
  // A start of goroutine `id` as OpGoStart's: an id of setup's that the op
  // ended (OpGoExit) starting again, a new goroutine under the same id.
  void OpGo(uint64_t id, int p = 0, bool timed = true);
  // Where in the op the goroutine moves, in the op after which it does
  // (MoveBetweenPsEvery): that op's events after this call run on the next
  // P already (the trace body's move marker). At most once a body; without
  // it the move comes at the op's end.
  void OpMoveToNextP();
  // Untimed time with every P idle (time.Sleep between b.StopTimer/StartTimer).
  void OpSleep(int64_t ns);
  // runtime.GC() inside the loop.
  void OpGc();

  // --- testing.B's timer, as the benchmark function calls it ---------------
  // runN's StartTimer has the timer on when the function starts. StartTimer
  // calls runtime.ReadMemStats (a readmemstats event) when the timer is
  // off, StopTimer and ResetTimer when it is on; each call is placed before
  // the loop (in order with the Setup* calls, all of them before any
  // OpTimer), in every iteration (in order with the Op* calls; an
  // iteration must leave the timer as it found it), or right after the
  // loop (before the drops and exits the Setup* calls queued).
  void SetupTimer(BenchTimer t);
  void OpTimer(BenchTimer t);
  void AfterLoopTimer(BenchTimer t);
  // time.Sleep as the benchmark function's last statement, once the loop,
  // the AfterLoopTimer calls and the Setup* calls' drops and goroutine
  // exits are done (benchHelper and BenchmarkGoroutineIdle let their
  // goroutines go, then sleep 10 ms).
  void AfterLoopSleep(int64_t ns);
  // Work the benchmark function does once its loop is done, in the timed
  // op's time: `ns_per_op` (times the time scale) for each of the run's b.N
  // ops is taken out of the loop's ns/op (which keeps at least 1 ns), and
  // the program computes `busy_ns_per_op` of it (no more) for each op, as
  // one compute event right after the loop and the AfterLoopTimer calls,
  // before the Setup* calls' drops and releases; the runtime's stopped
  // worlds meanwhile take the rest, on the replayer's clock. DeferMany's
  // b.N deferred calls run there, as the function returns. Only for a plain
  // loop (not WholeRun, Parallel or SideBySide) without AfterLoopSleep.
  // With `releases_retained_last_first`, the work lets go of what the loop
  // retained as it goes, the last retained first: it is spent in slices of
  // kAfterLoopSliceNs, each followed by a `release <k>` of its share, so a
  // GC that starts meanwhile finds only what is still held. DeferMany's
  // calls run newest first, and go1.5.1's freedefer (panic.go) puts each
  // record it has run on sched.deferpool, which the next gc()'s clearpools
  // (mgc.go) unlinks: that cycle marks only the records not yet run. (Until
  // then the pool keeps them; the model's mark, the union of what is held
  // at a cycle's start and at its termination, would mark them no
  // differently from released ones.)
  void AfterLoopWork(double ns_per_op, double busy_ns_per_op,
                     bool releases_retained_last_first = false);

  // RunParallel (or GOMAXPROCS worker goroutines splitting b.N): the body
  // written by the Op* calls is one iteration per P; call after the Op*
  // calls with p = 0. The builder copies the body onto every P and runs
  // ceil(n / gomaxprocs) iterations, each taking gomaxprocs ops' wall time
  // divided by gomaxprocs (the Ps run side by side); a b.N below
  // gomaxprocs gives only ParallelOpPs() Ps a copy, in one iteration of the
  // same length (each op takes gomaxprocs times the parallel ns/op).
  void Parallel() { parallel_ = true; }
  // The Ps whose RunParallel worker runs at least one op: 0 to this, less
  // one. go1.5.1 testing/benchmark.go's pb.Next hands b.N out in grains,
  // and a benchmark's first run (no previous run to size the grain from)
  // has grain 1, so a b.N smaller than GOMAXPROCS leaves the other workers
  // without an op: they return from the body at once. ASSUMPTION: the ops
  // go to the workers of the lowest Ps (which worker calls pb.Next first
  // is the scheduler's choice). With b.N at least GOMAXPROCS every P's
  // worker runs ops (the builder splits them evenly).
  int ParallelOpPs() const;
  // As Parallel, for a body the generator wrote with one op of every P
  // already in it (each event naming its P): not copied, the same
  // iterations and time.
  void SideBySide() { side_by_side_ = true; }
  // The body written by the Op* calls is the whole timed run rather than one
  // op: one iteration taking n ops' busy time (benchmarks whose b.N sizes a
  // single computation, as Matmult's cube). Call it before the first Op*
  // call: a builder with a sink streams the body from then on.
  void WholeRun();
  // Appends a body event as is (the caller keeps the invariants above).
  void OpEvent(const TraceEvent& e) { PutBody(e); }
  // Appends an event as is to setup (before the loop) or to teardown
  // (after it, behind the drops and exits the Setup* calls queued there):
  // for events that hold nothing, such as a scheduler's run-queue traffic.
  void SetupEvent(const TraceEvent& e) { setup_.push_back(e); }
  void TeardownEvent(const TraceEvent& e) { teardown_.push_back(e); }
  uint64_t NewEventId() { return NewId(); }

  // Turns the recorded calls into a program whose iterations take
  // `ns_per_op` of timed busy time each (ns_per_op * ops per iteration /
  // gomaxprocs for Parallel).
  RunProgram Build(const std::string& benchmark, double ns_per_op) const;
  // The program's RunProgram::sleep_ns, without building it.
  int64_t SleepNs() const;
  // The program's RunProgram::setup_busy_ns, without building it.
  int64_t SetupBusyNs() const { return setup_busy_ns_; }

 private:
  uint64_t NewId() { return next_id_++; }
  bool streaming() const { return sink_ != nullptr && whole_run_; }
  void PutBody(const TraceEvent& e);
  // Loop iterations of the program: b.N (over OpsPerIteration's count),
  // b.N / GOMAXPROCS rounded up when each runs an op on every P, or 1 for a
  // WholeRun body.
  int64_t Iterations() const;
  // Build's body, iteration count and time per iteration.
  void FillBody(double ns_per_op, RunProgram& prog) const;
  // Sets the time of OpGoroutineRecursion's computes in prog's body from
  // the op's, and takes it out of the loop's own.
  void SetRecursionTimes(const std::string& benchmark, RunProgram& prog) const;
  // One object, its alloc marked by `mark` (a flag), dropped at once.
  void OpAllocMarked(uint64_t bytes, bool noscan, int p,
                     const std::function<void(TraceEvent&)>& mark);

  // Applies timer call t to *on; true when it reads the memory statistics.
  static bool TimerReadsMemStats(BenchTimer t, bool* on);

  RunContext ctx_;
  EventSink* sink_ = nullptr;
  bool timer_before_loop_ = true;  // the timer when the loop starts
  bool op_timer_used_ = false;
  bool op_timer_ = true;           // within an iteration, from its start
  bool timer_after_loop_ = true;   // after the AfterLoopTimer calls so far
  bool after_loop_timer_used_ = false;
  std::vector<TraceEvent> after_loop_;  // the AfterLoopTimer calls' events
  int64_t body_events_ = 0;  // written so far, held or streamed
  int64_t body_work_ = 0;    // of them alloc, stack and go events
  int64_t body_sleep_ns_ = 0;  // their sleep events' time
  int64_t final_sleep_ns_ = 0;  // AfterLoopSleep's
  int64_t setup_busy_ns_ = 0;   // SetupCompute's, in all
  // OpGoroutineRecursion's computes, whose time Build sets: a copy's or a
  // stretch of descent's stated time (unscaled), or the op's rest.
  struct RecursionTime {
    size_t body_index = 0;
    double ns = 0;
    bool rest = false;
  };
  std::vector<RecursionTime> recursion_times_;
  double after_loop_work_ns_ = 0;  // AfterLoopWork's, per op, unscaled
  double after_loop_busy_ns_ = 0;  // AfterLoopWork's busy_ns_per_op, unscaled
  bool after_loop_releases_ = false;  // AfterLoopWork's releases_retained_last_first
  uint64_t next_id_ = 1;
  bool parallel_ = false;
  bool side_by_side_ = false;
  bool whole_run_ = false;
  int64_t p_move_ops_ = 0;  // MoveBetweenPsEvery's
  std::vector<uint64_t> p_steal_;  // StealAtMoves'
  std::vector<uint64_t> p_stay_;   // StealBetweenMoves'
  int64_t ops_per_iteration_ = 1;  // OpsPerIteration's
  bool moves_in_op_ = false;  // OpMoveToNextP called
  bool retains_ = false;
  std::vector<uint64_t> setup_temps_;  // SetupAllocTemp ids not yet dropped
  std::vector<TraceEvent> setup_;
  std::vector<TraceEvent> body_;
  std::vector<TraceEvent> teardown_;
};

// _StackLimit in go1.5.1 (stack2.go: _StackGuard 640 less _StackSmall 128
// on linux/amd64): the room a function's stack check leaves below the
// frame, which shrinkstack counts as used.
inline constexpr uint64_t kStackLimitBytes = 512;
// How many times OpGoroutineRecursion states the depth in each stretch of
// its descent.
inline constexpr int kRecursionDepthSteps = 4;

// The smallest power-of-two stack of at least 2 KiB that holds `bytes`.
uint64_t StackSizeFor(uint64_t bytes);

}  // namespace thp

#endif  // THP_BENCH_WORKLOADS_RUN_PROGRAM_H_
