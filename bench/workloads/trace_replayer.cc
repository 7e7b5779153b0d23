#include "bench/workloads/trace_replayer.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace {

// While it lives, the runtime allocates as `e` (an alloc) is marked: on
// the system stack (systemstack), and storing the new pointer through a
// write barrier (writebarrier), setting a finalizer on it (finalizer).
class AllocFlagsOf {
 public:
  AllocFlagsOf(HeapRuntime& rt, const TraceEvent& e)
      : rt_(rt),
        system_stack_(e.system_stack),
        write_barrier_(e.write_barrier),
        finalizer_(e.finalizer),
        chain_(e.chain) {
    if (system_stack_) rt_.EnterSystemStack();
    if (write_barrier_) rt_.EnterWriteBarrierStores();
    if (finalizer_) rt_.EnterFinalizerAllocs();
    if (chain_) rt_.EnterChainLinks();
  }
  ~AllocFlagsOf() {
    if (chain_) rt_.LeaveChainLinks();
    if (finalizer_) rt_.LeaveFinalizerAllocs();
    if (write_barrier_) rt_.LeaveWriteBarrierStores();
    if (system_stack_) rt_.LeaveSystemStack();
  }
  AllocFlagsOf(const AllocFlagsOf&) = delete;
  AllocFlagsOf& operator=(const AllocFlagsOf&) = delete;

 private:
  HeapRuntime& rt_;
  const bool system_stack_;
  const bool write_barrier_;
  const bool finalizer_;
  const bool chain_;
};

// A loop that may be streamed (CheckTrace, RunStream): one iteration, with
// safe points everywhere, not keeping every P busy and never moving
// between the Ps (a held body is what ApplyLoop's flags need).
bool IsStreamableLoop(const TraceEvent& loop) {
  return loop.id == 1 && !loop.no_safe_point && !loop.alloc_safe_points && !loop.every_p_busy &&
         loop.p_move == 0;
}

bool IsMove(const TraceEvent& e) { return e.kind == TraceEvent::kMove; }
bool IsGoExit(const TraceEvent& e) { return e.kind == TraceEvent::kGoExit; }

}  // namespace

absl::StatusOr<std::unique_ptr<TraceReplayer>> TraceReplayer::Create(
    Kernel& kernel, const RuntimeOptions& options, bool scavenge_debug, const GcTraceWriter* gctrace,
    bool vma_census, HeapKind heap, const GcTraceWriter* scavtrace) {
  auto clock = std::make_unique<VirtualClock>(kReplayStartNs);
  const VirtualClock* c = clock.get();
  std::unique_ptr<CensusKernel> census;
  if (vma_census) {
    census = std::make_unique<CensusKernel>(kernel, [c] { return c->NanoTime(); });
    census->Observe();
  }
  Kernel& k = census != nullptr ? *census : kernel;
  if (heap == HeapKind::kGo121) {
    go121::RuntimeOptions o;
    o.variant = options.variant;
    o.gogc = options.gogc;
    o.gomaxprocs = options.gomaxprocs;
    o.gomemlimit = options.gomemlimit;
    o.touch_memory = options.touch_memory;
    o.map_noreserve = options.map_noreserve;
    o.mem_observer = options.mem_observer;
    absl::StatusOr<std::unique_ptr<go121::Runtime>> rt = go121::Runtime::Create(k, *clock, o);
    if (!rt.ok()) return rt.status();
    const int64_t start_ns = clock->NanoTime();
    return std::unique_ptr<TraceReplayer>(
        new TraceReplayer(std::move(census), std::move(clock),
                          std::make_unique<Go121HeapRuntime>(*std::move(rt), start_ns, gctrace,
                                                             scavtrace),
                          options.gomaxprocs));
  }
  absl::StatusOr<std::unique_ptr<Runtime>> rt = Runtime::Create(k, *clock, options);
  if (!rt.ok()) return rt.status();
  auto go15 = std::make_unique<Go15HeapRuntime>(*std::move(rt), clock->NanoTime(), scavenge_debug,
                                                gctrace, options.sweep_wait_seed);
  Go15HeapRuntime* go15_ptr = go15.get();
  std::unique_ptr<TraceReplayer> r(
      new TraceReplayer(std::move(census), std::move(clock), std::move(go15), options.gomaxprocs));
  r->go15_ = go15_ptr;
  return r;
}

TraceReplayer::TraceReplayer(std::unique_ptr<CensusKernel> census,
                             std::unique_ptr<VirtualClock> clock, std::unique_ptr<HeapRuntime> rt,
                             int gomaxprocs)
    : census_(std::move(census)), clock_(std::move(clock)), rt_(std::move(rt)),
      gomaxprocs_(gomaxprocs) {
  start_ns_ = clock_->NanoTime();
}

Runtime& TraceReplayer::runtime() {
  THP_CHECK(go15_ != nullptr, "TraceReplayer::runtime(): the replayer does not run the Go 1.5 heap");
  return go15_->runtime();
}

const Sysmon& TraceReplayer::sysmon() const {
  THP_CHECK(go15_ != nullptr, "TraceReplayer::sysmon(): the replayer does not run the Go 1.5 heap");
  return go15_->sysmon();
}

const Go15HeapRuntime& TraceReplayer::go15() const {
  THP_CHECK(go15_ != nullptr, "TraceReplayer::go15(): the replayer does not run the Go 1.5 heap");
  return *go15_;
}

const CensusKernel& TraceReplayer::census() const {
  THP_CHECK(census_ != nullptr, "TraceReplayer::census() of a replayer made without one");
  return *census_;
}

ReplayStats TraceReplayer::stats() const {
  // The census kernel counted after every kernel call; the clock has the time.
  ReplayStats s;
  s.events = events_;
  if (census_ != nullptr) {
    s.max_vmas = census_->max_process();
    s.final_vmas = census_->current().process;
    s.max_own_vmas = census_->max_own();
    s.final_own_vmas = census_->current().own;
  }
  s.virtual_ns = clock_->NanoTime() - start_ns_;
  return s;
}

void TraceReplayer::Advance(int64_t ns, bool idle) {
  const int64_t until = rt_->RunUntil(clock_->NanoTime() + ns, idle, SetClock());
  clock_->Set(until);
}

std::function<void(int64_t)> TraceReplayer::SetClock() {
  return [this](int64_t t) { clock_->Set(t); };
}

int64_t TraceReplayer::StopTheWorld(const TraceEvent& e) {
  switch (e.kind) {
    case TraceEvent::kGc:
      return rt_->GC(SetClock());
    case TraceEvent::kFreeOsMemory:
      return rt_->FreeOSMemory(SetClock());
    case TraceEvent::kReadMemStats:
      return rt_->ReadMemStats(SetClock());
    default:
      THP_CHECK(false, absl::StrCat("StopTheWorld: ", FormatTraceEvent(e), " stops no world"));
      return 0;
  }
}

absl::StatusOr<size_t> TraceReplayer::RunningGoroutine(const TraceEvent& e,
                                                        absl::string_view op) const {
  auto it = goroutines_.find(e.id);
  if (it == goroutines_.end()) {
    return absl::NotFoundError(absl::StrCat(op, " ", e.id, ": no running goroutine has that id"));
  }
  return it->second;
}

absl::Status TraceReplayer::Apply(const TraceEvent& e) {
  absl::Status st = ApplyEvent(e);
  // Outside a loop no busy time is pending: the program waits at once.
  if (st.ok()) WaitForMark(nullptr);
  return st;
}

absl::Status TraceReplayer::ApplyEvent(const TraceEvent& e) {
  if (e.kind != TraceEvent::kBench) ++events_;  // a label is not a heap event
  switch (e.kind) {
    case TraceEvent::kAlloc: {
      if (objects_.contains(e.id)) {
        return absl::InvalidArgumentError(absl::StrCat("alloc ", e.id, ": id already live"));
      }
      AllocFlagsOf flags(*rt_, e);
      absl::StatusOr<uintptr_t> x = rt_->Allocate(e.bytes, e.noscan, e.p);
      if (!x.ok()) return x.status();
      objects_[e.id] = *x;
      break;
    }
    case TraceEvent::kDrop: {
      auto it = objects_.find(e.id);
      if (it == objects_.end()) {
        return absl::NotFoundError(absl::StrCat("drop ", e.id, ": no live object has that id"));
      }
      absl::Status st = rt_->Drop(it->second);
      if (!st.ok()) return st;
      objects_.erase(it);
      break;
    }
    case TraceEvent::kStack: {
      if (stacks_.contains(e.id)) {
        return absl::InvalidArgumentError(absl::StrCat("stack ", e.id, ": id already live"));
      }
      absl::StatusOr<uintptr_t> lo = rt_->NewStack(e.bytes, e.p);
      if (!lo.ok()) return lo.status();
      stacks_[e.id] = *lo;
      break;
    }
    case TraceEvent::kUnstack: {
      auto it = stacks_.find(e.id);
      if (it == stacks_.end()) {
        return absl::NotFoundError(absl::StrCat("unstack ", e.id, ": no live stack has that id"));
      }
      absl::Status st = rt_->FreeStack(it->second, e.p);
      if (!st.ok()) return st;
      stacks_.erase(it);
      break;
    }
    case TraceEvent::kSudog: {
      if (sudogs_.contains(e.id)) {
        return absl::InvalidArgumentError(absl::StrCat("sudog ", e.id, ": id already held"));
      }
      absl::StatusOr<uintptr_t> s = rt_->AcquireSudog(e.p);
      if (!s.ok()) return s.status();
      sudogs_[e.id] = *s;
      break;
    }
    case TraceEvent::kUnsudog: {
      auto it = sudogs_.find(e.id);
      if (it == sudogs_.end()) {
        return absl::NotFoundError(absl::StrCat("unsudog ", e.id, ": no held sudog has that id"));
      }
      absl::Status st = rt_->ReleaseSudog(it->second, e.p);
      if (!st.ok()) return st;
      sudogs_.erase(it);
      break;
    }
    case TraceEvent::kGo: {
      if (goroutines_.contains(e.id)) {
        return absl::InvalidArgumentError(absl::StrCat("go ", e.id, ": id already running"));
      }
      absl::StatusOr<size_t> g = rt_->NewGoroutine(e.p);
      if (!g.ok()) return g.status();
      goroutines_[e.id] = *g;
      break;
    }
    case TraceEvent::kGoGrow: {
      absl::StatusOr<size_t> g = RunningGoroutine(e, "gogrow");
      if (!g.ok()) return g.status();
      if (absl::Status st = rt_->GrowGoroutine(*g, e.bytes, e.p); !st.ok()) return st;
      break;
    }
    case TraceEvent::kGoUse: {
      absl::StatusOr<size_t> g = RunningGoroutine(e, "gouse");
      if (!g.ok()) return g.status();
      const absl::Status st =
          e.ns > 0 ? rt_->SetGoroutineStackRamp(*g, e.bytes, e.ns, e.frame_bytes, e.p)
                   : rt_->SetGoroutineStackUse(*g, e.bytes, e.frame_bytes, e.p);
      if (!st.ok()) return st;
      break;
    }
    case TraceEvent::kGoExit: {
      absl::StatusOr<size_t> g = RunningGoroutine(e, "goexit");
      if (!g.ok()) return g.status();
      if (absl::Status st = rt_->ExitGoroutine(*g, e.p); !st.ok()) return st;
      goroutines_.erase(e.id);
      break;
    }
    case TraceEvent::kGlobRunqPut:
      rt_->GlobalRunqPut(static_cast<int64_t>(e.id));
      break;
    case TraceEvent::kGlobRunqGet:
      rt_->GlobalRunqGet(e.p, static_cast<int64_t>(e.id));
      break;
    case TraceEvent::kNewM:
      rt_->ArmNewM(static_cast<int>(e.id), e.at_cycle_end);
      break;
    case TraceEvent::kGc:
    case TraceEvent::kFreeOsMemory:
    case TraceEvent::kReadMemStats:
      StopTheWorld(e);
      break;
    case TraceEvent::kCompute: {
      // Work without a preemption point (copystack): a GC forced, or a mark
      // that runs out, during it stops the world at its end. Inside a
      // nosafepoint loop it already is.
      const bool enter = e.no_safe_point && !in_loop_without_safe_point_;
      if (enter) rt_->EnterLoopWithoutSafePoint();
      Advance(e.ns, /*idle=*/false);
      if (enter) rt_->LeaveLoopWithoutSafePoint();
      break;
    }
    case TraceEvent::kSleep:
      Advance(e.ns, /*idle=*/true);
      break;
    case TraceEvent::kRetain: {
      auto it = objects_.find(e.id);
      if (it == objects_.end()) {
        return absl::NotFoundError(absl::StrCat("retain ", e.id, ": no live object has that id"));
      }
      retained_.push_back(it->second);
      objects_.erase(it);
      NoteRetained(/*held=*/false);
      break;
    }
    case TraceEvent::kRelease:
      if (e.id > 0) return ReleaseLast(e.id);
      for (uintptr_t x : retained_) {
        if (absl::Status st = rt_->Drop(x); !st.ok()) return st;
      }
      retained_.clear();
      rt_->DropHeldTo(0);
      retain_order_.clear();
      break;
    case TraceEvent::kBench:
      assist_ = AssistWaits{};  // a benchmark's ops repay its own waits
      break;
    case TraceEvent::kLoop:
    case TraceEvent::kEnd:
      return absl::InvalidArgumentError("loop and end are applied by Run, not Apply");
    case TraceEvent::kMove:
      return absl::InvalidArgumentError("move marks where a pmove loop's goroutine moves; "
                                        "ApplyLoop reads it, Apply does not");
  }
  return absl::OkStatus();
}

TraceReplayer::LoopClock TraceReplayer::MakeLoopClock(int64_t ns_per_iteration,
                                                     int64_t work) const {
  // The iteration's busy time is spread after its alloc, stack and go
  // events, `work` units in all (LoopWork: one each unless an alloc states
  // more; all of it at the end if it has none), and reaches sysmon in
  // slices of at most loop_slice_ns_, ending on a grid (slice_left).
  LoopClock c;
  c.per_work = work == 0 ? 0 : ns_per_iteration / work;
  c.at_end = ns_per_iteration - c.per_work * work;
  c.slice_left = loop_slice_ns_;
  return c;
}

bool TraceReplayer::SliceEnds(LoopClock& c, int64_t ns) const {
  c.slice_left -= ns;
  if (c.slice_left > 0) return false;
  // Past one or more grid points: the next is the first one ahead.
  c.slice_left = loop_slice_ns_ - (-c.slice_left) % loop_slice_ns_;
  return true;
}

void TraceReplayer::FlushLoopTime(LoopClock& c) {
  if (c.pending > 0) Advance(c.pending, /*idle=*/false);
  c.pending = 0;
}

void TraceReplayer::FlushBeforeRacingRefill(const TraceEvent& alloc, LoopClock& c) {
  if (c.pending > 0 && rt_->AllocRacesSweeper(alloc.bytes, alloc.noscan, alloc.p)) {
    FlushLoopTime(c);
  }
}

absl::Status TraceReplayer::ApplyLoopStep(const TraceEvent& e, Fast fast, LoopClock& c) {
  if (StopsTheWorld(e) || e.kind == TraceEvent::kSleep || e.kind == TraceEvent::kCompute) {
    FlushLoopTime(c);
  }
  if (e.kind == TraceEvent::kAlloc) FlushBeforeRacingRefill(e, c);
  if (fast == Fast::kTransient) {
    AllocFlagsOf flags(*rt_, e);
    if (absl::Status st = rt_->AllocateTransient(e.bytes, e.noscan, e.p); !st.ok()) return st;
    events_ += 2;
  } else if (fast == Fast::kRetained) {
    // Retained objects stay on the runtime's held stack until the release.
    AllocFlagsOf flags(*rt_, e);
    if (absl::Status st = rt_->AllocateHeld(e.bytes, e.noscan, e.p); !st.ok()) return st;
    NoteRetained(/*held=*/true);
    events_ += 2;
  } else if (StopsTheWorld(e)) {
    // The time it waited is the op's, out of its busy time.
    ++events_;
    c.waited += StopTheWorld(e);
  } else if (in_loop_with_safe_points_at_allocs_ && e.kind == TraceEvent::kAlloc &&
             !e.system_stack) {
    // The time since the last one passes without a preemption point; the
    // alloc's call checks for one (mallocgc's prologue), and the time after
    // it has none again.
    FlushLoopTime(c);
    rt_->LeaveLoopWithoutSafePoint();
    absl::Status st = ApplyEvent(e);
    if (st.ok()) WaitForMark(&c);  // gcAssistAlloc's sleep is preemptible
    rt_->EnterLoopWithoutSafePoint();
    if (!st.ok()) return st;
  } else if (absl::Status st = ApplyEvent(e); !st.ok()) {
    return st;
  }
  // An allocation that left the program waiting for the mark: the ops
  // before it take their time first, its own after the wait.
  WaitForMark(&c);
  if (IsLoopWork(e)) AddLoopTime(c, c.per_work * LoopWork(e));
  return absl::OkStatus();
}

void TraceReplayer::NoteRetained(bool held) {
  if (retain_order_.empty() || retain_order_.back().first != held) {
    retain_order_.emplace_back(held, 0);
  }
  ++retain_order_.back().second;
}

absl::Status TraceReplayer::ReleaseLast(uint64_t n) {
  uint64_t retained = 0;
  for (const auto& [held, count] : retain_order_) retained += count;
  if (n > retained) {
    return absl::FailedPreconditionError(
        absl::StrCat("release ", n, ": only ", retained, " objects are retained"));
  }
  while (n > 0) {
    auto& [held, count] = retain_order_.back();
    const uint64_t take = std::min(n, count);
    if (held) {
      rt_->DropHeldTo(rt_->held_height() - static_cast<size_t>(take));
    } else {
      for (uint64_t k = 0; k < take; ++k) {
        if (absl::Status st = rt_->Drop(retained_.back()); !st.ok()) return st;
        retained_.pop_back();
      }
    }
    count -= take;
    n -= take;
    if (count == 0) retain_order_.pop_back();
  }
  return absl::OkStatus();
}

void TraceReplayer::set_loop_slice_ns(int64_t ns) {
  THP_CHECK(ns > 0, absl::StrCat("set_loop_slice_ns(", ns, "): expected a positive slice"));
  loop_slice_ns_ = ns;
}

void TraceReplayer::WaitForMark(LoopClock* c) {
  if (!rt_->ProgramWaitsForMark()) return;
  if (c != nullptr) FlushLoopTime(*c);  // the mark may end meanwhile
  const int64_t waited = rt_->WaitForMark(SetClock());
  // Only a loop's ops have a measured time that holds their waits.
  if (waited == 0 || c == nullptr) return;
  AssistWaits& w = assist_;
  w.waited += waited;
  w.fraction = w.nominal == 0 ? kMaxRepayFraction
                              : std::min(kMaxRepayFraction, static_cast<double>(w.waited) /
                                                                static_cast<double>(w.nominal));
  w.owed_at_wait = w.waited - w.repaid;
  w.nominal_since = 0;
  w.repaid_since = 0;
}

int64_t TraceReplayer::RepayWaits(int64_t ns) {
  AssistWaits& w = assist_;
  w.nominal += ns;
  if (w.owed_at_wait == 0) return ns;
  // What is due depends only on the busy time since the last wait, not on
  // how it arrives (one op at a time or a batched run: the same clock).
  w.nominal_since += ns;
  const auto due = std::min<int64_t>(
      w.owed_at_wait, static_cast<int64_t>(w.fraction * static_cast<double>(w.nominal_since)));
  const int64_t cut = due - w.repaid_since;
  w.repaid_since = due;
  w.repaid += cut;
  return ns - cut;
}

void TraceReplayer::AddLoopTime(LoopClock& c, int64_t ns) {
  ns = RepayWaits(ns);
  const int64_t taken = std::min(ns, c.waited);
  c.waited -= taken;
  c.pending += ns - taken;
  if (SliceEnds(c, ns - taken)) {
    if (step_ < slice_ends_by_step_.size()) ++slice_ends_by_step_[step_];
    FlushLoopTime(c);
  }
}

void TraceReplayer::EndLoopIteration(LoopClock& c) {
  AddLoopTime(c, c.at_end);
  c.waited = 0;  // a GC longer than its op's measured time lengthens it
}

TraceReplayer::Fast TraceReplayer::FastPath(const TraceEvent& alloc, const TraceEvent& next) const {
  // An alloc whose drop is the very next event is one transient allocation
  // (Runtime::AllocateTransient): same heap decisions, no handle to track.
  // Likewise an alloc followed by its retain goes straight to the retained
  // list.
  if (alloc.kind != TraceEvent::kAlloc || next.id != alloc.id || objects_.contains(alloc.id)) {
    return Fast::kNo;
  }
  if (next.kind == TraceEvent::kDrop) return Fast::kTransient;
  if (next.kind == TraceEvent::kRetain && batched_loops_) return Fast::kRetained;
  return Fast::kNo;
}

std::vector<size_t> TraceReplayer::BlockLengths(const std::vector<TraceEvent>& body) const {
  // A block is allocs, then the drops of exactly those ids in the same
  // order: what the body's events would do one by one is what holding the
  // objects and dropping them together does (drops are not loop work, so
  // no time passes between them). Only ids the body allocates once and
  // that are not live now take part (a second alloc of an id must still
  // fail as it would one by one). One pass: in each maximal run of such
  // allocs, the only block that can end where the run ends starts at the
  // alloc whose id the next event drops.
  std::vector<size_t> lengths(body.size(), 0);
  if (!batched_loops_) return lengths;
  absl::flat_hash_map<uint64_t, int> allocs;  // id -> allocs of it in the body
  for (const TraceEvent& e : body) allocs[e.id] += e.kind == TraceEvent::kAlloc;
  auto takes_part = [&](const TraceEvent& e) {
    return e.kind == TraceEvent::kAlloc && allocs[e.id] == 1 && !objects_.contains(e.id);
  };
  absl::flat_hash_map<uint64_t, size_t> run;  // id -> its position, in the current run
  for (size_t s = 0; s < body.size();) {
    if (!takes_part(body[s])) {
      ++s;
      continue;
    }
    run.clear();
    size_t j = s;
    for (; j < body.size() && takes_part(body[j]); ++j) run[body[j].id] = j;
    if (j < body.size() && body[j].kind == TraceEvent::kDrop) {
      if (auto it = run.find(body[j].id); it != run.end()) {
        const size_t k = it->second, n = j - k;
        bool matches = n >= 2 && j + n <= body.size();
        for (size_t i = 0; matches && i < n; ++i) {
          matches = body[j + i].kind == TraceEvent::kDrop && body[j + i].id == body[k + i].id;
        }
        if (matches) lengths[k] = n;
      }
    }
    s = j;
  }
  return lengths;
}

absl::Status TraceReplayer::ApplyBlock(const TraceEvent* allocs, size_t n, LoopClock& c) {
  // Each alloc as ApplyLoopStep applies one (loop work: its share of the
  // iteration's time, and a flush at a slice's end), then every drop.
  const size_t height = rt_->held_height();
  for (size_t i = 0; i < n; ++i) {
    const TraceEvent& a = allocs[i];
    FlushBeforeRacingRefill(a, c);
    {
      AllocFlagsOf flags(*rt_, a);
      if (absl::Status st = rt_->AllocateHeld(a.bytes, a.noscan, a.p); !st.ok()) return st;
    }
    WaitForMark(&c);
    AddLoopTime(c, c.per_work * LoopWork(a));
  }
  rt_->DropHeldTo(height);
  events_ += 2 * static_cast<int64_t>(n);
  return absl::OkStatus();
}

LoopOptions LoopOptionsOf(const TraceEvent& loop) {
  LoopOptions o;
  o.no_safe_point = loop.no_safe_point;
  o.alloc_safe_points = loop.alloc_safe_points;
  o.every_p_busy = loop.every_p_busy;
  o.p_move = static_cast<int64_t>(loop.p_move);
  o.p_steal = loop.p_steal;
  o.p_stay = loop.p_stay;
  return o;
}

absl::Status TraceReplayer::ApplyLoop(const std::vector<TraceEvent>& body, int64_t iterations,
                                      int64_t ns_per_iteration, const LoopOptions& options) {
  const bool no_safe_point = options.no_safe_point;
  const bool every_p_busy = options.every_p_busy;
  const int64_t p_move = options.p_move;
  const std::vector<uint64_t>& p_steal = options.p_steal;
  if (options.alloc_safe_points &&
      (no_safe_point || every_p_busy || p_move != 0 ||
       std::any_of(body.begin(), body.end(), ReachesSafePointBetweenAllocs))) {
    return absl::InvalidArgumentError(
        "a loop with safe points at its allocs holds only allocs, drops, retains and nosafepoint "
        "computes, and neither stays without one, keeps every P busy nor moves");
  }
  if (no_safe_point && std::any_of(body.begin(), body.end(), ReachesSafePoint)) {
    return absl::InvalidArgumentError(
        "a loop with no safe point holds only systemstack allocs, drops, retains, nosafepoint "
        "computes and a move (any other event would reach a safe point)");
  }
  const auto moves = std::count_if(body.begin(), body.end(), IsMove);
  if (moves > 1 || (moves == 1 && p_move <= 0)) {
    return absl::InvalidArgumentError("a loop body holds at most one move, and only with pmove");
  }
  // The parser's bounds (StealWeightsOk), so that WeightedIndex's sum
  // stays exact in a double.
  if (!p_steal.empty()) {
    if (p_move <= 0 || moves != 0 || !StealWeightsOk(p_steal) ||
        std::none_of(body.begin(), body.end(), IsGoExit)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "psteal needs pmove, a body with a goexit and no move, and 1 to ", kMaxStealWeights,
          " weights of at most 1e11, not all 0"));
    }
  }
  if (!options.p_stay.empty()) {
    const size_t exits = static_cast<size_t>(std::count_if(body.begin(), body.end(), IsGoExit));
    if (p_steal.empty() || !StealWeightsOk(options.p_stay) || p_steal.size() > exits + 1 ||
        options.p_stay.size() > exits + 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "pstay needs psteal, and then each has 1 to ", std::min(exits + 1, kMaxStealWeights),
          " weights (the body's goexits and one) of at most 1e11, not all 0"));
    }
  }
  if (no_safe_point) rt_->EnterLoopWithoutSafePoint();
  if (options.alloc_safe_points) rt_->EnterLoopWithSafePointsAtAllocs();
  in_loop_without_safe_point_ = no_safe_point || options.alloc_safe_points;
  in_loop_with_safe_points_at_allocs_ = options.alloc_safe_points;
  if (every_p_busy) rt_->EnterLoopKeepingEveryPBusy();
  absl::Status st = ApplyLoopIterations(body, iterations, ns_per_iteration, options);
  if (every_p_busy) rt_->LeaveLoopKeepingEveryPBusy();
  in_loop_with_safe_points_at_allocs_ = false;
  in_loop_without_safe_point_ = false;
  if (options.alloc_safe_points) rt_->LeaveLoopWithSafePointsAtAllocs();
  if (no_safe_point) rt_->LeaveLoopWithoutSafePoint();
  return st;
}

std::vector<TraceReplayer::Step> TraceReplayer::LoopSteps(const std::vector<TraceEvent>& body) const {
  std::vector<Step> steps;
  if (in_loop_with_safe_points_at_allocs_) {
    // One event at a time: each alloc is a safe point of its own.
    for (const TraceEvent& e : body) steps.push_back(Step{&e, Fast::kNo});
    return steps;
  }
  const std::vector<size_t> blocks = BlockLengths(body);
  for (size_t k = 0; k < body.size(); ++k) {
    const TraceEvent& e = body[k];
    if (const size_t n = blocks[k]; n != 0) {
      steps.push_back(Step{&e, Fast::kBlock, n});
      k += 2 * n - 1;
      continue;
    }
    const Fast fast = k + 1 < body.size() ? FastPath(e, body[k + 1]) : Fast::kNo;
    steps.push_back(Step{&e, fast});
    if (fast != Fast::kNo) ++k;
  }
  return steps;
}

absl::Status TraceReplayer::ApplySteps(const std::vector<Step>& steps, int64_t iterations,
                                       LoopClock& c) {
  if (batched_loops_ && steps.size() == 1 && steps[0].fast == Fast::kTransient) {
    return ApplyTransientLoop(*steps[0].e, iterations, c);
  }
  // Slice ends by step: k < steps.size() after step k, steps.size() at the
  // iteration's end.
  if (slice_ends_by_step_.size() <= steps.size()) slice_ends_by_step_.resize(steps.size() + 1);
  for (int64_t i = 0; i < iterations; ++i) {
    for (step_ = 0; step_ < steps.size(); ++step_) {
      const Step& step = steps[step_];
      absl::Status st = step.fast == Fast::kBlock ? ApplyBlock(step.e, step.block, c)
                                                  : ApplyLoopStep(*step.e, step.fast, c);
      if (!st.ok()) {
        step_ = kNoStep;
        return st;
      }
    }
    EndLoopIteration(c);
  }
  step_ = kNoStep;
  return absl::OkStatus();
}

size_t WeightedIndex(const std::vector<uint64_t>& weights, double u) {
  uint64_t total = 0;
  for (uint64_t w : weights) total += w;
  // total is at most kMaxStealWeights * 1e11 < 2^53: exact in a double.
  uint64_t x = static_cast<uint64_t>(u * static_cast<double>(total));
  for (size_t j = 0; j < weights.size(); ++j) {
    if (x < weights[j]) return j;
    x -= weights[j];
  }
  // Only when u * total rounded up to total: the last weighted index.
  size_t last = weights.size() - 1;
  while (last > 0 && weights[last] == 0) --last;
  return last;
}

size_t TraceReplayer::DrawSteal(const std::vector<uint64_t>& weights) {
  return WeightedIndex(weights, steal_draws_.NextUnit());
}

int64_t TraceReplayer::DrawStayGap(double q) {
  constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
  if (q <= 0) return kNever;
  if (q >= 1) return 0;
  // P(gap >= g) = (1 - q)^g: the inverse of that tail at a uniform point.
  const double gap = std::floor(std::log1p(-steal_draws_.NextUnit()) / std::log1p(-q));
  return gap >= static_cast<double>(kMaxTraceCount) ? kNever : static_cast<int64_t>(gap);
}

absl::Status TraceReplayer::ApplyLoopIterations(const std::vector<TraceEvent>& body,
                                                int64_t iterations, int64_t ns_per_iteration,
                                                const LoopOptions& options) {
  const int64_t p_move = options.p_move;
  const std::vector<uint64_t>& p_steal = options.p_steal;
  const std::vector<uint64_t>& p_stay = options.p_stay;
  int64_t work = 0;
  for (const TraceEvent& e : body) work += LoopWork(e);
  LoopClock clock = MakeLoopClock(ns_per_iteration, work);
  // The move marker is no event: the body without it, as a loop that never
  // moves runs it; the events from `moves_at` on in it came after the
  // marker (moves_at is its size without one).
  const size_t moves_at =
      static_cast<size_t>(std::find_if(body.begin(), body.end(), IsMove) - body.begin());
  std::vector<TraceEvent> unmarked = body;
  if (moves_at < unmarked.size()) {
    unmarked.erase(unmarked.begin() + static_cast<std::ptrdiff_t>(moves_at));
  }
  const std::vector<Step> steps = LoopSteps(unmarked);
  if (steps.empty()) {
    // Nothing but time: the same slices the loop below would make, without
    // walking the iterations one by one (b.N reaches 1e9).
    if (ns_per_iteration > 0) {
      const int64_t per_slice = (loop_slice_ns_ + ns_per_iteration - 1) / ns_per_iteration;
      for (int64_t done = 0; done < iterations; done += per_slice) {
        Advance(std::min(per_slice, iterations - done) * ns_per_iteration, /*idle=*/false);
      }
    }
    return absl::OkStatus();
  }
  if (p_move <= 0 || gomaxprocs_ <= 1 || (p_move >= iterations && p_stay.empty())) {
    absl::Status st = ApplySteps(steps, iterations, clock);
    if (st.ok()) FlushLoopTime(clock);
    return st;
  }
  // The body on each P the goroutine visits: turn r runs every event of a
  // P p below GOMAXPROCS on P (p + r) mod GOMAXPROCS, in stretches of
  // p_move iterations on one clock (the fast paths see the same pairs and
  // blocks in every turn: only the Ps differ). A stretch that another
  // follows ends with its moving iteration, which runs some events on the
  // next turn's Ps already: those after the move marker (with no marker,
  // none), or under psteal the last j goexits, j drawn at each move; under
  // pstay, any other iteration may send its last j goexits on too.
  // Variant (r, j) is turn r with j events sent on; its events stay put
  // (std::map nodes) while its steps point into them.
  struct Variant {
    std::vector<TraceEvent> events;
    std::vector<Step> steps;
  };
  std::map<std::pair<int, size_t>, Variant> variants;
  std::vector<size_t> exits;  // the goexits' places in the body
  for (size_t k = 0; k < unmarked.size(); ++k) {
    if (IsGoExit(unmarked[k])) exits.push_back(k);
  }
  const size_t marked = moves_at < unmarked.size() ? unmarked.size() - moves_at : 0;
  auto variant = [&](int r, size_t j) -> const std::vector<Step>& {
    auto [it, fresh] = variants.try_emplace({r, j});
    if (fresh) {
      // Under psteal the last j goexits move on; else the last j events.
      const size_t first = j == 0             ? unmarked.size()
                           : p_steal.empty() ? unmarked.size() - j
                                             : exits[exits.size() - j];
      for (size_t k = 0; k < unmarked.size(); ++k) {
        TraceEvent e = unmarked[k];
        const bool on = k >= first && (p_steal.empty() || IsGoExit(e));
        if (e.p >= 0 && e.p < gomaxprocs_) e.p = (e.p + r + (on ? 1 : 0)) % gomaxprocs_;
        it->second.events.push_back(std::move(e));
      }
      it->second.steps = LoopSteps(it->second.events);
    }
    return it->second.steps;
  };
  // pstay's draws: the iterations that do not move draw j > 0 with
  // probability stay_q, then j from stay_j (p_stay without its 0 weight);
  // stay_gap is how many more draw 0 first, across stretches.
  std::vector<uint64_t> stay_j = p_stay;
  double stay_q = 0;
  if (!p_stay.empty()) {
    stay_j[0] = 0;
    uint64_t sum = 0;
    for (uint64_t w : p_stay) sum += w;
    stay_q = static_cast<double>(sum - p_stay[0]) / static_cast<double>(sum);
  }
  int64_t stay_gap = p_stay.empty() ? 0 : DrawStayGap(stay_q);
  // Runs n iterations of turn r that do not move.
  auto stay = [&](int r, int64_t n) -> absl::Status {
    if (p_stay.empty()) return ApplySteps(variant(r, 0), n, clock);
    while (n > 0) {
      const int64_t plain = std::min(stay_gap, n);
      if (plain > 0) {
        if (absl::Status st = ApplySteps(variant(r, 0), plain, clock); !st.ok()) return st;
        n -= plain;
        stay_gap -= plain;
      }
      if (n == 0) break;
      if (absl::Status st = ApplySteps(variant(r, DrawSteal(stay_j)), 1, clock); !st.ok()) {
        return st;
      }
      --n;
      stay_gap = DrawStayGap(stay_q);
    }
    return absl::OkStatus();
  };
  for (int64_t done = 0; done < iterations; done += p_move) {
    const int r = static_cast<int>(done / p_move % gomaxprocs_);
    const int64_t n = std::min(p_move, iterations - done);
    absl::Status st;
    if (done + n >= iterations) {
      st = stay(r, n);
    } else if (p_steal.empty()) {
      st = ApplySteps(variant(r, 0), n - 1, clock);
      if (st.ok()) st = ApplySteps(variant(r, marked), 1, clock);
    } else if (!p_stay.empty()) {
      // Each iteration draws for itself (ApplyLoop kept both lists within
      // the body's goexits).
      const size_t at_move = DrawSteal(p_steal);
      st = stay(r, n - 1);
      if (st.ok()) st = ApplySteps(variant(r, at_move), 1, clock);
    } else {
      // The moving iteration sends at most all its goexits; the rest of
      // the draw goes in iterations that do not move, in the stretch's
      // middle, as many as it has before its moving one.
      size_t rest = DrawSteal(p_steal);
      const size_t at_move = std::min(rest, exits.size());
      rest -= at_move;
      std::vector<size_t> steals;
      while (rest > 0 && static_cast<int64_t>(steals.size()) < n - 1) {
        steals.push_back(std::min(rest, exits.size()));
        rest -= steals.back();
      }
      const int64_t plain = n - 1 - static_cast<int64_t>(steals.size());
      st = ApplySteps(variant(r, 0), plain / 2, clock);
      for (size_t j : steals) {
        if (st.ok()) st = ApplySteps(variant(r, j), 1, clock);
      }
      if (st.ok()) st = ApplySteps(variant(r, 0), plain - plain / 2, clock);
      if (st.ok()) st = ApplySteps(variant(r, at_move), 1, clock);
    }
    if (!st.ok()) return st;
  }
  FlushLoopTime(clock);
  return absl::OkStatus();
}

absl::Status TraceReplayer::ApplyTransientLoop(const TraceEvent& e, int64_t iterations,
                                               LoopClock& c) {
  // Each iteration adds `step` to the pending time; the first one to reach
  // the slice grid's next point flushes it (at its alloc or at its end). The
  // iterations before that one see no time pass and no other event, so they
  // are one run of transient allocations (Runtime::AllocateTransientRun);
  // the flushing iteration runs as any other loop's does. A run also ends
  // before an allocation that races a sweeper (HeapRuntime::
  // AllocRacesSweeper), which then runs as any other iteration does, after
  // the time before it has passed (FlushBeforeRacingRefill).
  const int64_t step = c.per_work + c.at_end;
  int64_t done = 0;
  while (done < iterations) {
    int64_t quiet = iterations - done;
    if (step > 0) {
      // The smallest j with j * step >= c.slice_left, less one.
      quiet = std::min(quiet, (c.slice_left + step - 1) / step - 1);
    }
    if (quiet > 0) {
      absl::StatusOr<int64_t> made;
      {
        AllocFlagsOf flags(*rt_, e);
        made = rt_->AllocateTransientRun(e.bytes, e.noscan, e.p, quiet);
      }
      if (!made.ok()) return made.status();
      events_ += 2 * *made;
      done += *made;
      if (*made > 0 && rt_->ProgramWaitsForMark()) {
        // The last one left the program waiting for the mark (the run's
        // last of all too): its own time comes after the wait, as
        // ApplyLoopStep's would.
        const int64_t before = RepayWaits((*made - 1) * step);
        c.pending += before;
        SliceEnds(c, before);  // short of the grid's point: the run stopped before it
        WaitForMark(&c);
        AddLoopTime(c, c.per_work);
        EndLoopIteration(c);
        continue;
      }
      const int64_t run = RepayWaits(*made * step);
      c.pending += run;
      SliceEnds(c, run);  // short of the grid's point, as above
      if (done == iterations) break;
    }
    if (absl::Status st = ApplyLoopStep(e, Fast::kTransient, c); !st.ok()) return st;
    EndLoopIteration(c);
    ++done;
  }
  return absl::OkStatus();
}

// A streamed iteration applies each event when the next one arrives (or
// the loop ends), so that an alloc sees whether its drop or retain follows,
// as ApplyLoopIterations sees it in the held body.
void TraceReplayer::BeginStreamedLoop(int64_t ns_per_iteration, int64_t work) {
  THP_CHECK(!stream_.has_value(), "BeginStreamedLoop inside a streamed loop");
  // Not stream_.emplace(): clang 14 (--config=fuzz) decides that a nested
  // struct with default member initializers is not default-constructible
  // when std::optional asks inside the enclosing class.
  stream_ = StreamedLoop{};
  stream_->clock = MakeLoopClock(ns_per_iteration, work);
  stream_->work_expected = work;
}

absl::Status TraceReplayer::PutStreamedEvent(const TraceEvent& e) {
  THP_CHECK(stream_.has_value(), "PutStreamedEvent outside a streamed loop");
  StreamedLoop& s = *stream_;
  if (!s.status.ok()) return s.status;
  if (e.kind == TraceEvent::kBench || e.kind == TraceEvent::kLoop || e.kind == TraceEvent::kEnd) {
    s.status = absl::InvalidArgumentError("a loop's body holds no bench, loop or end event");
    return s.status;
  }
  s.work_seen += LoopWork(e);
  if (s.held.has_value()) {
    const Fast fast = FastPath(*s.held, e);
    s.status = ApplyLoopStep(*s.held, fast, s.clock);
    s.held.reset();
    if (fast != Fast::kNo || !s.status.ok()) return s.status;
  }
  if (e.kind == TraceEvent::kAlloc) {
    s.held = e;
    return absl::OkStatus();
  }
  s.status = ApplyLoopStep(e, Fast::kNo, s.clock);
  return s.status;
}

absl::Status TraceReplayer::EndStreamedLoop() {
  THP_CHECK(stream_.has_value(), "EndStreamedLoop outside a streamed loop");
  StreamedLoop s = *std::move(stream_);
  stream_.reset();
  if (s.status.ok() && s.held.has_value()) s.status = ApplyLoopStep(*s.held, Fast::kNo, s.clock);
  if (!s.status.ok()) return s.status;
  THP_CHECK(s.work_seen == s.work_expected,
            absl::StrCat("streamed loop: ", s.work_seen,
                         " units of work in its alloc, stack and go events, announced ",
                         s.work_expected));
  EndLoopIteration(s.clock);
  FlushLoopTime(s.clock);
  return absl::OkStatus();
}

absl::Status TraceReplayer::FeedEvent(TraceEvent&& e, TopLevel& t) {
  if (t.streaming) {
    const int line = t.loop->line;
    absl::Status st = e.kind == TraceEvent::kEnd ? EndStreamedLoop() : PutStreamedEvent(e);
    if (e.kind == TraceEvent::kEnd) {
      t.streaming = false;
      t.loop.reset();
    }
    if (!st.ok()) {
      return absl::Status(st.code(), absl::StrCat("trace loop at line ", line, ": ", st.message()));
    }
    return absl::OkStatus();
  }
  if (t.loop.has_value()) {
    if (e.kind != TraceEvent::kEnd) {
      t.body.push_back(std::move(e));
      return absl::OkStatus();
    }
    const TraceEvent loop = *std::move(t.loop);
    t.loop.reset();
    absl::Status st =
        ApplyLoop(t.body, static_cast<int64_t>(loop.id), loop.ns, LoopOptionsOf(loop));
    t.body.clear();
    if (!st.ok()) {
      return absl::Status(st.code(), absl::StrCat("trace loop at line ", loop.line, ": ", st.message()));
    }
    return absl::OkStatus();
  }
  if (e.kind == TraceEvent::kBench && t.on_bench) t.on_bench(e);
  if (e.kind == TraceEvent::kLoop) {
    if (t.streamable != nullptr && IsStreamableLoop(e)) {
      if (auto it = t.streamable->find(e.line); it != t.streamable->end()) {
        BeginStreamedLoop(e.ns, it->second);
        t.streaming = true;
      }
    }
    t.loop = std::move(e);
    return absl::OkStatus();
  }
  if (absl::Status st = Apply(e); !st.ok()) {
    return absl::Status(st.code(), absl::StrCat("trace line ", e.line, ": ", st.message()));
  }
  return absl::OkStatus();
}

absl::Status TraceReplayer::Run(const std::vector<TraceEvent>& events,
                                const std::function<void(const TraceEvent&)>& on_bench) {
  TopLevel t{on_bench, nullptr, std::nullopt, false, {}};
  for (const TraceEvent& e : events) {
    if (absl::Status st = FeedEvent(TraceEvent(e), t); !st.ok()) return st;
  }
  if (t.loop.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("trace line ", t.loop->line, ": loop without an end"));
  }
  return absl::OkStatus();
}

absl::StatusOr<TraceReplayer::StreamableLoops> TraceReplayer::CheckTrace(std::FILE* f) {
  StreamableLoops loops;
  int open = 0;  // the line of an open loop of one iteration, else 0
  int64_t work = 0;
  absl::Status st = ForEachTraceEvent(f, [&](TraceEvent&& e) {
    if (e.kind == TraceEvent::kLoop) {
      open = IsStreamableLoop(e) ? e.line : 0;
      work = 0;
    } else if (e.kind == TraceEvent::kEnd) {
      if (open != 0) loops[open] = work;
      open = 0;
    } else {
      work += LoopWork(e);
    }
    return absl::OkStatus();
  });
  if (!st.ok()) return st;
  return loops;
}

absl::Status TraceReplayer::RunStream(std::FILE* f,
                                      const std::function<void(const TraceEvent&)>& on_bench,
                                      const StreamableLoops& streamable) {
  TopLevel t{on_bench, &streamable, std::nullopt, false, {}};
  return ForEachTraceEvent(f, [this, &t](TraceEvent&& e) { return FeedEvent(std::move(e), t); });
}

}  // namespace thp
