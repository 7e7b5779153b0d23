#include "bench/vma_repro/suite_runner.h"

#include <algorithm>
#include <memory>

#include <iterator>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/workloads/go15_launch.h"
#include "bench/workloads/go15_new_ms.h"
#include "bench/workloads/go15_bench_setup.h"
#include "bench/workloads/go15_result_line.h"
#include "bench/workloads/go15_startup.h"
#include "bench/workloads/trace_replayer.h"
#include "mheap/go121/mem_linux.h"
#include "mheap/go121/stream_player.h"
#include "runtime_port/base/check.h"
#include "runtime_port/base/quote.h"
#include "runtime_port/kernel/census_kernel.h"
#include "runtime_port/memstream/player.h"
#include "runtime_port/memstream/recorder.h"

namespace thp {
namespace {

TraceEvent Marker(TraceEvent::Kind kind) {
  TraceEvent e{};
  e.kind = kind;
  return e;
}

// What only the heap run knows, which a memory-layer replay reads from the
// stream's end record.
struct HeapTotals {
  int64_t heap_sys = 0;
  int64_t heap_released = 0;
  int64_t heap_inuse = 0;
  int64_t gc_cycles = 0;
  int64_t scavenge_passes = 0;
  int64_t events = 0;
  int64_t virtual_ns = 0;
};

// The end record's words, in order: one table for writing and reading.
constexpr std::pair<const char*, int64_t HeapTotals::*> kTotalsFields[] = {
    {"heap_sys", &HeapTotals::heap_sys},
    {"heap_released", &HeapTotals::heap_released},
    {"heap_inuse", &HeapTotals::heap_inuse},
    {"gc_cycles", &HeapTotals::gc_cycles},
    {"scavenge_passes", &HeapTotals::scavenge_passes},
    {"events", &HeapTotals::events},
    {"virtual_ns", &HeapTotals::virtual_ns}};

HeapTotals TotalsOf(TraceReplayer& rep) {
  const HeapFigures f = rep.heap_runtime().Figures();
  HeapTotals h;
  h.heap_sys = static_cast<int64_t>(f.heap_sys);
  h.heap_released = static_cast<int64_t>(f.heap_released);
  h.heap_inuse = static_cast<int64_t>(f.heap_inuse);
  h.gc_cycles = static_cast<int64_t>(f.gc_cycles);
  h.scavenge_passes = f.scavenge_passes;
  h.events = rep.stats().events;
  h.virtual_ns = rep.stats().virtual_ns;
  return h;
}

std::string FormatTotals(const HeapTotals& h) {
  std::string out;
  for (const auto& [key, field] : kTotalsFields) {
    absl::StrAppend(&out, out.empty() ? "" : " ", key, "=", h.*field);
  }
  return out;
}

absl::StatusOr<HeapTotals> ParseTotals(absl::string_view text) {
  HeapTotals h;
  size_t seen = 0;
  for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    const size_t eq = word.find('=');
    bool known = false;
    for (size_t i = 0; i < std::size(kTotalsFields); ++i) {
      if (eq == absl::string_view::npos || word.substr(0, eq) != kTotalsFields[i].first) continue;
      if (!absl::SimpleAtoi(word.substr(eq + 1), &(h.*kTotalsFields[i].second))) break;
      known = true;
      seen |= size_t{1} << i;
    }
    if (!known) {
      return absl::InvalidArgumentError(absl::StrCat("end record: ", QuoteForError(word),
                                                     ": expected <total>=<integer>"));
    }
  }
  if (seen != (size_t{1} << std::size(kTotalsFields)) - 1) {
    return absl::InvalidArgumentError(
        "end record: expected heap_sys, heap_released, heap_inuse, gc_cycles, scavenge_passes, "
        "events and virtual_ns");
  }
  return h;
}

// Copies what the census, the memory layer and the heap know now into `r`.
void Collect(const CensusKernel& c, const MadviseCounters& mc, const HeapTotals& h,
             absl::Time wall_start, VariantResult& r) {
  r.max_process_vmas = c.max_process();
  r.max_own_vmas = c.max_own();
  r.max_go_vmas = c.max_go_equivalent();
  r.max_split_vmas = c.max_splits();
  r.final_process_vmas = c.current().process;
  r.final_own_vmas = c.current().own;
  r.heap_sys = static_cast<uint64_t>(h.heap_sys);
  r.heap_released = static_cast<uint64_t>(h.heap_released);
  r.heap_inuse = static_cast<uint64_t>(h.heap_inuse);
  r.gc_cycles = h.gc_cycles;
  r.madvise_calls.clear();
  r.madvise_errors.clear();
  for (int a = 0; a < kNumAdvices; ++a) {
    r.madvise_calls.emplace_back(std::string(AdviceName(static_cast<Advice>(a))),
                                 mc.Calls(static_cast<Advice>(a)));
  }
  for (const auto& [key, n] : mc.errors) {
    r.madvise_errors.emplace_back(
        absl::StrCat(AdviceName(key.first), "/", ErrnoName(key.second)), n);
  }
  r.mmap_calls = mc.mmap_calls;
  r.munmap_calls = mc.munmap_calls;
  r.scavenge_passes = h.scavenge_passes;
  r.events = h.events;
  r.census_reads = c.observations();
  r.virtual_ns = h.virtual_ns;
  r.wall_ns = absl::ToInt64Nanoseconds(absl::Now() - wall_start);
  r.series = DownsampleSeries(c.series(), c.current().t_ns, kSeriesPoints);
}

// Each benchmark's Go-equivalent maximum (VariantResult::benchmark_max_vmas)
// from the census's points, which record every change of the count.
class BenchmarkPeaks {
 public:
  explicit BenchmarkPeaks(const CensusKernel& census) : census_(census) {}
  // Ends the open benchmark, if any, into `out`, and opens `name`.
  void Start(const std::string& name, NamedCounts& out) {
    Finish(out);
    name_ = name;
    from_ = census_.series().size();
    peak_ = census_.current().own;
    open_ = true;
  }
  void Finish(NamedCounts& out) {
    if (!open_) return;
    const std::vector<CensusPoint>& points = census_.series();
    for (size_t k = from_; k < points.size(); ++k) peak_ = std::max(peak_, points[k].own);
    out.emplace_back(name_, peak_ + kGoStaticBinaryVmas);
    open_ = false;
  }

 private:
  const CensusKernel& census_;
  std::string name_;
  size_t from_ = 0;
  int64_t peak_ = 0;
  bool open_ = false;
};

void Collect(TraceReplayer& rep, const HeapTotals& h, absl::Time wall_start, VariantResult& r) {
  Collect(rep.census(), rep.heap_runtime().counters(), h, wall_start, r);
}

// The residency sample a driver takes of the arena [lo, hi).
void Sample(Kernel& kernel, uintptr_t lo, uintptr_t hi, VariantResult& r) {
  if (hi <= lo) return;
  const Residency res = kernel.ResidencyOf(lo, hi);
  r.peak_rss = std::max(r.peak_rss, res.resident_bytes);
  r.peak_anon_huge = std::max(r.peak_anon_huge, res.anon_huge_bytes);
  r.final_rss = res.resident_bytes;
  r.final_anon_huge = res.anon_huge_bytes;
}

}  // namespace

absl::StatusOr<std::vector<ScheduledBenchmark>> ScheduleBenchmarks(
    const std::vector<const Go15Benchmark*>& benchmarks,
    const std::vector<RecordedBenchmark>& timings, bool fix, double time_scale,
    int64_t benchtime_ns) {
  absl::flat_hash_map<std::string, const RecordedBenchmark*> by_name;
  for (const RecordedBenchmark& t : timings) by_name[t.name] = &t;
  const bool as_recorded = time_scale == 1.0 && benchtime_ns == kRecordedBenchtimeNs;
  std::vector<ScheduledBenchmark> out;
  for (const Go15Benchmark* b : benchmarks) {
    auto t = by_name.find(b->name);
    if (t == by_name.end()) return absl::NotFoundError(absl::StrCat("no timing for ", b->name));
    const double ns = (fix ? t->second->ns_fix : t->second->ns_go151) * time_scale;
    ScheduledBenchmark s{b, ns, {}, time_scale};
    if (as_recorded) {
      const int64_t final_n = fix ? t->second->n_fix : t->second->n_go151;
      for (int64_t n : LaunchRunsEndingAt(ns, final_n, benchtime_ns)) {
        s.runs.push_back(RecordedRun{n, ns, /*wall=*/false});
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

double TimedNsPerOp(int64_t n, double wall_ns_per_op, int64_t stated_ns) {
  const double nn = static_cast<double>(std::max<int64_t>(n, 1));
  return std::max(1.0, wall_ns_per_op - static_cast<double>(stated_ns) / nn);
}

void ForEachRun(const ScheduledBenchmark& b, int gomaxprocs, int64_t benchtime_ns,
                const std::function<void(const RunProgram& prog, const BodyStream& stream)>& run) {
  // Counts a streamed body the first time round.
  class Discard final : public EventSink {
   public:
    void Put(const TraceEvent&) override {}
  };
  // One run of b.N = n at ns_per_op (wall: of wall time, the program's
  // sleeps and setup's busy time taken out); returns its timed duration.
  auto one_run = [&](int64_t n, double ns_per_op, bool wall) {
    const RunContext ctx{n, gomaxprocs, b.time_scale};
    Discard discard;
    RunBuilder builder(ctx, &discard);
    b.bench->generate(builder);
    if (wall) ns_per_op = TimedNsPerOp(n, ns_per_op, builder.SleepNs() + builder.SetupBusyNs());
    const RunProgram prog = builder.Build(b.bench->name, ns_per_op);
    BodyStream stream;
    if (prog.body_streamed) {
      stream = [&b, &ctx, &prog, ns_per_op](EventSink& sink) {
        RunBuilder again(ctx, &sink);
        b.bench->generate(again);
        const RunProgram check = again.Build(b.bench->name, ns_per_op);
        THP_CHECK(check.body_events == prog.body_events,
                  absl::StrCat(b.bench->name, ": the generator wrote ", check.body_events,
                               " body events the second time, ", prog.body_events, " the first"));
      };
    }
    run(prog, stream);
    return RunDurationNs(ns_per_op, n);
  };
  if (!b.runs.empty()) {
    for (const RecordedRun& r : b.runs) one_run(r.n, r.ns_per_op, r.wall);
    return;
  }
  LaunchSchedule([&](int64_t n) { return one_run(n, b.ns_per_op, /*wall=*/false); }, benchtime_ns);
}

// The "bench <name> <n>" label a run starts with.
TraceEvent BenchLabel(const RunProgram& prog) {
  TraceEvent label = Marker(TraceEvent::kBench);
  label.name = prog.benchmark;
  label.id = static_cast<uint64_t>(prog.n);
  return label;
}

// What testing.B.runN does before the benchmark function's setup: the
// label, the launch goroutine's use at runtime.GC() (with `launch`), the
// GC, StartTimer's ReadMemStats, the goroutine's use in the function.
std::vector<TraceEvent> RunNPrologue(const RunProgram& prog, const LaunchStack* launch) {
  std::vector<TraceEvent> out = {BenchLabel(prog)};
  if (launch != nullptr) out.push_back(LaunchUseEvent(launch->use_at_run_gc));
  out.push_back(Marker(TraceEvent::kGc));
  out.push_back(Marker(TraceEvent::kReadMemStats));
  if (launch != nullptr) out.push_back(LaunchUseEvent(launch->use_in_benchmark));
  return out;
}

// What it does after the teardown: StopTimer's ReadMemStats while the timer
// is still on, the launch goroutine's use there before it.
std::vector<TraceEvent> RunNEpilogue(const RunProgram& prog, const LaunchStack* launch) {
  if (!prog.timer_on_at_end) return {};
  std::vector<TraceEvent> out;
  if (launch != nullptr) out.push_back(LaunchUseEvent(launch->use_in_stop_timer));
  out.push_back(Marker(TraceEvent::kReadMemStats));
  return out;
}

namespace {
// The loop line of `prog`'s timed loop, its flags from `loop_sched`.
TraceEvent LoopLine(const RunProgram& prog, LoopSched loop_sched) {
  TraceEvent loop = Marker(TraceEvent::kLoop);
  loop.id = static_cast<uint64_t>(prog.iterations);
  loop.ns = prog.ns_per_iteration;
  loop.no_safe_point = loop_sched == LoopSched::kNoSafePoint;
  loop.alloc_safe_points = loop_sched == LoopSched::kSafePointsAtAllocs;
  loop.every_p_busy = loop_sched == LoopSched::kEveryPBusy;
  loop.p_move = static_cast<uint64_t>(prog.p_move_iterations);
  loop.p_steal = prog.p_steal;
  loop.p_stay = prog.p_stay;
  return loop;
}
}  // namespace

void ForEachEvent(const RunProgram& prog, const BodyStream& stream, LoopSched loop_sched,
                  const LaunchStack* launch, const std::function<void(const TraceEvent&)>& put) {
  for (const TraceEvent& e : RunNPrologue(prog, launch)) put(e);
  for (const TraceEvent& e : prog.setup) put(e);
  put(LoopLine(prog, loop_sched));
  if (prog.body_streamed) {
    class Forward final : public EventSink {
     public:
      explicit Forward(const std::function<void(const TraceEvent&)>& put) : put_(put) {}
      void Put(const TraceEvent& e) override { put_(e); }

     private:
      const std::function<void(const TraceEvent&)>& put_;
    };
    Forward forward(put);
    stream(forward);
  } else {
    for (const TraceEvent& e : prog.body) put(e);
  }
  put(Marker(TraceEvent::kEnd));
  for (const TraceEvent& e : prog.teardown) put(e);
  for (const TraceEvent& e : RunNEpilogue(prog, launch)) put(e);
}

absl::Status ApplyRun(TraceReplayer& rep, const RunProgram& prog, const BodyStream& stream,
                      LoopSched loop_sched, const LaunchStack* launch) {
  for (const TraceEvent& e : RunNPrologue(prog, launch)) {
    if (absl::Status st = rep.Apply(e); !st.ok()) return st;
  }
  for (const TraceEvent& e : prog.setup) {
    if (absl::Status st = rep.Apply(e); !st.ok()) return st;
  }
  if (prog.body_streamed) {
    // A streamed body is a WholeRun: one iteration, never without a safe
    // point (it holds events, and each one reaches one), and only Matmult's
    // goroutine tree, which schedules.
    THP_CHECK(prog.iterations == 1 && loop_sched == LoopSched::kSchedules,
              absl::StrCat(prog.benchmark, ": a streamed body must be one iteration with safe points "
                           "that lets the Ps schedule"));
    class Apply final : public EventSink {
     public:
      explicit Apply(TraceReplayer& rep) : rep_(rep) {}
      void Put(const TraceEvent& e) override { rep_.PutStreamedEvent(e).IgnoreError(); }

     private:
      TraceReplayer& rep_;
    };
    rep.BeginStreamedLoop(prog.ns_per_iteration, prog.body_work);
    Apply apply(rep);
    stream(apply);
    // The first failure is kept and returned here.
    if (absl::Status st = rep.EndStreamedLoop(); !st.ok()) return st;
  } else if (absl::Status st = rep.ApplyLoop(prog.body, prog.iterations, prog.ns_per_iteration,
                                             LoopOptionsOf(LoopLine(prog, loop_sched)));
             !st.ok()) {
    return st;
  }
  for (const TraceEvent& e : prog.teardown) {
    if (absl::Status st = rep.Apply(e); !st.ok()) return st;
  }
  for (const TraceEvent& e : RunNEpilogue(prog, launch)) {
    if (absl::Status st = rep.Apply(e); !st.ok()) return st;
  }
  return absl::OkStatus();
}

std::vector<TraceEvent> StartupEvents(HeapKind heap, bool go15_startup_heap) {
  if (heap != HeapKind::kGo15 || !go15_startup_heap) return {};
  return Go151StartupProgram();
}

std::vector<TraceEvent> BenchmarkStartEvents(HeapKind heap, bool go15_startup_heap,
                                             absl::string_view benchmark) {
  if (heap != HeapKind::kGo15) return {};
  std::vector<TraceEvent> out = {LaunchStartEvent()};
  if (go15_startup_heap) {
    for (const TraceEvent& e : Go151NewMEvents(benchmark)) out.push_back(e);
  }
  return out;
}

std::vector<TraceEvent> BenchmarkEndEvents(HeapKind heap, int gomaxprocs, size_t nth_next,
                                           absl::string_view next_name) {
  if (heap != HeapKind::kGo15) return {};
  std::vector<TraceEvent> out = {LaunchExitEvent()};
  for (const TraceEvent& e : Go151ResultLineEvents(gomaxprocs)) out.push_back(e);
  if (!next_name.empty()) {
    for (const TraceEvent& e : Go151BenchSetupEvents(nth_next, next_name, gomaxprocs)) {
      out.push_back(e);
    }
  }
  return out;
}

const LaunchStack* LaunchStackOf(HeapKind heap, absl::string_view benchmark) {
  if (heap != HeapKind::kGo15) return nullptr;
  return &Go151LaunchStack(benchmark);
}

VariantResult RunSuite(Kernel& kernel, const SuiteOptions& o, VariantResult* partial) {
  VariantResult local;
  VariantResult& r = partial != nullptr ? *partial : local;
  r.variant = o.runtime.variant;
  r.kernel = std::string(kernel.Name());
  r.profile = o.profile;
  r.heap = std::string(HeapKindName(o.heap));
  const absl::Time wall_start = absl::Now();
  // The recorder sees the heap's first call, made while the replayer is
  // being created, at the clock's start.
  const TraceReplayer* clock = nullptr;
  std::unique_ptr<MemStreamRecorder> recorder;
  RuntimeOptions ro = o.runtime;
  if (o.record != nullptr) {
    recorder = std::make_unique<MemStreamRecorder>(
        o.record, [&clock] { return clock != nullptr ? clock->now_ns() : kReplayStartNs; });
    if (o.heap == HeapKind::kGo121) recorder->Go121Heap();
    ro.mem_observer = recorder.get();
  }
  // Under gctrace a recording keeps the lines in the stream too.
  GcTraceWriter recorded_gctrace;
  const GcTraceWriter* gctrace = o.gctrace;
  if (recorder != nullptr && o.gctrace != nullptr) {
    recorded_gctrace = [&recorder, &o](const std::string& line) {
      recorder->Gctrace(line);
      (*o.gctrace)(line);
    };
    gctrace = &recorded_gctrace;
  }
  GcTraceWriter recorded_scavtrace;
  const GcTraceWriter* scavtrace = o.scavtrace;
  if (recorder != nullptr && o.scavtrace != nullptr) {
    recorded_scavtrace = [&recorder, &o](const std::string& line) {
      recorder->Gctrace(line);
      (*o.scavtrace)(line);
    };
    scavtrace = &recorded_scavtrace;
  }
  absl::StatusOr<std::unique_ptr<TraceReplayer>> made = TraceReplayer::Create(
      kernel, ro, o.scavenge_debug, gctrace, /*vma_census=*/true, o.heap, scavtrace);
  if (!made.ok()) Throw(made.status().message());
  TraceReplayer& rep = **made;
  rep.set_loop_slice_ns(o.loop_slice_ns);
  clock = &rep;

  BenchmarkPeaks peaks(rep.census());
  // A fatal error inside the runtime reports what was measured so far.
  ThrowHook report;
  if (o.on_fatal) {
    report = [&rep, &r, &peaks, wall_start, &o](absl::string_view message) {
      peaks.Finish(r.benchmark_max_vmas);
      Collect(rep, TotalsOf(rep), wall_start, r);
      r.error = std::string(message);
      o.on_fatal(r);
    };
  }
  ScopedThrowHook hook(std::move(report));

  if (o.on_census_peak) rep.set_on_census_peak([&rep, &o] { o.on_census_peak(rep); });
  if (o.on_start) o.on_start(rep);
  // What runtime.test's heap held when its first benchmark began: after
  // on_start, so an observer sees it as Go's log has it, before any
  // benchmark.
  for (const TraceEvent& e : StartupEvents(o.heap, o.go15_startup_heap)) {
    absl::Status st = rep.Apply(e);
    THP_CHECK(st.ok(), absl::StrCat("the Go 1.5.1 startup heap: ", st.message()));
  }

  auto sample = [&] {
    const auto [lo, hi] = rep.heap_runtime().ArenaRange();
    if (recorder != nullptr) recorder->Sample(lo, hi);
    Sample(kernel, lo, hi, r);
  };
  uint64_t released_seen = 0;
  rep.set_on_scavenge([&] {
    const uint64_t released = rep.heap_runtime().Figures().heap_released;
    if (released != released_seen) sample();
    released_seen = released;
  });

  const size_t total = o.benchmarks.size();
  for (size_t i = 0; i < total; ++i) {
    const ScheduledBenchmark& b = o.benchmarks[i];
    if (o.progress) o.progress(b.bench->name, i, total);
    if (recorder != nullptr) recorder->Bench(i, total, b.bench->name);
    peaks.Start(b.bench->name, r.benchmark_max_vmas);
    for (const TraceEvent& e : BenchmarkStartEvents(o.heap, o.go15_startup_heap, b.bench->name)) {
      absl::Status st = rep.Apply(e);
      THP_CHECK(st.ok(), absl::StrCat(b.bench->name, "'s start: ", st.message()));
    }
    const LaunchStack* launch = LaunchStackOf(o.heap, b.bench->name);
    ForEachRun(b, o.runtime.gomaxprocs, o.benchtime_ns,
               [&](const RunProgram& prog, const BodyStream& stream) {
                 if (recorder != nullptr) recorder->Run(prog.n);
                 if (o.on_run) o.on_run(rep, prog.n);
                 const int64_t max_before = rep.census().max_own();
                 absl::Status st =
                     ApplyRun(rep, prog, stream, b.bench->loop, launch);
                 THP_CHECK(st.ok(), absl::StrCat(b.bench->name, ": ", st.message()));
                 // The teardown only lets go of handles and gs (heap frees,
                 // no kernel call), so the arena is as the loop left it.
                 sample();
                 if (rep.census().max_own() > max_before) r.max_at_benchmark = b.bench->name;
                 if (recorder != nullptr) recorder->RunEnd(prog.iterations);
                 ++r.runs;
                 r.ops += prog.iterations;
               });
    const absl::string_view next = i + 1 < total ? o.benchmarks[i + 1].bench->name : "";
    for (const TraceEvent& e : BenchmarkEndEvents(o.heap, o.runtime.gomaxprocs, i + 1, next)) {
      absl::Status st = rep.Apply(e);
      THP_CHECK(st.ok(), absl::StrCat(b.bench->name, "'s end: ", st.message()));
    }
    ++r.benchmarks;
  }
  if (o.on_end) o.on_end(rep);
  sample();
  peaks.Finish(r.benchmark_max_vmas);
  const HeapTotals totals = TotalsOf(rep);
  Collect(rep, totals, wall_start, r);
  if (recorder != nullptr) {
    recorder->End(FormatTotals(totals));
    THP_CHECK(recorder->ok() && std::fflush(o.record) == 0,
              "the memory-layer stream could not be written");
  }
  return r;
}

bool SameHeapDecisions(const HugePagePolicy& a, const HugePagePolicy& b) {
  return a.TracksChunkDensity() == b.TracksChunkDensity();
}

std::vector<size_t> HeapRunOf(const std::vector<std::string>& variants,
                              const std::vector<HeapKind>& heaps) {
  THP_CHECK(heaps.empty() || heaps.size() == variants.size(), "HeapRunOf: one heap per variant");
  auto heap = [&heaps](size_t i) { return heaps.empty() ? HeapKind::kGo15 : heaps[i]; };
  std::vector<std::unique_ptr<HugePagePolicy>> policies;
  for (const std::string& v : variants) {
    absl::StatusOr<std::unique_ptr<HugePagePolicy>> p = MakeHugePagePolicy(v);
    THP_CHECK(p.ok(), std::string(p.status().message()));
    policies.push_back(*std::move(p));
  }
  std::vector<size_t> first(variants.size());
  for (size_t i = 0; i < variants.size(); ++i) {
    first[i] = i;
    for (size_t h = 0; h < i; ++h) {
      if (first[h] != h || heap(h) != heap(i)) continue;
      if (heap(i) == HeapKind::kGo121 || SameHeapDecisions(*policies[i], *policies[h])) {
        first[i] = h;
        break;
      }
    }
  }
  return first;
}

VariantResult ReplaySuite(Kernel& kernel, const ReplaySuiteOptions& o, VariantResult* partial) {
  VariantResult local;
  VariantResult& r = partial != nullptr ? *partial : local;
  r.variant = o.variant;
  r.kernel = std::string(kernel.Name());
  r.profile = o.profile;
  const absl::Time wall_start = absl::Now();
  absl::StatusOr<MemStreamReader> reader = MemStreamReader::Open(o.stream_path);
  if (!reader.ok()) Throw(reader.status().message());
  auto next = [&]() -> std::optional<MemRecord> {
    absl::StatusOr<MemRecord> rec = reader->Next();
    if (absl::IsNotFound(rec.status())) return std::nullopt;
    if (!rec.ok()) Throw(rec.status().message());
    return *std::move(rec);
  };
  // The census starts where the heap run's clock did.
  std::optional<MemRecord> first = next();
  if (!first.has_value() || first->kind != MemRecord::kAt) {
    Throw(absl::StrCat(o.stream_path, ": a stream starts with its clock (\"at <ns>\")"));
  }
  int64_t now = static_cast<int64_t>(first->addr);
  CensusKernel census(kernel, [&now] { return now; });
  census.Observe();
  // A Go 1.21 heap's stream says so first; the variant's memory layer is
  // then the Go 1.21 heap's.
  std::optional<MemRecord> pending = next();
  const bool go121 = pending.has_value() && pending->kind == MemRecord::kGo121Heap;
  if (go121) pending.reset();
  r.heap = std::string(HeapKindName(go121 ? HeapKind::kGo121 : HeapKind::kGo15));
  std::unique_ptr<MemLinux> mem15;
  std::unique_ptr<go121::MemLinux> mem121;
  if (go121) {
    go121::MemOptions mo;
    mo.map_noreserve = o.map_noreserve;
    absl::StatusOr<std::unique_ptr<go121::MemLinux>> made =
        go121::NewMemLinux(census, o.variant, mo);
    if (!made.ok()) Throw(made.status().message());
    mem121 = *std::move(made);
  } else {
    MemLinuxOptions mo;
    mo.map_noreserve = o.map_noreserve;
    absl::StatusOr<std::unique_ptr<MemLinux>> made = NewMemLinux(census, o.variant, mo);
    if (!made.ok()) Throw(made.status().message());
    mem15 = *std::move(made);
  }
  const MadviseCounters& counters = go121 ? mem121->counters() : mem15->counters();
  auto apply = [&](const MemRecord& rec) {
    return go121 ? go121::ApplyMemRecord(rec, *mem121) : ApplyMemRecord(rec, *mem15);
  };

  HeapTotals totals;  // known at the end record
  BenchmarkPeaks peaks(census);
  ThrowHook report;
  if (o.on_fatal) {
    report = [&](absl::string_view message) {
      peaks.Finish(r.benchmark_max_vmas);
      Collect(census, counters, totals, wall_start, r);
      r.error = std::string(message);
      o.on_fatal(r);
    };
  }
  ScopedThrowHook hook(std::move(report));

  std::string bench;
  int64_t max_before = 0;
  bool ended = false;
  while (std::optional<MemRecord> rec = pending.has_value() ? std::exchange(pending, std::nullopt)
                                                             : next()) {
    THP_CHECK(!ended, absl::StrCat(o.stream_path, ": records after the end record"));
    absl::StatusOr<bool> applied = apply(*rec);
    if (!applied.ok()) Throw(absl::StrCat(o.stream_path, ": ", applied.status().message()));
    if (*applied) continue;
    switch (rec->kind) {
      case MemRecord::kAt:
        now = static_cast<int64_t>(rec->addr);
        break;
      case MemRecord::kBench:
        if (!bench.empty()) ++r.benchmarks;
        bench = rec->text;
        peaks.Start(bench, r.benchmark_max_vmas);
        if (o.progress) o.progress(bench, rec->addr, rec->len);
        break;
      case MemRecord::kRun:
        max_before = census.max_own();
        break;
      case MemRecord::kRunEnd:
        if (census.max_own() > max_before) r.max_at_benchmark = bench;
        ++r.runs;
        r.ops += static_cast<int64_t>(rec->len);
        break;
      case MemRecord::kSample:
        Sample(kernel, rec->addr, rec->len, r);
        break;
      case MemRecord::kGctrace:
        if (o.gctrace != nullptr && *o.gctrace) (*o.gctrace)(rec->text);
        break;
      case MemRecord::kEnd: {
        absl::StatusOr<HeapTotals> t = ParseTotals(rec->text);
        if (!t.ok()) Throw(absl::StrCat(o.stream_path, ": ", t.status().message()));
        totals = *t;
        ended = true;
        break;
      }
      default:
        break;
    }
  }
  if (!ended) Throw(absl::StrCat(o.stream_path, ": the stream stops before its end record"));
  if (!bench.empty()) ++r.benchmarks;
  peaks.Finish(r.benchmark_max_vmas);
  Collect(census, counters, totals, wall_start, r);
  return r;
}

}  // namespace thp
