// The garbage collector as the heap sees it (Go 1.5 mgc.go, mgcsweep.go):
// when a cycle starts, which objects it finds live, when each span is swept
// and what the next trigger is. Marking is not traced through pointers: the
// workload names its live objects (RootSet), and every object not named is
// garbage.
//
// Faithful: the order of a cycle (finish the previous sweep, drop the tiny
// blocks and the central sudog cache, flush the mcaches and stack caches, free stack spans, pace, bump
// sweepgen, sweep), the pacing (GOGC, 4 MiB minimum, 7/8 starting trigger
// ratio, gain 0.5, sweepMinHeapDistance), sweep order (allspans order),
// proportional sweep, reclaim before allocation, sweep in the central lists.
//
// A background cycle's concurrent phase (go1.5.1 mgc.go gc(): from
// gcscan_m to mark termination) lasts CycleNs(kBackground) on the virtual
// clock once the driver turns it on (set_concurrent_mark; Go15HeapRuntime
// does): StartGC marks what the workload holds then (the stacks gcscan_m
// scans at once, or, where the program's goroutine runs on to its next
// preemption point first, there: set_scan_program_at_safe_point) and
// returns with the cycle marking; the program allocates
// on, from spans swept before the cycle (nothing is unswept until gcSweep),
// its new objects white until the mark's work is done and black from then
// to mark termination (go1.5.1 mallocgc's gcmarknewobject_m under
// gcBlackenPromptly: blacken_promptly()); FinishMark, called by the driver
// once the clock reaches the end (where every P runs the program, when one
// next schedules), is mark termination: endCycle's pacing on the heap that grew
// meanwhile, the caches' flush, the roots held then marked too, sweepgen's
// bump and the sweep. Without the driver's clock a cycle is instantaneous:
// it marks and sweeps where it starts, and only its end (what sysmon's
// forced-GC test reads) lies CycleNs later. runtime.GC()'s cycle
// (gcForceBlockMode) stops the world for CycleNs(kForceBlock), which a
// driver lets pass on its clock before the cycle's work (ForceBlockingGC):
// its mark and gcSweep's eager sweep end the stop. Assists are not
// modelled one by one. go1.5.1's revise paces them over the distance from
// heap_live at the cycle's start to its goal, at least 1 MiB (mgc.go), so
// that the scan work is done by then: the program cannot allocate past it
// before the mark ends (an assist that finds neither background credit
// nor work sleeps 100 us and tries again, mgcmark.go gcAssistAlloc).
// Within that, what the program allocates follows how much of the mark it
// runs: it is off its P from startGC's Gosched until its M restarts after
// sweep termination, then at three preemptions (gcscan_m's stack scan,
// the forEachP that installs the write barrier, the one at the first
// completion), and it pays assists. Traced alone (issue 13),
// CallClosure4's goroutine ran a median 44% of a mark (255 us median;
// three preemptions in 144 of 164); in the recorded suite the share
// varies from mark to mark, and with it the heap's height at each mark
// termination. The model has no scheduler to say when, so each
// background cycle draws the program's share from Go's measured
// distribution (mark_share.h), and the program allocates until heap_live
// has grown by that share of the mark's length at the rate it allocated
// since the last cycle ended, or by revise's distance (MarkGrowthCap); a
// program allocating slower than the shares were measured on has only the
// distance. The allocation (at a refill, where go1.5.1's mallocgc lets
// gcAssistAlloc sleep) that finds the heap there waits for the mark's end
// on the clock (set_assist_waits; the driver lets the time pass), or, where
// the driver cannot make the program wait, ends the mark there. The time
// per op, taken from Go's runs, holds Go's waits: the replayer's loops
// repay the model's out of their busy time (TraceReplayer::AssistWaits),
// so that the program runs faster between marks, as Go's did.
// Simplified: marking is the union of what is held at the start and at mark
// termination, plus what the program stored through the write barrier
// meanwhile (set_write_barrier_stores), plus what it allocated once the
// mark's work was done (blacken_promptly()); an object dropped in between
// is floating garbage only then. There are no mutator assists one by one
// (assistTime 0, so utilization is the 0.25 goal); the background sweeper
// runs only when the driver gives it turns (BackgroundSweep), or claims a
// span and sweeps it once its time is up (ClaimSweepOne, SweepClaimed).
// Finalizers (set_finalizer_allocs): the sweep keeps an unmarked object
// with a finalizer, drops its special and queues it on finq, a root of
// every mark until runfinq runs it (go1.5.1 mgcsweep.go mSpan_Sweep,
// mfinal.go queuefinalizer, mgcmark.go markroot _RootFinalizers). runfinq
// is a goroutine that findrunnable readies (proc1.go wakefing); the model
// has no findrunnable, so it runs the queue at each cycle's end (after
// the sweep phase's start), where Go's backgroundgc parks once gc()
// returns and its P, whose program goroutine startGC's Gosched put on the
// global queue, looks for work; a forced cycle's caller (the benchmark's
// runtime.GC, then RunParallel's wait) blocks there likewise. The driver
// runs it too wherever a P schedules with its own queue empty
// (RunFinalizers; Go15HeapRuntime: sysmon's preemptions while every P is
// busy, a loop's end, and each step while a P is idle). What a cycle's
// sweep queues is thus garbage for the next cycle when a P scheduled in
// between, and otherwise marked by it from finq and garbage for the one
// after. Mark termination also scans every object that has a finalizer
// special (markroot _RootSpans' scanobject), which counts its size in the
// bytes marked, live or not (ScanFinalizerSpecials).
#ifndef THP_MHEAP_GO15_MGC_H_
#define THP_MHEAP_GO15_MGC_H_

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "mheap/go15/mark_share.h"
#include "mheap/go15/mcache.h"
#include "mheap/go15/mheap.h"
#include "mheap/go15/stack.h"
#include "mheap/go15/sweeper.h"

namespace thp {

// The workload's live objects: every address it still holds.
class RootSet {
 public:
  virtual ~RootSet() = default;
  virtual void ForEachLive(const std::function<void(uintptr_t)>& mark) const = 0;
  // Of the objects held, those that are links of a singly linked chain
  // (kChainLinkMarkNs).
  virtual size_t LiveChainLinks() const { return 0; }
};

// The goroutines (allgs) as markroot visits them during mark termination.
class GoroutineRoots {
 public:
  virtual ~GoroutineRoots() = default;
  // The gs in allgs that are not dead: the stacks a cycle scans.
  virtual size_t LiveGoroutines() const { return 0; }
  // Every g in allgs, dead ones too: what gcscan_m and markroot walk.
  virtual size_t allglen() const { return 0; }
  // The frames of the recursions the live gs are in at `now_ns` (their
  // stack use over the frame size the workload stated; none where it stated
  // none): what scanstack's gentraceback walks beyond a g's own cost.
  virtual uint64_t StackFrames(int64_t now_ns) const {
    (void)now_ns;
    return 0;
  }
  // markroot's shrinkstack, Go 1.5, on every g, at `now_ns` on the clock.
  virtual void ShrinkStacks(int64_t now_ns) = 0;
  // The world restarts after mark termination (startTheWorldWithSema): a
  // goroutine whose shrunk stack is too small for where its work goes on
  // grows it again.
  virtual void ResumeAfterCycle() {}
  // newproc1 on P p of a goroutine the GC starts for itself (startGC's
  // backgroundgc, gcBgMarkStartWorkers' mark workers), which never exits.
  virtual void StartRuntimeGoroutine(int p) = 0;
  // allocm on P p of a new M (go1.5.1 proc1.go newm), kept for the life of
  // the process on allm.
  virtual void NewM(int p) = 0;
};

// Where in a background cycle a recorded new M comes (GcModel::ArmNewM).
enum class NewMAt {
  // After the first mark worker's newproc (where gcBgMarkStartWorkers'
  // notetsleepg hands the P off, or newproc1's wakep, may call startm), or
  // where the workers would have been made once every P has one; either
  // way before the cycle's roots are marked, so the cycle counts the M.
  kCycleStart,
  // After the sweep phase's start: mark termination's startTheWorldWithSema.
  kCycleEnd,
};

enum class GcMode { kBackground, kForce, kForceBlock };

// How long a cycle lasts from its start (gc takes worldsema) to its end
// (memstats.last_gc), on the virtual clock: a background cycle's
// concurrent mark under set_concurrent_mark (and otherwise only where the
// cycle's end lies, so that sysmon, which forces a GC when none ended for
// forcegcperiod, sees Go's timing), and runtime.GC()'s stopped world
// (gcForceBlockMode: gc() stops the world before it marks and restarts it
// after gcSweep's eager sweep and last_gc), which a driver lets pass on its
// clock (GcModel::ForceBlockingGC). Three terms:
//  - a base (kBackgroundCycleNs, kBlockingCycleNs);
//  - each g in allgs, dead or alive (kBackgroundCycleNsPerAllG,
//    kBlockingCycleNsPerAllG): go1.5.1's gcscan_m and mark termination's
//    markroot both run over every index of allgs (mgcmark.go: the root
//    jobs are _RootCount plus allglen), and the g structs themselves are
//    heap objects that allgs keeps reachable, so each cycle marks them. A
//    dead g's stack is freed at its first mark termination and then costs
//    nothing more (GoroutineRoots::ShrinkStacks);
//  - each goroutine alive adds its stack's scan (gcscan_m in the
//    concurrent phase, markroot with the gchelpers in a stopped world):
//    kBackgroundCycleNsPerG, kBlockingCycleNsPerG.
// Measured, not derived, from Go 1.5.1's own run
// (testdata/go151_heaplog/prefix.hlog.xz): gc_start -> gc_done of the
// cycles marking under 1 MB (heap_marked), by mode, the background ones in
// the benchmarks whose loops schedule (go15_suite.h kSchedules: the
// others' cycles end when a P or a safe point comes, not when the work is
// done), outside the four that park 1000 goroutines (malloc_test.go's
// benchHelper: GoroutineSelect, GoroutineBlocking, GoroutineForRange; and
// GoroutineIdle). allgs grows by about 1000 in BenchmarkChanPopular
// (chan_test.go starts 1000 goroutines that are all alive at once; they
// reuse the few dead gs on the free lists first: 75 -> 1070 in the port)
// and, in the port, by one more before BenchmarkMatmult. So:
//  - the per-g cost is the median from ChanPopular's end to Matmult's start
//    (7,659 background and 917 blocking cycles) less the median before
//    ChanPopular (1,326 and 279), over 1000, to the nearest 10 ns: 350 and
//    340 ns;
//  - the base is the first of those medians less the per-g cost times
//    kAllGLenAfterChanPopular, the port's own allglen there (the
//    goroutines the modelled suite has started by then;
//    //bench/vma_repro:suite_runner_test checks it), to the nearest 10 us;
//  - the per-goroutine (live) costs are the four parked benchmarks'
//    medians (1,070 background and 2,428 blocking cycles, at that same
//    allglen) less the first median, over 1000, to the nearest 100 ns.
// Out of sample: after Matmult the port's allgs holds 3355 gs, for which
// these give a 1.86 ms background and a 1.39 ms stopped cycle; Go's
// medians there are 2.09 ms (Defer) to 8.08 ms (RuneIterate2), and
// 2.01 ms.
// That is when the mark's work is done; mark termination may wait longer
// for a P (the driver's FinishMark comes later: Go15HeapRuntime's loops
// that keep every P busy). //bench/workloads:go15_gc_cycle_length_test
// measures them again from the log.
inline constexpr int64_t kAllGLenAfterChanPopular = 1070;
inline constexpr int64_t kBackgroundCycleNs = 690000;
inline constexpr int64_t kBackgroundCycleNsPerAllG = 350;
inline constexpr int64_t kBackgroundCycleNsPerG = 3600;
inline constexpr int64_t kBlockingCycleNs = 250000;
inline constexpr int64_t kBlockingCycleNsPerAllG = 340;
inline constexpr int64_t kBlockingCycleNsPerG = 2600;
// A singly linked chain of objects (a goroutine's defer records, linked by
// _defer.link from g._defer, as go1.5.1 newdefer pushes them) is marked one
// link at a time: the mark finds each link only in the one before it, so
// its work queue never holds more than one of them and each link costs a
// load that misses the caches. Each link held when a cycle starts adds
// this much to its length, in either mode. Measured, not derived: in
// testdata/go151_heaplog/prefix.hlog.xz, BenchmarkDeferMany's three runs
// of b.N >= 10^6 hold b.N records when the cycle that sysmon forced inside
// their loop (no safe point) stops the world at the loop's end; their
// gc_mark_term comes 204.6, 196.4 and 250.5 ns per record after the
// loop's last span allocation; the median, to the nearest 10 ns.
// //mheap/go15:gc_timing_test measures it again.
inline constexpr int64_t kChainLinkMarkNs = 200;
// Mark termination (go1.5.1 mgc.go gcMark, in the stopped world) rescans
// every goroutine's stack, and scanstack walks the goroutine's whole defer
// chain (traceback.go tracebackdefers: findfunc and the argument frame of
// each record not yet run). A background cycle's termination therefore
// keeps the world stopped this much longer for each chain link held then.
// Measured, not derived: in BenchmarkDeferMany's three runs of b.N >= 10^6
// in testdata/go151_heaplog/prefix.hlog.xz, the first background cycle's
// gc_mark_term -> gc_done (33.7, 63.0 and 91.9 ms) over the records not yet
// run at its gc_mark_term. That count is b.N less the calls made since the
// loop's last span allocation, at the run's own time per call (the time
// from that allocation to the run's end, less its background cycles'
// gc_mark_term -> gc_done, over b.N). ASSUMPTION: the calls run at one
// speed outside those stops. 104.1, 102.3 and 89.0 ns; the median, to the
// nearest 10 ns. A blocking cycle's length already counts its links
// (kChainLinkMarkNs). //mheap/go15:gc_timing_test measures it again.
inline constexpr int64_t kChainLinkRescanNs = 100;
// A goroutine deep in a recursion the workload states frame by frame (a
// gouse with "frame", GoroutineRoots::StackFrames) adds this much to a
// cycle's length for every frame it holds when the cycle starts, in either
// mode: go1.5.1's scanstack walks the stack with gentraceback, and its
// callback (scanframe) looks up each frame's function and stack map
// (findfunc, pcdatavalue), so a deep stack's scan grows with its frames,
// not its bytes. In a background cycle that scan is the _GCscan phase
// (gcscan_m; a running g scans itself at its next preemption check in
// newstack), before the mark; mark termination's rescan stops at the
// lowest stack barrier the g has not returned through (scanstack under
// _GCmarktermination), so it is left out. Measured, not derived:
// testdata/go151_stackcopy/ holds five runs of BenchmarkStackCopy alone
// (GODEBUG=gctrace=1: gctrace's scan phase is its second clock term),
// each with the heap-event log of its stack allocations; over the
// background cycles whose goroutine doubled its stack to at least 1 MiB
// since the previous cycle ended, the scan phase over the frames the
// doubling found (half the new stack, over count's 24-byte frame:
// bench/workloads/go15_suite.h kCountFrameBytes): the median, to the
// nearest 5 ns. ASSUMPTION: the scan's fixed part (globals, the other few
// goroutines) is small beside a stack of 1 MiB or more, and the program's
// goroutine is not held while it is scanned (the op keeps its recorded
// time, which in Go holds those scans).
// //bench/workloads:go15_stack_copy_test measures it again.
inline constexpr int64_t kStackScanNsPerFrame = 95;

// How long bgsweep (mgcsweep.go, Go 1.5: a sweepone, then Gosched, on a P
// the program leaves idle) takes over each span it frees, on the virtual
// clock: kBgSweepNsPerSpan, plus kBgSweepNsPerObject for each object slot
// of the span (mSpan_Sweep's heapBitsSweepSpan visits every slot's mark
// bits, and threads each dead object onto the free list by writing into
// it), plus, for a large object's span, kBgSweepNsPerLargePage per page
// (initSpan clears the span's heap bitmap; mHeap_Free coalesces it).
// Measured, not derived: in testdata/go151_heaplog/prefix.hlog.xz, after
// each background cycle's gc_done, the span frees of sweeping (why=central
// or large) before the next alloc record, cycle or b.N run form a burst;
// over the bursts of at least kBgSweepMinBurstFrees frees, the least
// absolute deviations fit of (last free - gc_done) / frees on the three
// terms per freed span (each freed span's slots from the size class its
// alloc record gave). The log has no record of a span swept and kept, so
// the fit puts their time into the freed spans' terms, and the model
// charges the terms to the spans it frees alone. Per benchmark, the median
// burst per freed span against the fit's: MallocLargeStruct 1.8 / 1.7 us
// (10 slots a span), AppendGrowByte 5.1 / 4.6 us (large spans),
// MallocTypeInfo8 14.3 / 13.4 us (1,024 slots), the other churn
// benchmarks 6.8 to 8.7 / 7.5 us (512 slots). A single constant for every
// span (the 7 us median of all bursts) made MallocTypeInfo8's sweep twice
// as fast as Go's, so its program found fewer spans still to sweep and took
// more new ones from the heap. Unexplained: CallClosure3, Malloc16 and
// CreateGoroutinesCapture, 11.0, 11.8 and 14.1 us at 512 slots.
// //mheap/go15:bgsweep_timing_test fits the three terms again and checks
// these medians.
inline constexpr int kBgSweepMinBurstFrees = 20;
inline constexpr int64_t kBgSweepNsPerSpan = 1600;
inline constexpr double kBgSweepNsPerObject = 11.5;
inline constexpr int64_t kBgSweepNsPerLargePage = 150;
// The time bgsweep takes over span `s` (the terms above).
int64_t BgSweepSpanNs(const MSpan& s);

// One cycle, for gctrace and reports.
struct GcCycle {
  uint64_t num = 0;
  GcMode mode = GcMode::kBackground;
  int64_t start_ns = 0;
  // When the cycle ended (memstats.last_gc, which sysmon's forcegc test
  // reads): CycleNs after it starts (a background cycle's mark termination
  // may come later, FinishMark).
  int64_t end_ns = 0;
  // Mark termination (go1.5.1 mgc.go gc() entering _GCmarktermination):
  // where a background cycle's concurrent mark ended; a blocking cycle,
  // which has none, enters it at its start.
  int64_t mark_term_ns = 0;
  uint64_t heap0 = 0;      // heap_live at the start
  uint64_t heap1 = 0;      // heap_live at mark termination
  uint64_t heap2 = 0;      // bytes marked
  uint64_t heap_goal = 0;
  uint64_t next_gc = 0;
  double trigger_ratio = 0;
  // A background cycle's draw from mark_share.h (0 for the other modes),
  // and how far heap_live may grow in its concurrent phase before the mark
  // ends (GcModel::MarkGrowthCap; 0 for the other modes).
  double mark_share = 0;
  uint64_t mark_growth_cap = 0;
};

class GcModel final : public SpanSweeper, public GcTrigger, public HeapAllocHooks {
 public:
  // gcpercent: GOGC (-1 = off).
  GcModel(MHeap& heap, StackAllocator& stacks, const RootSet& roots, int gcpercent);
  // The allocator, whose caches the cycle flushes. Must be set before use.
  void set_malloc(Malloc* malloc) { malloc_ = malloc; }
  // The goroutine table markroot walks (may stay unset: no goroutines).
  void set_goroutines(GoroutineRoots* g) { goroutines_ = g; }
  // What clearpools lets go of besides the tiny blocks (the central sudog
  // cache, sudog_cache.h), called where a cycle runs clearpools (may stay
  // unset).
  void set_clearpools(std::function<void()> f) { clearpools_ = std::move(f); }
  // While set, mallocgc starts no cycle: startGC, Go 1.5, returns at once on
  // the g0 stack (newproc1 and newdefer run there through systemstack; the
  // latter reaches here through HeapRuntime::EnterSystemStack), and the
  // next allocation that helps the GC starts it instead.
  void set_on_system_stack(bool on) { on_system_stack_ = on; }
  bool on_system_stack() const { return on_system_stack_; }
  // While set, the program stores each object mallocgc returns in a global
  // or heap slot through the write barrier (go1.5.1 mbarrier.go
  // writebarrierptr): during a cycle's concurrent phase gcmarkwb_m shades
  // it, so mark termination finds it marked however soon it was dropped.
  void set_write_barrier_stores(bool on) { write_barrier_stores_ = on; }
  // Malloc must hand every object to AfterMalloc one by one (no batched
  // runs): the barrier is shading the ones it returns.
  // While set, the program sets a finalizer on each object mallocgc
  // returns (runtime.SetFinalizer; its special is fixalloc'd, off the
  // heap): the object outlives the cycle that finds it unreachable.
  void set_finalizer_allocs(bool on) { finalizer_allocs_ = on; }
  // Objects with a finalizer special (the address the program set it on,
  // which may lie inside a tiny block), and those queued on finq.
  size_t finalizers() const { return finalizers_.size(); }
  size_t finq() const { return finq_.size(); }
  // runfinq, readied by a P's findrunnable (go1.5.1 proc1.go wakefing),
  // runs every finalizer queued so far: their objects are no longer held.
  void RunFinalizers() { finq_.clear(); }
  // Malloc must hand every object to AfterMalloc and NewObject one by one
  // (no batched runs): the barrier is shading them, or each gets a
  // finalizer.
  bool SeesEachObject() const override {
    return (write_barrier_stores_ && marking_) || finalizer_allocs_ || blacken_promptly();
  }
  // go1.5.1 mgc.go gcBlackenPromptly, as the model places it: set once a
  // background cycle's mark work is done (the clock at mark_end_ns(); gc()
  // sets it when bgMark1 completes, and its goroutine, readied by the mark
  // worker that completed it, runs next on that P), cleared at mark
  // termination (FinishMark). While set, mallocgc allocates black
  // (gcmarknewobject_m): what the program allocates then survives the
  // cycle, dropped or not, and counts in heap_marked. The window lasts
  // until the mark worker runs again to complete bgMark2 and the GC
  // goroutine after it, that is until a P schedules: in go1.5.1 execution
  // traces of BenchmarkFinalizerRun after BenchmarkChanPopular, whose
  // workers hold both Ps, a median 15.5 ms of a 19.4 ms mark over 20
  // cycles (tools/go151/trace_blacken_window.py; there the mark's work
  // ends later than CycleNs puts it, the fractional worker also waiting
  // for a P).
  bool blacken_promptly() const {
    return marking_ && !program_scan_pending_ && heap_.clock().NanoTime() >= pending_.end_ns;
  }
  bool ProgramWaits() const override { return program_waits_; }
  // Go 1.5.1 calls newm from startm when no M is idle (startm is called by
  // wakep from newproc1 and ready, by handoffp from a blocking syscall,
  // notetsleepg or sysmon's retake), from startTheWorldWithSema for a P
  // with work and no M, and from startTheWorldWithSema again when fewer Ms
  // are idle than GC helpers could use (needaddgcproc: a spare M for
  // gchelper). Which of these fires depends on what every M is doing, and
  // this port has no scheduler; so the driver says when, from a recording:
  // an M is made at `at` of the `nth` background cycle (1: the next) to
  // start after this call. Requests queue, each counted from its own
  // call; one whose cycle has not come stays pending.
  void ArmNewM(int nth, NewMAt at);
  // Ms made so far through ArmNewM, and requests still waiting.
  int new_ms() const { return new_ms_; }
  size_t pending_new_ms() const { return armed_.size(); }

  // The draws of the program's share of each background mark start again
  // from `seed` (mark_share.h; kMarkShareSeed unless set).
  void set_mark_share_seed(uint64_t seed) { mark_shares_ = MarkShareDraws(seed); }
  // How fast the machine runs the runtime's own work, as a multiple of the
  // time it took in the run the constants above were measured in
  // (testdata/go151_heaplog/prefix.hlog.xz): a cycle's length (CycleNs),
  // mark termination's rescan of chain links and bgsweep's time per span
  // (BgSweepNs) are that many times theirs. 1 (the default) is that run's
  // machine; the drivers take it from the timings they run at
  // (bench/workloads/cpu_scale.h). Must be above 0.
  void set_cpu_scale(double scale);
  double cpu_scale() const { return cpu_scale_; }
  // BgSweepSpanNs(s) on this machine (cpu_scale).
  int64_t BgSweepNs(const MSpan& s) const { return Scaled(BgSweepSpanNs(s)); }
  // A background cycle's concurrent mark lasts CycleNs(kBackground) on the
  // heap's clock, ended by FinishMark (the driver must call it when the
  // clock reaches mark_end_ns()); off (the default), cycles are
  // instantaneous.
  void set_concurrent_mark(bool on) { concurrent_mark_ = on; }
  // While set (and the mark concurrent), the program's allocation that
  // finds the heap at the marking cycle's MarkGrowthCap does not end the
  // mark: the program waits there for the mark to end on the clock
  // (program_waits_for_mark), as go1.5.1's gcAssistAlloc sleeps 100 us at
  // a time while it owes scan work that neither the background credit nor
  // the work queue can pay, until blackening is off. The driver lets the
  // clock reach mark_end_ns() before the program goes on. Off (the
  // default, or while `can_wait` says no), the mark ends at that
  // allocation. Drivers say no where the program cannot wait as a whole
  // (every P runs goroutines of its own that go on while one waits).
  void set_assist_waits(std::function<bool()> can_wait) { assist_waits_ = std::move(can_wait); }
  // The program's goroutine waits in gcAssistAlloc for the marking cycle's
  // end (set_assist_waits); FinishMark clears it.
  bool program_waits_for_mark() const { return program_waits_; }
  // While set, a background cycle that the program's allocation starts
  // (startGC from mallocgc, which yields to the GC goroutine) scans the
  // program's stack only when the driver calls ScanProgramStack, at the
  // goroutine's next preemption check: go1.5.1 gcscan_m's scang of a
  // running goroutine asks it to scan itself there (newstack). What the
  // program holds then is marked, and the concurrent mark's
  // CycleNs(kBackground) starts then. The allocation at that check does not
  // end the mark at MarkGrowthCap (mallocgc zeroes it before gc() has the
  // write barrier on, and its gcAssistAlloc finds blackening off), so the
  // mark ends where its time runs out, its termination waiting for the
  // driver's next preemption check. The driver sets it while the program
  // runs a loop whose only preemption points are its allocations, so that
  // the goroutine has run on to the next one (append's loop: growslice).
  // ASSUMPTION: the goroutine is running before gcscan_m reaches it (the
  // other P takes it from the global queue once sweep termination's world
  // restarts), as the scan phases of Go 1.5.1's gctrace runs of
  // BenchmarkAppendGrowString say (testdata/go151_gctrace_append/).
  void set_scan_program_at_safe_point(bool on) { scan_program_at_safe_point_ = on; }
  bool program_scan_pending() const { return program_scan_pending_; }
  // The waiting scan (program_scan_pending()) happens now.
  void ScanProgramStack();
  // A background cycle is in its concurrent phase (including a wait for
  // the program's scan).
  bool marking() const { return marking_; }
  // When the marking cycle's concurrent phase ends (valid while marking();
  // the largest int64_t while the program's scan waits).
  int64_t mark_end_ns() const { return pending_.end_ns; }
  // Mark termination and the sweep's start for the marking cycle, at the
  // clock's time now: the concurrent phase's end, or earlier when a
  // blocking cycle waits for it (gc's semacquire of worldsema). The cycle
  // ends (GcCycle::end_ns, last_gc) once mark termination's stopped world
  // has rescanned the chain links held (kChainLinkRescanNs); the driver
  // lets that much pass before the program goes on (TakeStoppedNs).
  void FinishMark();
  // The stopped time of mark terminations since the last call (0 when
  // none): the program's work after them comes that much later.
  int64_t TakeStoppedNs() { return std::exchange(stopped_ns_, 0); }

  // Mirrors updatememstats' cache work, go1.5.1 mstats.go, as
  // readmemstats_m runs it with the world stopped and no cycle running:
  // flushallmcaches (every P's mcache spans back to their central lists,
  // every P's stack cache back to the pools; gcphase is _GCoff, so a stack
  // span left with no stack in use goes back to the heap at once), then
  // cachestats (each P's cached counts into memstats, heap_live among them).
  void UpdateMemStats();

  // Mirrors startGC, Go 1.5. A forced blocking cycle first lets a marking
  // one finish; its world stops now and, with no driver moving the clock,
  // its work is done now too, the end lying CycleNs ahead.
  void StartGC(GcMode mode, bool force_trigger);
  // runtime.GC()'s cycle (gcForceBlockMode) for a driver that stopped the
  // world at `world_stopped_ns` and let CycleNs(kForceBlock) pass on the
  // clock since (no marking cycle left: the driver waited for its end on
  // worldsema): its work is done now, at the stop's end, where Go's mark
  // termination and gcSweep's eager sweep end it.
  void ForceBlockingGC(int64_t world_stopped_ns);
  // How long a cycle of `mode` started now would last (kBackgroundCycleNs,
  // kBlockingCycleNs and their costs per g in allgs, per live goroutine,
  // per chain link held and per stated stack frame).
  int64_t CycleNs(GcMode mode) const;
  // Mirrors shouldtriggergc.
  bool ShouldTriggerGC() const;
  // bggc.working after a cycle's end: its GC goroutine has not parked yet
  // (set_park_delay).
  bool GcGoroutineWorking() const;
  // Gives the background sweeper up to `turns` spans to sweep; returns how
  // many it swept (it parks when everything is swept).
  int BackgroundSweep(int turns);
  // The background sweeper on a P of its own, a span at a time: the span
  // its next sweepone takes (its sweepgen moved to sweepgen-1, as Go's cas
  // does, so that the program's sweeping passes it by), the same one until
  // SweepClaimed sweeps it; null when nothing is left to sweep.
  const MSpan* ClaimSweepOne();
  // mSpan_Sweep of the claimed span: pages freed, 0 if kept.
  uintptr_t SweepClaimed();
  // Whether mSpan_Sweep(s, false) would hand `s`, in use and unswept, back
  // to the heap: the mark reached none of its objects and none has a
  // finalizer (the sweep keeps an unmarked one's object). SweepClaimed
  // checks it against the sweep.
  bool SweepFreesSpan(const MSpan& s) const;
  bool has_claim() const { return claimed_ != nullptr; }
  // Mirrors sweepone: pages freed, or ~0 when nothing is left to sweep.
  // Passes a claimed span by.
  uintptr_t SweepOne();
  // Nothing is left to sweep, the claimed span included.
  bool sweepdone() const { return sweepdone_ && claimed_ == nullptr; }

  // SpanSweeper.
  void DeductSweepCredit(uintptr_t bytes, uintptr_t npages) override;
  bool Sweep(MSpan* s, bool preserve) override;
  // GcTrigger.
  void AfterMalloc(bool shouldhelpgc, uintptr_t new_object) override;
  void NewObject(uintptr_t x) override;
  // HeapAllocHooks.
  void BeforeAlloc(PageCount npage) override;
  void BeforeFree() override;

  int gcpercent() const { return gcpercent_; }
  uint64_t heapminimum() const { return heapminimum_; }
  double trigger_ratio() const { return trigger_ratio_; }
  // The cycles that ended (a marking one is recorded at its end).
  const std::vector<GcCycle>& cycles() const { return cycles_; }
  // The cycles started: those ended and a marking one.
  size_t cycles_started() const { return cycles_.size() + (marking_ ? 1 : 0); }
  // memstats.last_gc: when the last cycle ended (GcCycle::end_ns), 0 before
  // the first. sysmon's forced-GC test reads it.
  int64_t last_gc_ns() const { return cycles_.empty() ? 0 : cycles_.back().end_ns; }
  // Called at the end of every cycle (for gctrace).
  void set_on_cycle(std::function<void(const GcCycle&)> f) { on_cycle_ = std::move(f); }
  // While set, a background cycle's GC goroutine parks (go1.5.1 mgc.go
  // backgroundgc clears bggc.working and parks once gc() returns) `delay`
  // after the cycle's end (GcCycle::end_ns) rather than at it: the driver's
  // account of the time its thread was off its CPU as the world restarted.
  // Until then shouldtriggergc, and startGC for sysmon's forced GC, find
  // bggc.working set and start nothing. mallocgc's refills yield meanwhile
  // (go1.5.1 malloc.go: shouldhelpgc while bggc.working is set and
  // blackening is off), which the model does not time: its clock keeps the
  // workload's own time per op.
  void set_park_delay(std::function<int64_t(const GcCycle&)> delay) {
    park_delay_ = std::move(delay);
  }
  // When the last background cycle's GC goroutine parks, if that was later
  // than the cycle's end (set_park_delay); 0 otherwise.
  int64_t bggc_parks_ns() const { return bggc_parks_ns_; }

 private:
  // How far heap_live may grow in `cycle`'s concurrent phase (heap0,
  // heap_goal, start_ns, end_ns and mark_share set) before its mark ends.
  uint64_t MarkGrowthCap(const GcCycle& cycle) const;
  // gc(mode), its world stopped (or its mark started) at `start_ns`.
  void RunCycle(GcMode mode, int64_t start_ns);
  // Mark termination, the sweep's start and the cycle's record.
  void Terminate(GcCycle& cycle);
  void PrepareMarkBits(bool keep);
  void MarkRoots();  // the workload's live objects and the one in flight
  // The span holding `addr` (nullptr: none), looked up only when `*last`,
  // the span found before, does not hold it; `*last` becomes the answer.
  // Addresses in order mostly share their predecessor's span.
  MSpan* SpanOf(uintptr_t addr, MSpan** last) const;
  // markroot's _RootSpans in mark termination: scanobject's byte count
  // for each object with a finalizer special.
  void ScanFinalizerSpecials();
  void Mark(bool after_concurrent_phase);  // markroot's caches flush + marking from the roots
  void MarkTermination(GcCycle& cycle);  // gcMark's pacing, Go 1.5
  void EndCycle();                // gcController.endCycle, Go 1.5
  void SweepPhase(GcMode mode);   // gcSweep, Go 1.5
  // mSpan_Sweep's specials: marks (in `marked`, the span's mark bits) and
  // queues the unmarked objects with a finalizer.
  void KeepFinalized(const MSpan* s, SlotBits& marked);
  void FlushCache(int p);         // purgecachedstats
  // Mirror flushallmcaches (every P's mcache spans to their central lists,
  // every P's stack cache to the pools) and cachestats (purgecachedstats on
  // every P), go1.5.1 mstats.go: markroot's _RootFlushCaches and gcMark use
  // them during a cycle, updatememstats outside one.
  void FlushAllMCaches();
  void CacheStats();
  // newm, if ArmNewM asked for one at `at` of the background cycle running
  // now (the last one started: cycles do not overlap).
  void MaybeNewM(NewMAt at);

  MHeap& heap_;
  StackAllocator& stacks_;
  const RootSet& roots_;
  Malloc* malloc_ = nullptr;
  GoroutineRoots* goroutines_ = nullptr;
  std::function<void()> clearpools_;
  bool on_system_stack_ = false;
  bool write_barrier_stores_ = false;
  bool bggc_started_ = false;  // bggc.started: backgroundgc's goroutine exists
  int mark_workers_ = 0;       // Ps with a gcBgMarkWorker goroutine
  uint64_t bg_cycles_started_ = 0;  // background cycles started so far
  struct ArmedNewM {
    uint64_t bg_cycle;  // the ordinal of the cycle it waits for
    NewMAt at;
  };
  std::vector<ArmedNewM> armed_;  // ArmNewM's requests, in arming order
  int new_ms_ = 0;
  std::vector<uintptr_t> shaded_;  // the objects the barrier shaded in this concurrent phase
  std::vector<uintptr_t> black_;   // the objects allocated while blacken_promptly()
  bool finalizer_allocs_ = false;
  absl::btree_set<uintptr_t> finalizers_;  // finalizer specials, in address order
  std::vector<uintptr_t> finq_;            // queued finalizers' objects, roots until runfinq
  int gcpercent_;
  uint64_t heapminimum_;
  double trigger_ratio_ = 7.0 / 8.0;
  bool in_cycle_ = false;  // bggc.working / the world is stopped
  bool concurrent_mark_ = false;
  bool scan_program_at_safe_point_ = false;  // set_scan_program_at_safe_point
  std::function<bool()> assist_waits_;      // set_assist_waits (empty: off)
  bool program_waits_ = false;               // program_waits_for_mark
  bool starting_in_malloc_ = false;          // AfterMalloc is starting a cycle
  bool program_scan_pending_ = false;        // program_scan_pending()
  // The next allocation comes at the preemption check ScanProgramStack
  // ran at, before the mark blackens anything (AfterMalloc).
  bool alloc_before_blackening_ = false;
  bool marking_ = false;   // in_cycle_ and in the concurrent phase
  GcCycle pending_;        // the marking cycle (end_ns: when its mark ends)
  int64_t stopped_ns_ = 0;  // TakeStoppedNs
  bool sweepdone_ = true;
  MSpan* claimed_ = nullptr;  // ClaimSweepOne's span, not yet swept
  // sweepone's walk up to the next span to sweep, claimed (sweepgen-1);
  // null, and sweepdone_ set, at the end.
  MSpan* NextToSweep();
  size_t sweep_idx_ = 0;
  size_t work_spans_ = 0;
  double sweep_pages_per_byte_ = 0;
  uint64_t pages_swept_ = 0;
  uint64_t span_bytes_alloc_ = 0;
  uint64_t bytes_marked_ = 0;
  std::vector<uint16_t> freed_scratch_;  // Sweep's list of dead slots, reused
  uint64_t initial_heap_live_ = 0;
  MarkShareDraws mark_shares_;  // one draw per background cycle
  double cpu_scale_ = 1.0;  // set_cpu_scale
  // `ns` of the recorded run's machine on this one (cpu_scale_).
  int64_t Scaled(int64_t ns) const;
  uintptr_t in_flight_ = 0;  // the object mallocgc is returning, a root too
  std::vector<GcCycle> cycles_;
  std::function<void(const GcCycle&)> on_cycle_;
  std::function<int64_t(const GcCycle&)> park_delay_;  // set_park_delay (empty: none)
  int64_t bggc_parks_ns_ = 0;  // bggc_parks_ns()
};

// The g0 stack (systemstack) or a held m.locks for the guard's lifetime:
// GcModel::set_on_system_stack(true), then the setting it found. newproc1
// and allocm (goroutines.cc), and acquireSudog's new(sudog) under acquirem
// (runtime.cc) allocate so: startGC does nothing there.
class SystemStackScope {
 public:
  explicit SystemStackScope(GcModel& gc) : gc_(gc), was_(gc.on_system_stack()) {
    gc_.set_on_system_stack(true);
  }
  ~SystemStackScope() { gc_.set_on_system_stack(was_); }
  SystemStackScope(const SystemStackScope&) = delete;
  SystemStackScope& operator=(const SystemStackScope&) = delete;

 private:
  GcModel& gc_;
  const bool was_;
};

}  // namespace thp

#endif  // THP_MHEAP_GO15_MGC_H_
