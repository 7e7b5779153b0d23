#include "bench/workloads/trace.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace {

absl::Status LineError(int line_no, absl::string_view line, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrFormat("trace line %d: %s: \"%s\"", line_no, what, line));
}

}  // namespace

absl::StatusOr<TraceEvent> ParseTraceLine(absl::string_view line, int line_no, bool* is_event) {
  *is_event = false;
  absl::string_view body = line.substr(0, line.find('#'));
  std::vector<absl::string_view> f = absl::StrSplit(body, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  if (f.empty()) return TraceEvent{};
  *is_event = true;
  TraceEvent e{};
  auto num = [&](size_t i, uint64_t* out) { return i < f.size() && absl::SimpleAtoi(f[i], out); };
  auto p_of = [&](size_t i, int* out) { return i < f.size() && absl::SimpleAtoi(f[i], out) && *out >= 0; };
  const absl::string_view op = f[0];
  uint64_t v = 0;
  if (op == "alloc") {
    e.kind = TraceEvent::kAlloc;
    if (f.size() != 5 || !num(1, &e.id) || !num(2, &e.bytes) ||
        (f[3] != "scan" && f[3] != "noscan") || !p_of(4, &e.p)) {
      return LineError(line_no, line, "expected alloc <id> <bytes> scan|noscan <p>");
    }
    e.noscan = f[3] == "noscan";
  } else if (op == "drop") {
    e.kind = TraceEvent::kDrop;
    if (f.size() != 2 || !num(1, &e.id)) return LineError(line_no, line, "expected drop <id>");
  } else if (op == "stack") {
    e.kind = TraceEvent::kStack;
    if (f.size() != 4 || !num(1, &e.id) || !num(2, &e.bytes) || !p_of(3, &e.p)) {
      return LineError(line_no, line, "expected stack <id> <bytes> <p>");
    }
  } else if (op == "unstack") {
    e.kind = TraceEvent::kUnstack;
    if (f.size() != 3 || !num(1, &e.id) || !p_of(2, &e.p)) {
      return LineError(line_no, line, "expected unstack <id> <p>");
    }
  } else if (op == "go" || op == "goexit") {
    e.kind = op == "go" ? TraceEvent::kGo : TraceEvent::kGoExit;
    if (f.size() != 3 || !num(1, &e.id) || !p_of(2, &e.p)) {
      return LineError(line_no, line, absl::StrCat("expected ", op, " <id> <p>"));
    }
  } else if (op == "gogrow") {
    e.kind = TraceEvent::kGoGrow;
    if (f.size() != 4 || !num(1, &e.id) || !num(2, &e.bytes) || !p_of(3, &e.p)) {
      return LineError(line_no, line, "expected gogrow <id> <bytes> <p>");
    }
  } else if (op == "retain") {
    e.kind = TraceEvent::kRetain;
    if (f.size() != 2 || !num(1, &e.id)) return LineError(line_no, line, "expected retain <id>");
  } else if (op == "gc" || op == "freeosmemory" || op == "release") {
    e.kind = op == "gc" ? TraceEvent::kGc
             : op == "release" ? TraceEvent::kRelease
                               : TraceEvent::kFreeOsMemory;
    if (f.size() != 1) return LineError(line_no, line, absl::StrCat("expected ", op, " alone"));
  } else if (op == "compute" || op == "sleep") {
    e.kind = op == "compute" ? TraceEvent::kCompute : TraceEvent::kSleep;
    if (f.size() != 2 || !num(1, &v) || v > (uint64_t{1} << 62)) {
      return LineError(line_no, line, absl::StrCat("expected ", op, " <ns>"));
    }
    e.ns = static_cast<int64_t>(v);
  } else if (op == "bench") {
    e.kind = TraceEvent::kBench;
    if (f.size() != 3 || !num(2, &e.id)) return LineError(line_no, line, "expected bench <name> <n>");
    e.name = std::string(f[1]);
  } else if (op == "loop") {
    e.kind = TraceEvent::kLoop;
    if (f.size() != 3 || !num(1, &e.id) || !num(2, &v) || v > (uint64_t{1} << 62)) {
      return LineError(line_no, line, "expected loop <iterations> <ns>");
    }
    e.ns = static_cast<int64_t>(v);
  } else if (op == "end") {
    e.kind = TraceEvent::kEnd;
    if (f.size() != 1) return LineError(line_no, line, "expected end alone");
  } else {
    return LineError(line_no, line,
                     "unknown event (accepted: alloc, drop, retain, release, stack, unstack, go, "
                     "gogrow, goexit, gc, freeosmemory, compute, sleep, bench, loop, end)");
  }
  return e;
}

absl::StatusOr<std::vector<TraceEvent>> ParseTrace(absl::string_view text) {
  std::vector<TraceEvent> out;
  int line_no = 0;
  int loop_line = 0;  // the open loop's line, 0 outside loops
  bool header = false;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    if (!header) {
      absl::string_view body = absl::StripAsciiWhitespace(line.substr(0, line.find('#')));
      if (body.empty()) continue;
      if (body != "thp-trace 1") {
        return LineError(line_no, line, "expected the header \"thp-trace 1\"");
      }
      header = true;
      continue;
    }
    bool is_event = false;
    absl::StatusOr<TraceEvent> e = ParseTraceLine(line, line_no, &is_event);
    if (!e.ok()) return e.status();
    if (!is_event) continue;
    e->line = line_no;
    if (e->kind == TraceEvent::kLoop || e->kind == TraceEvent::kBench) {
      if (loop_line != 0) {
        return LineError(line_no, line,
                         absl::StrCat("inside the loop opened on line ", loop_line,
                                      " (loops hold no loop or bench lines)"));
      }
      if (e->kind == TraceEvent::kLoop) loop_line = line_no;
    } else if (e->kind == TraceEvent::kEnd) {
      if (loop_line == 0) return LineError(line_no, line, "end without a loop");
      loop_line = 0;
    }
    out.push_back(*std::move(e));
  }
  if (!header) return absl::InvalidArgumentError("trace: empty (no \"thp-trace 1\" header)");
  if (loop_line != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("trace line ", loop_line, ": loop without an end"));
  }
  return out;
}

std::string FormatTraceEvent(const TraceEvent& e) {
  switch (e.kind) {
    case TraceEvent::kAlloc:
      return absl::StrFormat("alloc %d %d %s %d", e.id, e.bytes, e.noscan ? "noscan" : "scan", e.p);
    case TraceEvent::kDrop: return absl::StrFormat("drop %d", e.id);
    case TraceEvent::kStack: return absl::StrFormat("stack %d %d %d", e.id, e.bytes, e.p);
    case TraceEvent::kUnstack: return absl::StrFormat("unstack %d %d", e.id, e.p);
    case TraceEvent::kGc: return "gc";
    case TraceEvent::kFreeOsMemory: return "freeosmemory";
    case TraceEvent::kCompute: return absl::StrFormat("compute %d", e.ns);
    case TraceEvent::kSleep: return absl::StrFormat("sleep %d", e.ns);
    case TraceEvent::kBench: return absl::StrFormat("bench %s %d", e.name, e.id);
    case TraceEvent::kLoop: return absl::StrFormat("loop %d %d", e.id, e.ns);
    case TraceEvent::kEnd: return "end";
    case TraceEvent::kRetain: return absl::StrFormat("retain %d", e.id);
    case TraceEvent::kRelease: return "release";
    case TraceEvent::kGo: return absl::StrFormat("go %d %d", e.id, e.p);
    case TraceEvent::kGoGrow: return absl::StrFormat("gogrow %d %d %d", e.id, e.bytes, e.p);
    case TraceEvent::kGoExit: return absl::StrFormat("goexit %d %d", e.id, e.p);
  }
  return "?";
}

absl::StatusOr<std::unique_ptr<TraceReplayer>> TraceReplayer::Create(
    Kernel& kernel, const RuntimeOptions& options, bool scavenge_debug, const TraceSink* trace,
    bool vma_census) {
  auto clock = std::make_unique<VirtualClock>(1000);
  const VirtualClock* c = clock.get();
  std::unique_ptr<CensusKernel> census;
  if (vma_census) {
    census = std::make_unique<CensusKernel>(kernel, [c] { return c->NanoTime(); });
    census->Observe();
  }
  absl::StatusOr<std::unique_ptr<Runtime>> rt =
      Runtime::Create(census != nullptr ? *census : kernel, *clock, options);
  if (!rt.ok()) return rt.status();
  return std::unique_ptr<TraceReplayer>(new TraceReplayer(
      std::move(census), std::move(clock), *std::move(rt), scavenge_debug, trace));
}

TraceReplayer::TraceReplayer(std::unique_ptr<CensusKernel> census,
                             std::unique_ptr<VirtualClock> clock, std::unique_ptr<Runtime> rt,
                             bool scavenge_debug, const TraceSink* trace)
    : census_(std::move(census)), clock_(std::move(clock)), rt_(std::move(rt)), trace_(trace) {
  start_ns_ = clock_->NanoTime();
  SysmonOptions so;
  so.scavenge_debug = scavenge_debug;
  sysmon_ = std::make_unique<Sysmon>(start_ns_, so);
  actions_.all_ps_idle = [this](int64_t, int64_t* busy_at) {
    *busy_at = busy_at_;
    return idle_;
  };
  actions_.last_gc = [this]() -> int64_t {
    const auto& c = rt_->gc().cycles();
    return c.empty() ? 0 : c.back().start_ns;
  };
  actions_.force_gc = [this] {
    if (trace_ != nullptr && *trace_) (*trace_)("GC forced");
    rt_->gc().StartGC(GcMode::kBackground, /*force_trigger=*/true);
  };
  actions_.scavenge = [this](int32_t k, uint64_t now, uint64_t limit) {
    HeapScavenge(rt_->heap(), k, now, limit, trace_);
    if (on_scavenge_) on_scavenge_();
  };
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
  const int64_t until = clock_->NanoTime() + ns;
  idle_ = idle;
  busy_at_ = until;
  sysmon_->RunUntil(until, actions_, [this](int64_t t) { clock_->Set(t); });
  clock_->Set(until);
  idle_ = false;
  // Between bursts the other P's background sweeper catches up.
  rt_->gc().BackgroundSweep(1 << 20);
}

absl::Status TraceReplayer::Apply(const TraceEvent& e) {
  if (e.kind != TraceEvent::kBench) ++events_;  // a label is not a heap event
  switch (e.kind) {
    case TraceEvent::kAlloc: {
      if (objects_.contains(e.id)) {
        return absl::InvalidArgumentError(absl::StrCat("alloc ", e.id, ": id already live"));
      }
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
      auto it = goroutines_.find(e.id);
      if (it == goroutines_.end()) {
        return absl::NotFoundError(absl::StrCat("gogrow ", e.id, ": no running goroutine has that id"));
      }
      if (absl::Status st = rt_->GrowGoroutine(it->second, e.bytes, e.p); !st.ok()) return st;
      break;
    }
    case TraceEvent::kGoExit: {
      auto it = goroutines_.find(e.id);
      if (it == goroutines_.end()) {
        return absl::NotFoundError(absl::StrCat("goexit ", e.id, ": no running goroutine has that id"));
      }
      if (absl::Status st = rt_->ExitGoroutine(it->second, e.p); !st.ok()) return st;
      goroutines_.erase(it);
      break;
    }
    case TraceEvent::kGc:
      rt_->GC();
      break;
    case TraceEvent::kFreeOsMemory:
      FreeOSMemory(*rt_, trace_);
      break;
    case TraceEvent::kCompute:
      Advance(e.ns, /*idle=*/false);
      break;
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
      break;
    }
    case TraceEvent::kRelease:
      for (uintptr_t x : retained_) {
        if (absl::Status st = rt_->Drop(x); !st.ok()) return st;
      }
      retained_.clear();
      break;
    case TraceEvent::kBench:
      break;
    case TraceEvent::kLoop:
    case TraceEvent::kEnd:
      return absl::InvalidArgumentError("loop and end are applied by Run, not Apply");
  }
  return absl::OkStatus();
}

absl::Status TraceReplayer::ApplyLoop(const std::vector<TraceEvent>& body, int64_t iterations,
                                      int64_t ns_per_iteration) {
  // The iteration's busy time is spread evenly after its alloc, stack and
  // go events (all of it at the end if it has none), and reaches sysmon in
  // slices of at most kLoopSliceNs.
  auto is_work = [](const TraceEvent& e) {
    return e.kind == TraceEvent::kAlloc || e.kind == TraceEvent::kStack ||
           e.kind == TraceEvent::kGo;
  };
  int64_t work = 0;
  for (const TraceEvent& e : body) work += is_work(e);
  const int64_t per_work = work == 0 ? 0 : ns_per_iteration / work;
  const int64_t at_end = ns_per_iteration - per_work * work;
  // An alloc whose drop is the very next event is one transient allocation
  // (Runtime::AllocateTransient): same heap decisions, no handle to track.
  // Likewise an alloc followed by its retain goes straight to the retained
  // list.
  enum class Fast { kNo, kTransient, kRetained };
  struct Step {
    const TraceEvent* e;
    Fast fast;
  };
  std::vector<Step> steps;
  for (size_t k = 0; k < body.size(); ++k) {
    const TraceEvent& e = body[k];
    Fast fast = Fast::kNo;
    if (e.kind == TraceEvent::kAlloc && k + 1 < body.size() && body[k + 1].id == e.id &&
        !objects_.contains(e.id)) {
      if (body[k + 1].kind == TraceEvent::kDrop) fast = Fast::kTransient;
      if (body[k + 1].kind == TraceEvent::kRetain) fast = Fast::kRetained;
    }
    steps.push_back(Step{&e, fast});
    if (fast != Fast::kNo) ++k;
  }
  int64_t pending = 0;
  auto flush = [&] {
    if (pending > 0) Advance(pending, /*idle=*/false);
    pending = 0;
  };
  if (steps.empty()) {
    // Nothing but time: the same slices the loop below would make, without
    // walking the iterations one by one (b.N reaches 1e9).
    if (ns_per_iteration > 0) {
      const int64_t per_slice = (kLoopSliceNs + ns_per_iteration - 1) / ns_per_iteration;
      for (int64_t done = 0; done < iterations; done += per_slice) {
        Advance(std::min(per_slice, iterations - done) * ns_per_iteration, /*idle=*/false);
      }
    }
      return absl::OkStatus();
  }
  for (int64_t i = 0; i < iterations; ++i) {
    for (const Step& step : steps) {
      const TraceEvent& e = *step.e;
      if (e.kind == TraceEvent::kGc || e.kind == TraceEvent::kSleep ||
          e.kind == TraceEvent::kFreeOsMemory || e.kind == TraceEvent::kCompute) {
        flush();
      }
      if (step.fast == Fast::kTransient) {
        if (absl::Status st = rt_->AllocateTransient(e.bytes, e.noscan, e.p); !st.ok()) return st;
        events_ += 2;
      } else if (step.fast == Fast::kRetained) {
        absl::StatusOr<uintptr_t> x = rt_->Allocate(e.bytes, e.noscan, e.p);
        if (!x.ok()) return x.status();
        retained_.push_back(*x);
        events_ += 2;
      } else if (absl::Status st = Apply(e); !st.ok()) {
        return st;
      }
      if (is_work(e)) {
        pending += per_work;
        if (pending >= kLoopSliceNs) flush();
      }
    }
    pending += at_end;
    if (pending >= kLoopSliceNs) flush();
  }
  flush();
  return absl::OkStatus();
}

absl::Status TraceReplayer::Run(const std::vector<TraceEvent>& events,
                                const std::function<void(const TraceEvent&)>& on_bench) {
  for (size_t i = 0; i < events.size(); ++i) {
    const TraceEvent& e = events[i];
    if (e.kind == TraceEvent::kBench && on_bench) on_bench(e);
    if (e.kind != TraceEvent::kLoop) {
      if (absl::Status st = Apply(e); !st.ok()) {
        return absl::Status(st.code(), absl::StrCat("trace line ", e.line, ": ", st.message()));
      }
      continue;
    }
    std::vector<TraceEvent> body;
    size_t j = i + 1;
    for (; j < events.size() && events[j].kind != TraceEvent::kEnd; ++j) body.push_back(events[j]);
    if (j == events.size()) {
      return absl::InvalidArgumentError(absl::StrCat("trace line ", e.line, ": loop without an end"));
    }
    if (absl::Status st = ApplyLoop(body, static_cast<int64_t>(e.id), e.ns); !st.ok()) {
      return absl::Status(st.code(), absl::StrCat("trace loop at line ", e.line, ": ", st.message()));
    }
    i = j;
  }
  return absl::OkStatus();
}

}  // namespace thp
