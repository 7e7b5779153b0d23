// The Go 1.5 port as a HeapRuntime: mheap/go15's Runtime with sysmon
// (scavenger/sysmon.h) on the virtual clock, the forced GC and scavenge
// passes sysmon makes, and Go 1.5's GODEBUG=gctrace=1 lines.
#ifndef THP_MHEAP_HEAP_RUNTIME_GO15_HEAP_RUNTIME_H_
#define THP_MHEAP_HEAP_RUNTIME_GO15_HEAP_RUNTIME_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "mheap/go15/runtime.h"
#include "mheap/heap_runtime/forwarding_heap_runtime.h"
#include "mheap/heap_runtime/heap_runtime.h"
#include "runtime_port/base/splitmix64.h"
#include "scavenger/gctrace.h"
#include "scavenger/sysmon.h"

namespace thp {

class Go15HeapRuntime final : public ForwardingHeapRuntime<Runtime> {
 public:
  // sysmon reads nanotime() at the top of its round and only then takes
  // the heap lock in mHeap_Scavenge (go1.5.1 proc1.go sysmon, mheap.go
  // mHeap_Scavenge). When its round comes due while bgsweep frees a
  // finished cycle's spans on the P the program leaves idle, there are
  // three threads for two CPUs (the program, the sweeper, sysmon), and
  // Go's log shows two outcomes besides taking the lock at once:
  //  - sysmon gets a CPU only once the sweeper stops, and reads its clock
  //    then (in the log, passes read the clock just after a sweep's last
  //    free six times as often as in the 50 us after that);
  //  - it reads its clock mid-burst and gets the heap lock only once the
  //    sweeper stops: its pass then compares the spans the sweeper freed
  //    meanwhile, stamped after its `now`, on unsigned integers
  //    (scavengelist), and releases them however young they are (README,
  //    what still differs, item 6).
  // Which round fares how is the kernel scheduler's choice, which the
  // model does not have; it keeps the rates, drawn pass by pass. Each
  // scavenge pass that comes due while the sweeper has spans left and runs
  // (not while it waits for a stalled cycle end, kCycleEndsPerParkStall)
  // reads its clock at the sweep's end (the sweepone that finds nothing
  // left) with probability 1 / kSweepPassesPerLateClock; one that does not
  // waits until then with the clock it read with probability
  // 1 / kMidSweepPassesPerLockWait. The draws are independent, from a
  // seeded sequence (RuntimeOptions::sweep_wait_seed, kSweepWaitSeed
  // unless the drivers' --sweep_wait_seed says otherwise):
  // Go's waits scatter over the benchmarks at least as widely as
  // independent draws at one rate would (in the log, 5 of the 14
  // benchmarks with 20 or more passes read mid-burst had none, while
  // CallClosure4 and ConvT2ILarge had 5 each;
  // //bench/calibrate:sysmon_rounds_log_test), which a count (every n-th
  // pass) cannot give: it hands each such benchmark about its share.
  // Either pass scavenges at a stopped world
  // or at the next round if that comes first, and a pass still pending
  // when the run ends never scavenges, as a blocked sysmon would not
  // before the exit. Only the pass moves: the round's retake and forced-GC
  // check stay at its time, and the rounds after it keep theirs.
  // Measured, not derived, in testdata/go151_heaplog/prefix.hlog.xz over
  // the benchmarks whose loops leave a P idle (bench/calibrate/
  // sweep_lock_waits.h): of the 490 passes that read their clock mid-burst
  // (a sweep free under 100 us before), 27 waited (1 in 18); 134 read it
  // just after a sweep's last free against 22 in the 50 us after that, so
  // about 112 rounds came late, of 602 due mid-burst (1 in 5).
  // //bench/calibrate:sysmon_rounds_log_test measures both again.
  static constexpr int64_t kSweepPassesPerLateClock = 5;
  static constexpr int64_t kMidSweepPassesPerLockWait = 18;

  // A background cycle ends on the GC goroutine's thread (go1.5.1 mgc.go
  // gc): startTheWorldWithSema wakes Ms for the other Ps, gcSweep has
  // readied bgsweep into this P's runnext, and only once gc() returns does
  // backgroundgc clear bggc.working and park, after which bgsweep runs
  // there. A runtime trace of go1.5.1 (its own execution tracer, the
  // suite's benchmarks up to MallocLargeStruct) shows the thread sometimes
  // losing its CPU right there for milliseconds: no event on that P while
  // the program runs on the other, yielding at every refill (mallocgc:
  // bggc.working is set), then the GC goroutine parks and bgsweep starts.
  // The kernel's choice of CPU for the woken threads decides it, which the
  // model does not have; it keeps the rate and the lengths. Of the
  // background cycles that end while no loop keeps every P busy, under
  // GOMAXPROCS 2 or more, every kCycleEndsPerParkStall-th has its GC
  // goroutine park (GcModel::set_park_delay) and bgsweep start that much
  // after its end, the lengths taken in turn from kParkStallsNs. Until
  // then no cycle starts, however far the heap grows past the trigger.
  // Measured, not derived, in testdata/go151_heaplog/prefix.hlog.xz
  // (bench/calibrate/cycle_end_stalls.h): over the benchmarks whose loops
  // leave a P of their own idle and whose sweep frees a span first after
  // most cycles, the windows from a background cycle's end to the first
  // span its sweep freed, or to the next cycle's start, that lasted over
  // 500 us (1 in 9), and the lengths of those a sweep free closed, the
  // middle of each tenth. //bench/calibrate:cycle_end_stalls_log_test
  // measures both again. The rate is not one for every benchmark: 0 to 32%
  // of a benchmark's windows stall in Go's run.
  static constexpr int64_t kCycleEndsPerParkStall = 9;
  static constexpr int64_t kParkStallsNs[] = {670000,  920000,  1450000, 2000000, 2570000,
                                              3220000, 3740000, 3850000, 4090000, 5150000};

  // `start_ns` is the clock's time now (runtimeInitTime); `gctrace` (may
  // be null; outlives this) receives the gc, "GC forced" and scvg lines;
  // `sweep_wait_seed` seeds the draws of the passes due inside a sweep.
  Go15HeapRuntime(std::unique_ptr<Runtime> rt, int64_t start_ns, bool scavenge_debug,
                  const GcTraceWriter* gctrace, uint64_t sweep_wait_seed);
  absl::StatusOr<uintptr_t> AcquireSudog(int p) override { return rt_->AcquireSudog(p); }
  absl::Status ReleaseSudog(uintptr_t s, int p) override { return rt_->ReleaseSudog(s, p); }

  HeapKind kind() const override { return HeapKind::kGo15; }
  // The arena's used part (arena_start to arena_used).
  std::pair<uintptr_t, uintptr_t> ArenaRange() const override {
    const HeapLayout& l = rt_->heap().layout();
    return {l.arena_start, l.arena_used};
  }
  // go1.5.1 mheap.go runtime_debug_freeOSMemory: runtime.GC()'s cycle (GC,
  // its waits and stopped world included), then mHeap_Scavenge(-1).
  int64_t FreeOSMemory(const std::function<void(int64_t)>& set_clock) override;
  // Sysmon's rounds up to `until`, with a marking cycle's end (mark
  // termination, GcModel::FinishMark) in time order among them, then the
  // other P's background sweeper gets the time up to `until`
  // (SweepInBackground). A mark termination's stopped world
  // (GcModel::TakeStoppedNs) moves `until` on by as much.
  int64_t RunUntil(int64_t until, bool idle, const std::function<void(int64_t)>& set_clock) override;
  // Go 1.5 preempts only at function calls: a GC sysmon forces during such
  // a loop takes worldsema but starts when the loop returns (and no second
  // one is forced meanwhile).
  void EnterLoopWithoutSafePoint() override { in_loop_without_safe_point_ = true; }
  // A cycle whose gcscan_m waits for the program's stack (GcModel::
  // set_scan_program_at_safe_point) scans it here first.
  void LeaveLoopWithoutSafePoint() override;
  // sched.gcwaiting at `t`: a stop of the world (a forced GC's sweep
  // termination, or mark termination once the mark's time ran out) waits
  // for such a loop's preemption check. sysmon sleeps on its note
  // meanwhile (go1.5.1 proc1.go sysmon), maxsleep at a time.
  bool WorldStopping(int64_t t) const;
  // append's loop (go1.5.1 growslice, the loop's only call): the program's
  // allocation that starts a background cycle yields in startGC, and once
  // sweep termination's stopped world restarts, the goroutine runs on to
  // its next call before gcscan_m can scan its stack, so the concurrent
  // mark starts there (GcModel::ScanProgramStack); a stopped world waits
  // for it likewise (EnterLoopWithoutSafePoint).
  void EnterLoopWithSafePointsAtAllocs() override;
  void LeaveLoopWithSafePointsAtAllocs() override;
  // While every P runs such a loop's goroutine, a P schedules only when it
  // stops for the world or sysmon preempts it: retake (go1.5.1 proc1.go)
  // preempts a P whose schedtick it has seen unchanged for forcePreemptNS
  // (10 ms), and with sysmon waking every 10 ms that is its second round
  // after the P last scheduled (the model's Ps schedule together, so one
  // count stands for every P's schedtick). Until then these wait on the
  // global run queue: forcegc.g that sysmon readied, or that yielded once
  // it had started a GC; the GC goroutine, woken when the concurrent mark's
  // work is done (GcModel::CycleNs after the cycle's start), for mark
  // termination; bgsweep between spans. A preempted P takes them in that
  // order once sysmon's round is over. Go 1.5.1's own run shows the
  // result: in the benchmarks whose loops the suite marks so, a background
  // cycle's mark lasts two sysmon periods (a median 20.2 ms against 1 ms
  // elsewhere), and the next starts two periods after it ends
  // (//bench/workloads:go15_busy_ps_test). Leaving the loop, every waiting
  // goroutine runs at once.
  void EnterLoopKeepingEveryPBusy() override;
  void LeaveLoopKeepingEveryPBusy() override;
  // sysmon readies forcegc.g with injectglist (go1.5.1 proc1.go): onto the
  // global run queue's tail, whence a P takes it in turn (schedule's 61st
  // tick, findrunnable) and forcegchelper starts the GC. While the workload
  // reports that queue (Matmult's tree), a forced GC waits there behind the
  // goroutines queued before it; otherwise an idle P takes it at once.
  // bgsweep waits in the same queue after each span it sweeps.
  // runtime.GC() runs a forced GC still waiting first (the workload's
  // goroutines are done by then, so forcegc.g has run) and ends the report.
  // Having readied the GC goroutine, forcegc.g yields (go1.5.1 mgc.go
  // startGC's Gosched: goschedImpl puts it on the global queue's tail) and
  // sets forcegc.idle only when a P runs it again; until then sysmon readies
  // no other forced GC. While the workload reports the queue, that second
  // wait is behind the gs queued when the GC started.
  void GlobalRunqPut(int64_t n) override;
  void GlobalRunqGet(int p, int64_t n) override;
  // runtime.GC(), go1.5.1 mgc.go: gc() waits on worldsema for a cycle
  // still marking to end (the program's P idle, the GC's worker on the
  // other), then stops the world for GcModel::CycleNs(kForceBlock). While
  // it is stopped sysmon finds sched.gcwaiting and sleeps on its note,
  // which startTheWorldWithSema wakes: its round comes after the cycle's
  // work, which is done at the stop's end (ForceBlockingGC).
  int64_t GC(const std::function<void(int64_t)>& set_clock) override;
  // testing's StartTimer and StopTimer: stopTheWorld takes worldsema too,
  // so it waits for a cycle still marking to end; readmemstats_m's own
  // stop takes no time here.
  int64_t ReadMemStats(const std::function<void(int64_t)>& set_clock) override;
  // go1.5.1 gcAssistAlloc: the program's allocation at a refill found the
  // heap past its share of the mark (GcModel::MarkGrowthCap) and sleeps
  // 100 us at a time until blackening is off. Its P runs the mark workers
  // meanwhile, so for sysmon the Ps stay busy; the program goes on once
  // mark termination's world restarts. Not while every P runs goroutines
  // of the workload's (EnterLoopKeepingEveryPBusy), nor while the workload
  // reports its run queue (its goroutines take turns on the Ps, Matmult's
  // tree): the others run on, and the mark ends at that allocation, as it
  // does without the wait.
  bool ProgramWaitsForMark() const override { return rt_->gc().program_waits_for_mark(); }
  // bgsweep on the P the program leaves idle (SweepsOnIdleP) and the
  // program's refill (mCentral_CacheSpan sweeping the spans of its class
  // that it finds unswept, mHeap_Alloc's reclaim) take spans from the same
  // unswept set, bgsweep in allspans order and the refill in its central
  // list's order: in Go they race span by span.
  bool AllocRacesSweeper(uintptr_t size, bool noscan, int p) const override {
    return SweepsOnIdleP(/*idle=*/false) && rt_->malloc().NeedsRefill(size, noscan, p);
  }
  // A run stops before such an allocation (AllocRacesSweeper).
  absl::StatusOr<int64_t> AllocateTransientRun(uintptr_t size, bool noscan, int p,
                                               int64_t count) override {
    return rt_->AllocateTransientRun(size, noscan, p, count,
                                     /*stop_before_refill=*/SweepsOnIdleP(/*idle=*/false));
  }
  int64_t WaitForMark(const std::function<void(int64_t)>& set_clock) override;
  void ArmNewM(int nth, bool at_cycle_end) override {
    rt_->gc().ArmNewM(nth, at_cycle_end ? NewMAt::kCycleEnd : NewMAt::kCycleStart);
  }
  void set_on_scavenge(std::function<void()> f) override { on_scavenge_ = std::move(f); }
  HeapFigures Figures() const override;
  // Goroutines ahead of a forced GC waiting in the global run queue (-1:
  // none waits there).
  int64_t forcegc_ahead() const { return forcegc_ahead_; }
  // Goroutines ahead of forcegc.g back in the global run queue after its
  // yield, the GC it readied started (-1: it is parked, forcegc.idle set).
  int64_t forcegc_yield_ahead() const { return forcegc_yield_ahead_; }

  const Sysmon& sysmon() const { return sysmon_; }
  // sysmon's scavenge passes that came due while bgsweep had spans left on
  // an idle P; of them, those that read the clock then, and of those, the
  // ones that waited for the sweep's end (kSweepPassesPerLateClock,
  // kMidSweepPassesPerLockWait).
  int64_t passes_due_in_sweep() const { return due_in_sweep_; }
  int64_t passes_in_sweep() const { return passes_in_sweep_; }
  int64_t sweep_lock_waits() const { return sweep_lock_waits_; }

 private:
  const int64_t start_ns_;
  const GcTraceWriter* gctrace_;
  Sysmon sysmon_;
  SysmonActions actions_;
  std::function<void()> on_scavenge_;
  // mHeap_Scavenge with the heap lock held, and on_scavenge_.
  void Scavenge(int32_t k, uint64_t now, uint64_t limit);
  // A round's pass, due `now`: it takes the lock now, or it waits for the
  // sweep (kSweepPassesPerLateClock, kMidSweepPassesPerLockWait).
  void ScavengeOrWaitForSweep(int32_t k, uint64_t now, uint64_t limit);
  // The next draw of sweep_wait_draws_ falls in a share 1 / one_in.
  bool Draws(int64_t one_in);
  // The waiting pass, if any, takes the lock now, at the clock's time, if
  // the sweeper no longer holds it up (or `now_anyway`).
  void TakeLockAfterSweep(bool idle, bool now_anyway);
  struct WaitingPass {
    int32_t k;
    uint64_t now, limit;
    bool reads_clock_late;  // reads it as it takes the lock, not at `now`
  };
  std::optional<WaitingPass> waiting_pass_;
  int64_t due_in_sweep_ = 0;    // passes due with spans left to sweep
  int64_t passes_in_sweep_ = 0;  // of them, those that read the clock then
  int64_t sweep_lock_waits_ = 0;  // of those, the ones that waited
  SplitMix64 sweep_wait_draws_;  // whether each pass due in a sweep is late or waits
  bool idle_ = false;
  bool world_stopped_ = false;  // runtime.GC()'s stopped world (GC)
  // sysmon readied forcegc.g in that stopped world: its note sleep
  // (maxsleep) ran out before the world restarted, and forcegchelper runs
  // only once it has (GC).
  bool forcegc_after_world_ = false;
  int64_t busy_at_ = 0;
  bool in_loop_without_safe_point_ = false;
  bool gc_waits_for_safe_point_ = false;  // forced, waiting for the loop's end
  bool runq_reported_ = false;  // the workload reports the global run queue
  int64_t global_runq_ = 0;     // its length as the workload's scheduler has it
  int64_t forcegc_ahead_ = -1;  // see forcegc_ahead()
  int64_t forcegc_yield_ahead_ = -1;  // see forcegc_yield_ahead()
  // A P's look at the global queue took `n` of the workload's gs: whether
  // it took a runtime g too (forcegc.g, bgsweep), `*ahead` gs being queued
  // before it (and counts those down otherwise).
  static bool TakesQueuedG(int64_t* ahead, int64_t n);
  // gc() and stopTheWorld take worldsema, which a background cycle holds
  // from its start to its end: a marking cycle's mark runs to its end on
  // the clock first (the caller's goroutine waits, its P idle, the mark
  // worker on the other).
  void WaitForWorldsema(const std::function<void(int64_t)>& set_clock);
  // forcegchelper, Go 1.5.1: "GC forced" under gctrace, then startGC.
  void RunForcedGc();
  // retake's preemption test, while every P is busy (see
  // EnterLoopKeepingEveryPBusy).
  void Retake(int64_t now);
  // The preempted Ps schedule (SchedulePreempted), or the loop's end frees
  // them: the runtime's goroutines waiting for a P run, in queue order.
  void SchedulePreempted();
  void RunWhatWaitsForAP();
  // Whether a cycle is marking and its mark's time ran out by `t`.
  bool MarkRanOutBy(int64_t t) const;
  // Whether a cycle marking now, its mark run out by `t`, stops the world
  // for mark termination there: not while every P is busy (it waits for a
  // preempted P, SchedulePreempted), nor while the program is where it
  // reaches no safe point (it waits for LeaveLoopWithoutSafePoint):
  // stopping the world needs the running goroutine at a preemption check.
  bool MarkTerminatesBy(int64_t t) const;
  // Every P's schedule() calls while every P is busy: stops of the world
  // (a cycle's start and its mark termination) and preemptions.
  int64_t SchedTicks() const;
  bool every_p_busy_ = false;
  int64_t preemptions_ = 0;
  int64_t seen_schedticks_ = -1;  // retake's record (pdesc.schedtick) ...
  int64_t schedwhen_ = 0;         // ... and when it first saw that count
  bool preempting_ = false;       // retake preempted the Ps this round
  // forcegc.g on the global queue while every P is busy: readied by
  // sysmon, or back there after startGC's Gosched. Either way
  // forcegc.idle is clear, so sysmon readies it no more.
  bool forcegc_waits_for_p_ = false;
  bool forcegc_yielded_for_p_ = false;
  bool bgsweep_waits_for_p_ = false;  // between its spans, while every P is busy
  // bgsweep, Go 1.5 (mgcsweep.go). While the workload does not report its
  // run queue, it runs on a P the program leaves idle (the model assumes
  // one under GOMAXPROCS 2 or more, as with one benchmark goroutine; under
  // GOMAXPROCS 1 only while the step is idle): from the
  // cycle's end, or from where its last turn left off, to `until`, each
  // span it frees taking GcModel::BgSweepNs (mgc.h); the span whose time runs
  // past `until` stays claimed for the next call.
  // While the workload reports its run queue (every P busy), it sweeps one
  // span when readied at the cycle's end, then one per turn it gets in the
  // global run queue (BgSweepTurn).
  void SweepInBackground(int64_t until, bool idle);
  // The GC goroutine's park after a background cycle's end, from the
  // cycle's end (kCycleEndsPerParkStall): 0 or a stall's length.
  int64_t ParkDelay();
  int64_t cycle_ends_ = 0;   // background cycles that could stall, ended
  int64_t park_stalls_ = 0;  // of them, those that did
  // Whether no goroutine of the program's own but the benchmark's can run
  // now: no loop keeps every P busy and the workload reports no run queue.
  bool ProgramRunsAlone() const { return !every_p_busy_ && !runq_reported_; }
  // Whether the program leaves a P idle now (the first case above): it
  // runs alone, and there is a second P or the step is idle.
  bool LeavesAPIdle(bool idle) const;
  // Whether bgsweep runs on that P now, with spans left to sweep.
  bool SweepsOnIdleP(bool idle) const;
  // That case: its spans freed up to `until`, the clock moved through
  // `set_clock` to each one's time.
  void SweepOnIdleP(int64_t until, bool idle, const std::function<void(int64_t)>& set_clock);
  // One sweepone, then Gosched onto the global queue's tail; or, with
  // nothing to sweep, it parks until the next cycle's gcSweep readies it.
  void BgSweepTurn();
  int64_t bgsweep_at_ = 0;  // virtual time bgsweep has used up to
  bool bgsweep_parked_ = true;   // in goparkunlock: gcSweep must ready it
  int64_t bgsweep_ahead_ = -1;   // gs ahead of it in the global run queue (-1: not there)
};

}  // namespace thp

#endif  // THP_MHEAP_HEAP_RUNTIME_GO15_HEAP_RUNTIME_H_
