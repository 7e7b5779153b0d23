#include "bench/workloads/run_program.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace {

constexpr uint64_t kFixedStackBytes = 2048;

// SetupStackRamp's period until Build knows the op's time.
constexpr int64_t kRampOfAnOp = -1;

// The stack sizes Go 1.5's newstack goes through from the 2 KiB fixed
// stack until `bytes` fit (copystack allocates each and frees the one
// before), smallest first.
std::vector<uint64_t> StackDoublings(uint64_t bytes) {
  std::vector<uint64_t> sizes;
  const uint64_t target = StackSizeFor(bytes);
  for (uint64_t size = kFixedStackBytes << 1; size <= target; size <<= 1) sizes.push_back(size);
  return sizes;
}

TraceEvent Sleep(int64_t ns) {
  TraceEvent e{};
  e.kind = TraceEvent::kSleep;
  e.ns = ns;
  return e;
}

TraceEvent Goroutine(TraceEvent::Kind kind, uint64_t id, int p, uint64_t bytes = 0) {
  TraceEvent e{};
  e.kind = kind;
  e.id = id;
  e.bytes = bytes;
  e.p = p;
  return e;
}

bool HasId(TraceEvent::Kind k) {
  return k == TraceEvent::kAlloc || k == TraceEvent::kDrop || k == TraceEvent::kRetain ||
         k == TraceEvent::kStack || k == TraceEvent::kUnstack || k == TraceEvent::kGo ||
         k == TraceEvent::kGoGrow || k == TraceEvent::kGoExit || k == TraceEvent::kSudog ||
         k == TraceEvent::kUnsudog;
}

bool HasP(TraceEvent::Kind k) {
  return k == TraceEvent::kAlloc || k == TraceEvent::kStack || k == TraceEvent::kUnstack ||
         k == TraceEvent::kGo || k == TraceEvent::kGoGrow || k == TraceEvent::kGoExit ||
         k == TraceEvent::kSudog || k == TraceEvent::kUnsudog;
}

}  // namespace

uint64_t StackSizeFor(uint64_t bytes) {
  uint64_t n = kFixedStackBytes;
  while (n < bytes) n <<= 1;
  return n;
}

void RunBuilder::SetupAlloc(uint64_t bytes, bool noscan, int count, int p) {
  for (int i = 0; i < count; ++i) {
    const uint64_t id = NewId();
    setup_.push_back(AllocEvent(id, bytes, noscan, p));
    teardown_.push_back(DropEvent(id));
  }
}

void RunBuilder::SetupGarbage(uint64_t bytes, bool noscan, int count, int p) {
  std::vector<uint64_t> ids;
  for (int i = 0; i < count; ++i) ids.push_back(SetupAllocTemp(bytes, noscan, p));
  for (uint64_t id : ids) SetupDrop(id);
}

uint64_t RunBuilder::SetupAllocTemp(uint64_t bytes, bool noscan, int p) {
  const uint64_t id = NewId();
  setup_.push_back(AllocEvent(id, bytes, noscan, p));
  setup_temps_.push_back(id);
  return id;
}

void RunBuilder::SetupDrop(uint64_t id) {
  const auto it = std::find(setup_temps_.begin(), setup_temps_.end(), id);
  THP_CHECK(it != setup_temps_.end(),
            absl::StrCat("RunBuilder::SetupDrop(", id, "): no live SetupAllocTemp object has that id"));
  setup_temps_.erase(it);
  setup_.push_back(DropEvent(id));
}

std::vector<uint64_t> RunBuilder::SetupGoroutines(int count) {
  std::vector<uint64_t> ids;
  for (int i = 0; i < count; ++i) ids.push_back(SetupGoroutine(kLaunchP, i % ctx_.gomaxprocs));
  return ids;
}

uint64_t RunBuilder::SetupGoroutine(int p, int exit_p) {
  const uint64_t id = NewId();
  setup_.push_back(Goroutine(TraceEvent::kGo, id, p));
  teardown_.push_back(Goroutine(TraceEvent::kGoExit, id, exit_p));
  return id;
}

void RunBuilder::SetupCompute(double ns, int p) {
  TraceEvent e{};
  e.kind = TraceEvent::kCompute;
  e.p = p;
  e.ns = static_cast<int64_t>(std::llround(ns * ctx_.time_scale));
  THP_CHECK(e.ns >= 0, "SetupCompute: a negative time");
  setup_busy_ns_ += e.ns;
  setup_.push_back(e);
}

void RunBuilder::SetupSudog(int p, int release_p) {
  const uint64_t id = NewId();
  setup_.push_back(Goroutine(TraceEvent::kSudog, id, p));
  teardown_.push_back(Goroutine(TraceEvent::kUnsudog, id, release_p));
}

void RunBuilder::SetupGrow(uint64_t id, uint64_t bytes, int p) {
  for (uint64_t size : StackDoublings(bytes)) {
    setup_.push_back(Goroutine(TraceEvent::kGoGrow, id, p, size));
  }
}

void RunBuilder::SetupGrowSideBySide(const std::vector<uint64_t>& ids, uint64_t bytes) {
  for (uint64_t size : StackDoublings(bytes)) {
    for (size_t p = 0; p < ids.size(); ++p) {
      setup_.push_back(Goroutine(TraceEvent::kGoGrow, ids[p], static_cast<int>(p), size));
    }
  }
}

void RunBuilder::SetupStackRamp(uint64_t id, uint64_t bytes, uint64_t frame_bytes, int p) {
  TraceEvent e = Goroutine(TraceEvent::kGoUse, id, p, bytes);
  e.frame_bytes = frame_bytes;
  e.ns = kRampOfAnOp;  // Build puts the op's time here
  setup_.push_back(e);
}

void RunBuilder::WholeRun() {
  THP_CHECK(body_events_ == 0,
            "RunBuilder::WholeRun after the body's first event (call it first)");
  whole_run_ = true;
}

void RunBuilder::OpsPerIteration(int64_t ops) {
  THP_CHECK(ops >= 1, absl::StrCat("RunBuilder::OpsPerIteration(", ops,
                                   "): expected at least one op an iteration"));
  ops_per_iteration_ = ops;
}

void RunBuilder::MoveBetweenPsEvery(int64_t ops) {
  THP_CHECK(ops >= 1, absl::StrCat("RunBuilder::MoveBetweenPsEvery(", ops,
                                   "): expected at least one op between moves"));
  p_move_ops_ = ops;
}

void RunBuilder::StealAtMoves(std::vector<uint64_t> weights) {
  THP_CHECK(StealWeightsOk(weights),
            absl::StrCat("RunBuilder::StealAtMoves: expected 1 to ", kMaxStealWeights,
                         " weights of at most 1e11, not all 0"));
  p_steal_ = std::move(weights);
}

void RunBuilder::StealBetweenMoves(std::vector<uint64_t> weights) {
  THP_CHECK(StealWeightsOk(weights),
            absl::StrCat("RunBuilder::StealBetweenMoves: expected 1 to ", kMaxStealWeights,
                         " weights of at most 1e11, not all 0"));
  p_stay_ = std::move(weights);
}

void RunBuilder::PutBody(const TraceEvent& e) {
  ++body_events_;
  body_work_ += LoopWork(e);
  if (e.kind == TraceEvent::kSleep) body_sleep_ns_ += e.ns;
  if (streaming()) {
    sink_->Put(e);
  } else {
    body_.push_back(e);
  }
}

void RunBuilder::OpAlloc(uint64_t bytes, bool noscan, int count, int p) {
  std::vector<uint64_t> ids;
  for (int i = 0; i < count; ++i) {
    ids.push_back(NewId());
    PutBody(AllocEvent(ids.back(), bytes, noscan, p));
  }
  for (uint64_t id : ids) PutBody(DropEvent(id));
}

void RunBuilder::OpAllocMarked(uint64_t bytes, bool noscan, int p,
                               const std::function<void(TraceEvent&)>& mark) {
  const uint64_t id = NewId();
  TraceEvent alloc = AllocEvent(id, bytes, noscan, p);
  mark(alloc);
  PutBody(alloc);
  PutBody(DropEvent(id));
}

void RunBuilder::OpAllocStoredInGlobal(uint64_t bytes, bool noscan, int p) {
  OpAllocMarked(bytes, noscan, p, [](TraceEvent& e) { e.write_barrier = true; });
}

void RunBuilder::OpAllocWithFinalizer(uint64_t bytes, bool noscan, int p) {
  OpAllocMarked(bytes, noscan, p, [](TraceEvent& e) { e.finalizer = true; });
}

void RunBuilder::OpAllocRetained(uint64_t bytes, bool noscan, bool on_system_stack,
                                 bool chain_link, int p) {
  const uint64_t id = NewId();
  TraceEvent alloc = AllocEvent(id, bytes, noscan, p);
  alloc.system_stack = on_system_stack;
  alloc.chain = chain_link;
  PutBody(alloc);
  TraceEvent keep{};
  keep.kind = TraceEvent::kRetain;
  keep.id = id;
  PutBody(keep);
  if (!retains_) {
    retains_ = true;
    TraceEvent release{};
    release.kind = TraceEvent::kRelease;
    teardown_.push_back(release);
  }
}

void RunBuilder::OpAllocChain(const std::vector<uint64_t>& sizes, bool noscan, int p) {
  uint64_t prev = 0;
  for (uint64_t bytes : sizes) {
    const uint64_t id = NewId();
    TraceEvent e = AllocEvent(id, bytes, noscan, p);
    e.work = std::max<uint64_t>(1, bytes / 1024);
    PutBody(e);
    if (prev != 0) PutBody(DropEvent(prev));
    prev = id;
  }
  if (prev != 0) PutBody(DropEvent(prev));
}

void RunBuilder::OpGoroutineRecursion(uint64_t frames, uint64_t frame_bytes,
                                      double descent_ns_per_frame, double copy_ns_per_frame,
                                      int p) {
  THP_CHECK(!streaming(), "OpGoroutineRecursion: not in a streamed body");
  THP_CHECK(frames > 0 && frame_bytes > 0 && descent_ns_per_frame >= 0 && copy_ns_per_frame >= 0,
            "OpGoroutineRecursion: needs frames, a frame size and their times");
  const uint64_t id = NewId();
  PutBody(Goroutine(TraceEvent::kGo, id, p));
  auto use_at = [&](uint64_t frame) {
    TraceEvent e = Goroutine(TraceEvent::kGoUse, id, p, frame * frame_bytes + kStackLimitBytes);
    e.frame_bytes = frame_bytes;
    return e;
  };
  auto compute = [&](RecursionTime t, bool no_safe_point) {
    TraceEvent e{};
    e.kind = TraceEvent::kCompute;
    e.no_safe_point = no_safe_point;
    t.body_index = body_.size();
    recursion_times_.push_back(t);
    PutBody(e);
  };
  // The descent from frame `from` to `to`, its depth stated at the middle
  // of each step.
  auto descend = [&](uint64_t from, uint64_t to) {
    for (int k = 0; k < kRecursionDepthSteps; ++k) {
      const uint64_t lo = from + (to - from) * k / kRecursionDepthSteps;
      const uint64_t hi = from + (to - from) * (k + 1) / kRecursionDepthSteps;
      PutBody(use_at(lo + (hi - lo) / 2));
      compute(RecursionTime{0, descent_ns_per_frame * static_cast<double>(hi - lo)},
              /*no_safe_point=*/false);
    }
  };
  uint64_t at = 0;
  for (uint64_t stack = kFixedStackBytes; frames * frame_bytes + kStackLimitBytes > stack;
       stack *= 2) {
    // The first frame whose use passes the stack: newstack doubles it there.
    const uint64_t out = (stack - kStackLimitBytes) / frame_bytes + 1;
    descend(at, out);
    PutBody(use_at(out));
    compute(RecursionTime{0, copy_ns_per_frame * static_cast<double>(out)},
            /*no_safe_point=*/true);
    at = out;
  }
  descend(at, frames);
  // The rest of the op, at the bottom (Build sets it).
  PutBody(use_at(frames));
  compute(RecursionTime{0, 0, /*rest=*/true}, /*no_safe_point=*/false);
  PutBody(Goroutine(TraceEvent::kGoExit, id, p));
}

void RunBuilder::OpGoroutines(int count, int p) {
  for (uint64_t id : OpGoStart(count, p)) OpGoExit(id, p);
}

std::vector<uint64_t> RunBuilder::OpGoStart(int count, int p, bool timed) {
  std::vector<uint64_t> ids;
  for (int i = 0; i < count; ++i) {
    ids.push_back(NewId());
    OpGo(ids.back(), p, timed);
  }
  return ids;
}

void RunBuilder::OpGo(uint64_t id, int p, bool timed) {
  TraceEvent go = Goroutine(TraceEvent::kGo, id, p);
  if (!timed) {
    go.work_stated = true;
    go.work = 0;
  }
  PutBody(go);
}

void RunBuilder::OpGoExit(uint64_t id, int p, bool timed) {
  TraceEvent exit = Goroutine(TraceEvent::kGoExit, id, p);
  if (timed) {
    exit.work_stated = true;
    exit.work = 1;
  }
  PutBody(exit);
}

void RunBuilder::OpMoveToNextP() {
  THP_CHECK(!moves_in_op_, "RunBuilder::OpMoveToNextP: the op moves once");
  moves_in_op_ = true;
  TraceEvent e{};
  e.kind = TraceEvent::kMove;
  PutBody(e);
}

void RunBuilder::OpSleep(int64_t ns) { PutBody(Sleep(ns)); }

bool RunBuilder::TimerReadsMemStats(BenchTimer t, bool* on) {
  switch (t) {
    case BenchTimer::kStart: {
      const bool reads = !*on;
      *on = true;
      return reads;
    }
    case BenchTimer::kStop: {
      const bool reads = *on;
      *on = false;
      return reads;
    }
    case BenchTimer::kReset:
      return *on;
  }
  return false;
}

namespace {
TraceEvent ReadMemStatsEvent() {
  TraceEvent e{};
  e.kind = TraceEvent::kReadMemStats;
  return e;
}
}  // namespace

void RunBuilder::SetupTimer(BenchTimer t) {
  THP_CHECK(!op_timer_used_ && !after_loop_timer_used_,
            "RunBuilder::SetupTimer after a timer call in or after the loop");
  if (TimerReadsMemStats(t, &timer_before_loop_)) setup_.push_back(ReadMemStatsEvent());
  op_timer_ = timer_after_loop_ = timer_before_loop_;
}

void RunBuilder::OpTimer(BenchTimer t) {
  op_timer_used_ = true;
  if (TimerReadsMemStats(t, &op_timer_)) PutBody(ReadMemStatsEvent());
}

void RunBuilder::AfterLoopSleep(int64_t ns) {
  THP_CHECK(final_sleep_ns_ == 0, "AfterLoopSleep: called twice");
  final_sleep_ns_ = ns;
}

void RunBuilder::AfterLoopWork(double ns_per_op, double busy_ns_per_op,
                               bool releases_retained_last_first) {
  THP_CHECK(after_loop_work_ns_ == 0, "AfterLoopWork: called twice");
  THP_CHECK(busy_ns_per_op > 0 && busy_ns_per_op <= ns_per_op,
            "AfterLoopWork: needs a positive busy time no longer than the work's");
  after_loop_work_ns_ = ns_per_op;
  after_loop_busy_ns_ = busy_ns_per_op;
  after_loop_releases_ = releases_retained_last_first;
}

void RunBuilder::AfterLoopTimer(BenchTimer t) {
  after_loop_timer_used_ = true;
  if (TimerReadsMemStats(t, &timer_after_loop_)) after_loop_.push_back(ReadMemStatsEvent());
}

void RunBuilder::OpGc() {
  TraceEvent e{};
  e.kind = TraceEvent::kGc;
  PutBody(e);
}

RunProgram RunBuilder::Build(const std::string& benchmark, double ns_per_op) const {
  THP_CHECK(setup_temps_.empty(),
            absl::StrCat(benchmark, ": ", setup_temps_.size(),
                         " SetupAllocTemp objects never dropped before the loop"));
  RunProgram prog;
  prog.benchmark = benchmark;
  prog.n = ctx_.n;
  THP_CHECK(op_timer_ == timer_before_loop_,
            absl::StrCat(benchmark, ": an iteration leaves testing.B's timer ",
                         op_timer_ ? "on" : "off", ", having found it ",
                         timer_before_loop_ ? "on" : "off"));
  prog.setup = setup_;
  prog.teardown = after_loop_;
  if (after_loop_work_ns_ > 0) {
    THP_CHECK(!whole_run_ && !parallel_ && !side_by_side_ && final_sleep_ns_ == 0,
              absl::StrCat(benchmark, ": AfterLoopWork needs a plain loop and no AfterLoopSleep"));
    // The loop keeps at least 1 ns an op; the program is busy for its share
    // of what the work takes out.
    const double work = std::min(after_loop_work_ns_ * ctx_.time_scale, ns_per_op - 1);
    const double busy = std::max(0.0, work) * (after_loop_busy_ns_ / after_loop_work_ns_);
    const int64_t total = std::llround(busy * static_cast<double>(ctx_.n));
    if (total > 0) {
      ns_per_op -= work;
      // What the loop retains: its retains an iteration, every iteration.
      const auto retains = static_cast<int64_t>(std::count_if(
          body_.begin(), body_.end(), [](const TraceEvent& e) { return e.kind == TraceEvent::kRetain; }));
      const int64_t retained = after_loop_releases_ ? retains * Iterations() : 0;
      // One slice, or as many as kAfterLoopSliceNs cuts the time into (no
      // more than there are objects to release); slice k spends its share
      // of the time, then releases its share of the objects.
      const int64_t slices =
          retained == 0 ? 1
                        : std::clamp<int64_t>((total + kAfterLoopSliceNs - 1) / kAfterLoopSliceNs, 1,
                                              retained);
      for (int64_t k = 0; k < slices; ++k) {
        TraceEvent compute{};
        compute.kind = TraceEvent::kCompute;
        compute.ns = total * (k + 1) / slices - total * k / slices;
        prog.teardown.push_back(compute);
        const int64_t release = retained * (k + 1) / slices - retained * k / slices;
        if (release > 0) {
          TraceEvent r{};
          r.kind = TraceEvent::kRelease;
          r.id = static_cast<uint64_t>(release);
          prog.teardown.push_back(r);
        }
      }
    }
  }
  prog.teardown.insert(prog.teardown.end(), teardown_.begin(), teardown_.end());
  if (final_sleep_ns_ > 0) prog.teardown.push_back(Sleep(final_sleep_ns_));
  prog.timer_on_at_end = timer_after_loop_;
  FillBody(ns_per_op, prog);
  THP_CHECK(ops_per_iteration_ == 1 || (!whole_run_ && !parallel_ && !side_by_side_ &&
                                         after_loop_work_ns_ == 0 && recursion_times_.empty()),
            absl::StrCat(benchmark, ": OpsPerIteration needs a plain loop"));
  if (p_move_ops_ > 0) {
    THP_CHECK(!whole_run_ && !parallel_ && !side_by_side_,
              absl::StrCat(benchmark, ": MoveBetweenPsEvery needs a plain loop"));
    THP_CHECK(p_move_ops_ % ops_per_iteration_ == 0,
              absl::StrCat(benchmark, ": MoveBetweenPsEvery(", p_move_ops_,
                           ") is not a whole number of iterations of ", ops_per_iteration_,
                           " ops"));
    prog.p_move_iterations = p_move_ops_ / ops_per_iteration_;
  }
  THP_CHECK(p_steal_.empty() || (p_move_ops_ > 0 && !moves_in_op_),
            absl::StrCat(benchmark, ": StealAtMoves needs MoveBetweenPsEvery and no OpMoveToNextP"));
  prog.p_steal = p_steal_;
  if (!p_stay_.empty()) {
    // The replayer's rule for pstay (TraceReplayer::ApplyLoop), per op.
    const size_t exits = static_cast<size_t>(std::count_if(
        body_.begin(), body_.end(),
        [](const TraceEvent& e) { return e.kind == TraceEvent::kGoExit; }));
    THP_CHECK(!p_steal_.empty() && ops_per_iteration_ == 1 && p_steal_.size() <= exits + 1 &&
                  p_stay_.size() <= exits + 1,
              absl::StrCat(benchmark, ": StealBetweenMoves needs StealAtMoves, one op an "
                                      "iteration, and at most one weight more than the op's ",
                           exits, " goroutine exits in either"));
  }
  prog.p_stay = p_stay_;
  THP_CHECK(!moves_in_op_ || p_move_ops_ > 0,
            absl::StrCat(benchmark, ": OpMoveToNextP needs MoveBetweenPsEvery"));
  SetRecursionTimes(benchmark, prog);
  for (TraceEvent& e : prog.setup) {
    if (e.kind != TraceEvent::kGoUse || e.ns != kRampOfAnOp) continue;
    THP_CHECK(!whole_run_, absl::StrCat(benchmark, ": a stack ramp needs a loop of ops"));
    // One iteration is one op on each P.
    e.ns = std::max<int64_t>(1, prog.ns_per_iteration);
  }
  prog.sleep_ns = SleepNs();
  prog.setup_busy_ns = setup_busy_ns_;
  return prog;
}

void RunBuilder::SetRecursionTimes(const std::string& benchmark, RunProgram& prog) const {
  if (recursion_times_.empty()) return;
  THP_CHECK(!whole_run_ && !parallel_ && !side_by_side_,
            absl::StrCat(benchmark, ": OpGoroutineRecursion needs a plain loop"));
  // The stated times (times the time scale), all cut down alike to fit the
  // op's; each op's rest goes to its rest compute.
  const int64_t op = prog.ns_per_iteration;
  double stated = 0;
  for (const RecursionTime& t : recursion_times_) stated += t.ns * ctx_.time_scale;
  const double cut = stated > static_cast<double>(op) ? static_cast<double>(op) / stated : 1.0;
  int64_t spent = 0;
  for (const RecursionTime& t : recursion_times_) {
    if (t.rest) continue;
    const auto ns = static_cast<int64_t>(std::llround(t.ns * ctx_.time_scale * cut));
    prog.body[t.body_index].ns = ns;
    spent += ns;
  }
  const int64_t ops = static_cast<int64_t>(
      std::count_if(recursion_times_.begin(), recursion_times_.end(),
                    [](const RecursionTime& t) { return t.rest; }));
  const int64_t rest = std::max<int64_t>(op - spent, 0);
  int64_t given = 0;
  int64_t k = 0;
  for (const RecursionTime& t : recursion_times_) {
    if (!t.rest) continue;
    const int64_t upto = rest * ++k / ops;
    prog.body[t.body_index].ns = upto - given;
    given = upto;
  }
  // The loop's own share (its go events') is what is left: none.
  prog.ns_per_iteration = op - spent - given;
}

int64_t RunBuilder::Iterations() const {
  if (whole_run_) return 1;
  // RunParallel and side-by-side bodies run gomaxprocs ops an iteration.
  if (side_by_side_ || (parallel_ && ctx_.gomaxprocs > 1)) {
    return (ctx_.n + ctx_.gomaxprocs - 1) / ctx_.gomaxprocs;
  }
  return ctx_.n / ops_per_iteration_;
}

int RunBuilder::ParallelOpPs() const {
  return static_cast<int>(std::min<int64_t>(ctx_.n, ctx_.gomaxprocs));
}

int64_t RunBuilder::SleepNs() const {
  // Every iteration sleeps once: a RunParallel body's copies for the other
  // Ps leave the sleep out.
  int64_t ns = body_sleep_ns_ * Iterations() + final_sleep_ns_;
  for (const std::vector<TraceEvent>* part : {&setup_, &after_loop_, &teardown_}) {
    for (const TraceEvent& e : *part) ns += e.kind == TraceEvent::kSleep ? e.ns : 0;
  }
  return ns;
}

void RunBuilder::FillBody(double ns_per_op, RunProgram& prog) const {
  prog.iterations = Iterations();
  if (whole_run_) {
    prog.body = body_;
    // An empty streamed body is an empty held one.
    prog.body_streamed = streaming() && body_events_ > 0;
    prog.body_events = body_events_;
    prog.body_work = body_work_;
    prog.ns_per_iteration = static_cast<int64_t>(std::llround(ns_per_op * static_cast<double>(ctx_.n)));
    return;
  }
  const int64_t procs = ctx_.gomaxprocs;
  if (side_by_side_) {
    prog.body = body_;
    prog.ns_per_iteration = static_cast<int64_t>(std::llround(ns_per_op * static_cast<double>(procs)));
    return;
  }
  if (!parallel_ || ctx_.gomaxprocs <= 1) {
    prog.body = body_;
    prog.ns_per_iteration =
        static_cast<int64_t>(std::llround(ns_per_op * static_cast<double>(ops_per_iteration_)));
    return;
  }
  // One copy of the body per P, each with ids of its own (the copies for P
  // k > 0 are renumbered above every id the builder handed out).
  uint64_t next = next_id_;
  for (int p = 0; p < ParallelOpPs(); ++p) {
    absl::flat_hash_map<uint64_t, uint64_t> renumber;
    for (TraceEvent e : body_) {
      // Time and the calls that stop the world belong to the iteration, not
      // to each P.
      if (p > 0 && (e.kind == TraceEvent::kSleep || e.kind == TraceEvent::kCompute ||
                    StopsTheWorld(e))) {
        continue;
      }
      if (e.kind == TraceEvent::kAlloc || e.kind == TraceEvent::kStack ||
          e.kind == TraceEvent::kGo || e.kind == TraceEvent::kSudog) {
        if (p > 0) renumber[e.id] = next++;
      }
      if (p > 0 && renumber.contains(e.id) && HasId(e.kind)) e.id = renumber[e.id];
      if (HasP(e.kind)) e.p = p;
      prog.body.push_back(e);
    }
  }
  // gomaxprocs ops run side by side in one iteration's wall time.
  prog.ns_per_iteration = static_cast<int64_t>(std::llround(ns_per_op * procs));
}

}  // namespace thp
