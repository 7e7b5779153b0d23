#include "mheap/heap_runtime/go15_heap_runtime.h"

#include <algorithm>
#include <iterator>
#include <limits>

#include "runtime_port/base/check.h"
#include "scavenger/scavenger.h"

namespace thp {

namespace {
SysmonOptions OptionsFor(bool scavenge_debug) {
  SysmonOptions so;
  so.scavenge_debug = scavenge_debug;
  return so;
}
}  // namespace

Go15HeapRuntime::Go15HeapRuntime(std::unique_ptr<Runtime> rt, int64_t start_ns,
                                 bool scavenge_debug, const GcTraceWriter* gctrace,
                                 uint64_t sweep_wait_seed)
    : ForwardingHeapRuntime(std::move(rt)),
      start_ns_(start_ns),
      gctrace_(gctrace),
      sysmon_(start_ns, OptionsFor(scavenge_debug)),
      sweep_wait_draws_(sweep_wait_seed) {
  // The clock here is the virtual one sysmon runs on: a background
  // cycle's concurrent mark lasts on it, and RunUntil ends it.
  rt_->gc().set_concurrent_mark(true);
  // One goroutine's assist sleeps; the program as a whole waits only when
  // no other goroutine of its own can run meanwhile.
  rt_->gc().set_assist_waits([this] { return ProgramRunsAlone(); });
  rt_->gc().set_park_delay([this](const GcCycle&) { return ParkDelay(); });
  actions_.note_sleep = [this](int64_t t, int64_t* busy_at) {
    if (WorldStopping(t)) {
      // Until the loop reaches its preemption check, which the model learns
      // only then (LeaveLoopWithoutSafePoint wakes sysmon).
      *busy_at = std::numeric_limits<int64_t>::max();
      return true;
    }
    *busy_at = busy_at_;
    return idle_;
  };
  actions_.last_gc = [this] { return rt_->gc().last_gc_ns(); };
  if (gctrace_ != nullptr && *gctrace_) {
    // The line gc(mode) prints at the end of every cycle under gctrace
    // (Go 1.5 mgc.go), runtimeInitTime being the runtime's start.
    rt_->gc().set_on_cycle([this](const GcCycle& c) {
      (*gctrace_)(GcLine(c, start_ns_, rt_->gomaxprocs()));
    });
  }
  actions_.force_gc = [this] {
    // While a forced GC waits for the world to stop, forcegchelper cannot
    // run again (the stopping world holds the idle Ps), so nothing prints;
    // nor is forcegc.g readied again while it waits in the run queue
    // (sysmon tests forcegc.idle), nor after it readied the GC goroutine
    // until it runs once more.
    if (gc_waits_for_safe_point_ || forcegc_ahead_ >= 0 || forcegc_yield_ahead_ >= 0 ||
        forcegc_waits_for_p_ || forcegc_yielded_for_p_ || forcegc_after_world_) {
      return;
    }
    if (world_stopped_) {
      forcegc_after_world_ = true;
      return;
    }
    if (runq_reported_) {
      forcegc_ahead_ = global_runq_;  // injectglist: onto the tail
      return;
    }
    if (every_p_busy_) {
      forcegc_waits_for_p_ = true;  // until a preempted P takes it
      return;
    }
    RunForcedGc();
  };
  actions_.retake = [this](int64_t now) { Retake(now); };
  actions_.every_p_busy = [this] { return every_p_busy_; };
  actions_.after_round = [this](int64_t) {
    if (preempting_) SchedulePreempted();
  };
  actions_.scavenge = [this](int32_t k, uint64_t now, uint64_t limit) {
    ScavengeOrWaitForSweep(k, now, limit);
  };
}

void Go15HeapRuntime::Scavenge(int32_t k, uint64_t now, uint64_t limit) {
  HeapScavenge(rt_->heap(), k, now, limit, gctrace_);
  if (on_scavenge_) on_scavenge_();
}

void Go15HeapRuntime::ScavengeOrWaitForSweep(int32_t k, uint64_t now, uint64_t limit) {
  // A pass still waiting takes the lock first (sysmon cannot have two).
  TakeLockAfterSweep(idle_, /*now_anyway=*/true);
  // Not while bgsweep waits for the GC goroutine's thread (ParkDelay): no
  // span is being freed, and sysmon's thread is not behind the sweeper's.
  if (SweepsOnIdleP(idle_) && !rt_->gc().GcGoroutineWorking()) {
    ++due_in_sweep_;
    if (Draws(kSweepPassesPerLateClock)) {
      waiting_pass_ = WaitingPass{k, now, limit, /*reads_clock_late=*/true};
      return;
    }
    ++passes_in_sweep_;
    if (Draws(kMidSweepPassesPerLockWait)) {
      ++sweep_lock_waits_;
      waiting_pass_ = WaitingPass{k, now, limit, /*reads_clock_late=*/false};
      return;
    }
  }
  Scavenge(k, now, limit);
}

bool Go15HeapRuntime::Draws(int64_t one_in) {
  return sweep_wait_draws_.NextUnit() * static_cast<double>(one_in) < 1.0;
}

void Go15HeapRuntime::TakeLockAfterSweep(bool idle, bool now_anyway) {
  if (!waiting_pass_.has_value() || (!now_anyway && SweepsOnIdleP(idle))) return;
  const WaitingPass p = *waiting_pass_;
  waiting_pass_.reset();
  Scavenge(p.k, p.reads_clock_late ? static_cast<uint64_t>(rt_->heap().clock().NanoTime()) : p.now,
           p.limit);
}

int64_t Go15HeapRuntime::ParkDelay() {
  if (every_p_busy_ || rt_->gomaxprocs() < 2) return 0;
  if (++cycle_ends_ % kCycleEndsPerParkStall != 0) return 0;
  return kParkStallsNs[park_stalls_++ % static_cast<int64_t>(std::size(kParkStallsNs))];
}

void Go15HeapRuntime::RunForcedGc() {
  if (gctrace_ != nullptr && *gctrace_) (*gctrace_)("GC forced");
  if (in_loop_without_safe_point_) {
    // startGC finds bggc.working while a cycle runs (one waiting for the
    // program's preemption check included) and starts none.
    if (!rt_->gc().marking()) gc_waits_for_safe_point_ = true;
    return;
  }
  rt_->gc().StartGC(GcMode::kBackground, /*force_trigger=*/true);
}

void Go15HeapRuntime::GlobalRunqPut(int64_t n) {
  runq_reported_ = true;
  global_runq_ += n;
}

bool Go15HeapRuntime::TakesQueuedG(int64_t* ahead, int64_t n) {
  // With a runtime g queued the P finds the queue non-empty even where the
  // workload's own queue was empty, and takes it once every g ahead of it
  // has gone.
  if (*ahead < n || n == 0) {
    *ahead = -1;
    return true;
  }
  *ahead -= n;
  return false;
}

void Go15HeapRuntime::GlobalRunqGet(int p, int64_t n) {
  (void)p;
  runq_reported_ = true;
  global_runq_ = n < global_runq_ ? global_runq_ - n : 0;
  // A runtime g queued there (forcegc.g, bgsweep) is taken once every g
  // ahead of it has gone.
  if (forcegc_yield_ahead_ >= 0) {
    // forcegc.g parks again (forcegc.idle = 1): sysmon may ready it anew.
    TakesQueuedG(&forcegc_yield_ahead_, n);
  } else if (forcegc_ahead_ >= 0 && TakesQueuedG(&forcegc_ahead_, n)) {
    RunForcedGc();
    // startGC readied the GC goroutine and yields: forcegc.g goes to the
    // tail, behind what this look left queued.
    forcegc_yield_ahead_ = global_runq_;
  }
  if (bgsweep_ahead_ >= 0 && TakesQueuedG(&bgsweep_ahead_, n)) BgSweepTurn();
}

void Go15HeapRuntime::BgSweepTurn() {
  GcModel& gc = rt_->gc();
  // During a cycle's concurrent phase nothing is unswept (gc() finished the
  // sweep before it scanned): sweepone finds nothing and bgsweep parks.
  if (gc.has_claim()) {
    gc.SweepClaimed();  // the span it held on the idle P
  } else if (gc.sweepdone() || gc.SweepOne() == ~uintptr_t{0}) {
    bgsweep_parked_ = true;
    return;
  }
  // Gosched: onto the global queue's tail.
  if (every_p_busy_) {
    bgsweep_waits_for_p_ = true;
    return;
  }
  bgsweep_ahead_ = global_runq_;
}

void Go15HeapRuntime::WaitForWorldsema(const std::function<void(int64_t)>& set_clock) {
  GcModel& gc = rt_->gc();
  // The caller is at a preemption check: a scan that waited for it runs.
  if (gc.program_scan_pending()) gc.ScanProgramStack();
  if (gc.marking() && gc.mark_end_ns() > rt_->heap().clock().NanoTime()) {
    RunUntil(gc.mark_end_ns(), /*idle=*/false, set_clock);
  }
  if (gc.marking()) gc.FinishMark();  // every P busy: it ends here
  // Its stopped world too (GcModel::FinishMark) before worldsema is free.
  if (const int64_t stopped = gc.TakeStoppedNs(); stopped > 0) {
    RunUntil(rt_->heap().clock().NanoTime() + stopped, /*idle=*/false, set_clock);
  }
}

int64_t Go15HeapRuntime::WaitForMark(const std::function<void(int64_t)>& set_clock) {
  GcModel& gc = rt_->gc();
  if (!gc.program_waits_for_mark()) return 0;
  const int64_t from = rt_->heap().clock().NanoTime();
  if (gc.mark_end_ns() <= from) {
    // Its time ran out already: it terminates at the allocation (the
    // stopped world then passes in RunUntil).
    gc.FinishMark();
    RunUntil(from, /*idle=*/false, set_clock);
  } else {
    RunUntil(gc.mark_end_ns(), /*idle=*/false, set_clock);
  }
  THP_CHECK(!gc.program_waits_for_mark(),
            "WaitForMark: the mark did not end by its time (every P busy, or no safe point)");
  return rt_->heap().clock().NanoTime() - from;
}

int64_t Go15HeapRuntime::GC(const std::function<void(int64_t)>& set_clock) {
  GcModel& gc = rt_->gc();
  const int64_t called = rt_->heap().clock().NanoTime();
  TakeLockAfterSweep(/*idle=*/false, /*now_anyway=*/true);
  if (forcegc_ahead_ >= 0) {
    forcegc_ahead_ = -1;
    RunForcedGc();
  }
  forcegc_yield_ahead_ = -1;
  runq_reported_ = false;
  global_runq_ = 0;
  if (gc.gcpercent() < 0) return 0;  // GOGC=off: startGC runs no cycle
  WaitForWorldsema(set_clock);
  // The stopped world: sysmon's rounds in it sleep on the note to its end,
  // and the round it wakes to comes after the cycle (the next RunUntil).
  const int64_t stopped = rt_->heap().clock().NanoTime();
  const int64_t restart = stopped + gc.CycleNs(GcMode::kForceBlock);
  idle_ = true;
  busy_at_ = restart;
  world_stopped_ = true;  // bgsweep does not run either
  sysmon_.RunUntil(restart - 1, actions_, set_clock);
  world_stopped_ = false;
  idle_ = false;
  set_clock(restart);
  // gcForceBlockMode sweeps everything; bgsweep, wherever it waited, finds
  // nothing and parks.
  bgsweep_ahead_ = -1;
  bgsweep_parked_ = true;
  gc.ForceBlockingGC(stopped);
  // sysmon sleeps on its note while the world is stopped (go1.5.1 proc1.go
  // sysmon: sched.gcwaiting), but for maxsleep at most; a cycle longer than
  // that lets it run a round inside the stopped world, whose forcegc test
  // may ready forcegchelper. That runs once the world restarts, and its
  // startGC starts a background cycle (mgc.go forcegchelper).
  if (forcegc_after_world_) {
    forcegc_after_world_ = false;
    RunForcedGc();
  }
  return restart - called;
}

int64_t Go15HeapRuntime::ReadMemStats(const std::function<void(int64_t)>& set_clock) {
  const int64_t called = rt_->heap().clock().NanoTime();
  TakeLockAfterSweep(/*idle=*/false, /*now_anyway=*/true);
  WaitForWorldsema(set_clock);
  rt_->ReadMemStats();
  return rt_->heap().clock().NanoTime() - called;
}

int64_t Go15HeapRuntime::FreeOSMemory(const std::function<void(int64_t)>& set_clock) {
  const int64_t waited = GC(set_clock);
  HeapScavengeAll(rt_->heap(), gctrace_);
  return waited;
}

bool Go15HeapRuntime::MarkRanOutBy(int64_t t) const {
  const GcModel& gc = rt_->gc();
  return gc.marking() && gc.mark_end_ns() <= t;
}

bool Go15HeapRuntime::MarkTerminatesBy(int64_t t) const {
  return MarkRanOutBy(t) && !every_p_busy_ && !in_loop_without_safe_point_;
}

int64_t Go15HeapRuntime::RunUntil(int64_t until, bool idle,
                                  const std::function<void(int64_t)>& set_clock) {
  idle_ = idle;
  busy_at_ = until;
  // A cycle's concurrent phase ends on the clock, in time order with
  // sysmon's actions: before any action at or after its end, and before
  // `until` when it ends by then.
  GcModel& gc = rt_->gc();
  // The program's work before this step may have finished the sweep.
  TakeLockAfterSweep(idle, /*now_anyway=*/false);
  auto finish_marks_due = [this, &gc, &set_clock](int64_t t) {
    if (MarkTerminatesBy(t)) {
      set_clock(gc.mark_end_ns());
      gc.FinishMark();
    }
  };
  for (;;) {
    sysmon_.RunUntil(until, actions_, [&](int64_t t) {
      finish_marks_due(t);
      // bgsweep's spans freed before sysmon's round are free when it looks.
      SweepOnIdleP(t, idle, set_clock);
      set_clock(t);
    });
    finish_marks_due(until);
    // Mark termination's stopped world: a computing program's work up to
    // `until` waits as long; a sleeping one wakes once the world restarts.
    const int64_t stopped = gc.TakeStoppedNs();
    if (stopped == 0) break;
    until = idle ? std::max(until, gc.last_gc_ns()) : until + stopped;
    busy_at_ = until;
  }
  SweepOnIdleP(until, idle, set_clock);
  set_clock(until);
  idle_ = false;
  SweepInBackground(until, idle);
  if (LeavesAPIdle(idle)) {
    // A P the program leaves idle schedules within the step (bgsweep's
    // Gosched after each span, or the wakep of a ready): its findrunnable
    // readies the finalizer goroutine, which runs what the sweep queued.
    gc.RunFinalizers();
  }
  return until;
}

void Go15HeapRuntime::SweepInBackground(int64_t until, bool idle) {
  GcModel& gc = rt_->gc();
  if (every_p_busy_) {
    // No P is idle: bgsweep runs only when a preempted P takes it from the
    // global queue (SchedulePreempted), a span a turn.
    bgsweep_at_ = until;
    return;
  }
  if (runq_reported_) {
    // Every P runs the workload's goroutines: bgsweep runs only when a P
    // takes it from a run queue. gcSweep readies it (ready: the P's
    // runnext) as the cycle ends; it sweeps one span there, then Goscheds
    // onto the global queue's tail, where it waits its turn
    // (GlobalRunqGet).
    bgsweep_at_ = until;
    if (bgsweep_parked_ && !gc.sweepdone() && until >= gc.bggc_parks_ns()) {
      bgsweep_parked_ = false;
      BgSweepTurn();
    }
    return;
  }
  if (gc.sweepdone()) {
    // Nothing left: bgsweep parks until the next cycle's gcSweep.
    bgsweep_parked_ = true;
    bgsweep_ahead_ = -1;
    bgsweep_at_ = until;
    return;
  }
  if (rt_->gomaxprocs() == 1 && !idle) {
    // On one P the program's goroutine keeps it: bgsweep, on the global
    // queue after its first span, runs again only when that goroutine
    // blocks or is preempted, and the allocations' own sweeping does the
    // rest. Its time is not banked.
    bgsweep_at_ = until;
    return;
  }
  // The P the program leaves idle: bgsweep swept there up to `until`
  // already (SweepOnIdleP, which set its state), the span whose time runs
  // past `until` still claimed.
}

bool Go15HeapRuntime::LeavesAPIdle(bool idle) const {
  return ProgramRunsAlone() && (rt_->gomaxprocs() > 1 || idle);
}

bool Go15HeapRuntime::SweepsOnIdleP(bool idle) const {
  return !world_stopped_ && !rt_->gc().sweepdone() && LeavesAPIdle(idle);
}

void Go15HeapRuntime::SweepOnIdleP(int64_t until, bool idle,
                                   const std::function<void(int64_t)>& set_clock) {
  if (!SweepsOnIdleP(idle)) return;
  GcModel& gc = rt_->gc();
  // bgsweep, Go 1.5, is readied by gcSweep as the cycle ends (after mark
  // termination) and, on the P the program leaves idle, sweeps one span
  // after another: each span it frees takes GcModel::BgSweepNs, and goes back
  // to the heap at the end of that time on the clock (mHeap_FreeSpanLocked
  // stamps unusedsince with nanotime then), never before the clock's
  // present; a span it keeps takes no time of its own (mgc.h). A span
  // whose time ends past `until` stays claimed until a later call.
  bgsweep_ahead_ = -1;
  bgsweep_parked_ = false;
  int64_t from = bgsweep_at_;
  if (!gc.cycles().empty()) from = std::max(from, gc.cycles().back().end_ns);
  // Readied into the GC goroutine's P, it runs once that goroutine parks.
  from = std::max(from, gc.bggc_parks_ns());
  const int64_t present = rt_->heap().clock().NanoTime();
  for (;;) {
    const MSpan* s = gc.ClaimSweepOne();
    if (s == nullptr) break;  // nothing left to sweep
    const int64_t done = gc.SweepFreesSpan(*s) ? from + gc.BgSweepNs(*s) : from;
    if (done > until) break;
    set_clock(std::max(present, done));
    gc.SweepClaimed();
    from = done;
  }
  if (gc.sweepdone()) {
    bgsweep_at_ = std::max(from, until);
    bgsweep_parked_ = true;
    // sysmon, if it waited, takes the lock now: the sweeper's last
    // sweepone found nothing left, right after its last span.
    TakeLockAfterSweep(idle, /*now_anyway=*/false);
  } else {
    bgsweep_at_ = std::max(bgsweep_at_, from);
  }
}

int64_t Go15HeapRuntime::SchedTicks() const {
  const GcModel& gc = rt_->gc();
  return preemptions_ + static_cast<int64_t>(gc.cycles_started() + gc.cycles().size());
}

void Go15HeapRuntime::Retake(int64_t now) {
  // go1.5.1 proc1.go retake, for a P in _Prunning: forcePreemptNS.
  constexpr int64_t kForcePreemptNs = 10 * 1000 * 1000;
  if (!every_p_busy_) return;
  const int64_t ticks = SchedTicks();
  if (ticks != seen_schedticks_) {
    seen_schedticks_ = ticks;
    schedwhen_ = now;
    return;
  }
  if (schedwhen_ + kForcePreemptNs <= now) preempting_ = true;
}

void Go15HeapRuntime::SchedulePreempted() {
  preempting_ = false;
  ++preemptions_;
  RunWhatWaitsForAP();
}

void Go15HeapRuntime::RunWhatWaitsForAP() {
  GcModel& gc = rt_->gc();
  // forcegchelper, back from startGC, sets forcegc.idle and parks.
  forcegc_yielded_for_p_ = false;
  // The GC goroutine: mark termination (at the clock's time: sysmon's
  // round, or the loop's end), which readies bgsweep in turn.
  if (gc.marking() && gc.mark_end_ns() <= rt_->heap().clock().NanoTime()) gc.FinishMark();
  // The P schedules with its own queue empty: findrunnable readies the
  // finalizer goroutine, woken by queuefinalizer, and it runs next.
  gc.RunFinalizers();
  if (every_p_busy_) {
    // A span, then back to the global queue (once the loop ends, bgsweep
    // has the idle P's time instead: SweepInBackground).
    if (bgsweep_waits_for_p_) {
      bgsweep_waits_for_p_ = false;
      BgSweepTurn();
    } else if (bgsweep_parked_ && !gc.sweepdone()) {
      bgsweep_parked_ = false;
      BgSweepTurn();
    }
  }
  if (forcegc_waits_for_p_) {
    forcegc_waits_for_p_ = false;
    // startGC readies the GC goroutine and yields, unless a cycle runs
    // (bggc.working): then forcegchelper parks at once. With a P free, it
    // runs again and parks at once.
    const size_t started = gc.cycles_started();
    RunForcedGc();
    forcegc_yielded_for_p_ = every_p_busy_ && gc.cycles_started() != started;
  }
}

void Go15HeapRuntime::EnterLoopKeepingEveryPBusy() {
  every_p_busy_ = true;
  seen_schedticks_ = -1;
  preempting_ = false;
}

void Go15HeapRuntime::LeaveLoopKeepingEveryPBusy() {
  every_p_busy_ = false;
  preempting_ = false;
  // The loop's goroutines are done: the Ps schedule, and what waited runs.
  RunWhatWaitsForAP();
  // bgsweep goes back to the idle P's time from here (SweepInBackground).
  bgsweep_waits_for_p_ = false;
  bgsweep_at_ = rt_->heap().clock().NanoTime();
}

void Go15HeapRuntime::EnterLoopWithSafePointsAtAllocs() {
  rt_->gc().set_scan_program_at_safe_point(true);
  EnterLoopWithoutSafePoint();
}

void Go15HeapRuntime::LeaveLoopWithSafePointsAtAllocs() {
  LeaveLoopWithoutSafePoint();
  rt_->gc().set_scan_program_at_safe_point(false);
}

bool Go15HeapRuntime::WorldStopping(int64_t t) const {
  return in_loop_without_safe_point_ && (gc_waits_for_safe_point_ || MarkRanOutBy(t));
}

void Go15HeapRuntime::LeaveLoopWithoutSafePoint() {
  const bool world_was_stopping = WorldStopping(rt_->heap().clock().NanoTime());
  in_loop_without_safe_point_ = false;
  // gcscan_m's scan of the program's stack, waiting since the cycle
  // started, happens at this preemption check: the mark starts now.
  if (rt_->gc().program_scan_pending()) rt_->gc().ScanProgramStack();
  // A mark whose time ran out meanwhile terminates here (its stopped world
  // waited for the program), before the GC sysmon forced can start.
  if (MarkTerminatesBy(rt_->heap().clock().NanoTime())) rt_->gc().FinishMark();
  if (gc_waits_for_safe_point_) {
    // The GC sysmon forced during the loop stops the world at its end.
    gc_waits_for_safe_point_ = false;
    rt_->gc().StartGC(GcMode::kBackground, /*force_trigger=*/true);
  }
  // The world restarts (after sweep termination, or after mark termination,
  // which the model does at once) and wakes sysmon from its note.
  if (world_was_stopping) sysmon_.NoteWakeup(rt_->heap().clock().NanoTime());
}

HeapFigures Go15HeapRuntime::Figures() const {
  const MemStats& m = rt_->heap().stats();
  HeapFigures f;
  f.heap_sys = m.heap_sys;
  f.heap_inuse = m.heap_inuse;
  f.heap_released = m.heap_released;
  f.gc_cycles = m.numgc;
  f.scavenge_passes = sysmon_.scavenges();
  return f;
}

}  // namespace thp
