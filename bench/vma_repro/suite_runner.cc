#include "bench/vma_repro/suite_runner.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/workloads/trace_replayer.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace {

TraceEvent Marker(TraceEvent::Kind kind) {
  TraceEvent e{};
  e.kind = kind;
  return e;
}

// Copies what the replayer and runtime know now into `r`.
void Collect(TraceReplayer& rep, absl::Time wall_start, VariantResult& r) {
  const CensusKernel& c = rep.census();
  r.max_process_vmas = c.max_process();
  r.max_own_vmas = c.max_own();
  r.max_go_vmas = c.max_go_equivalent();
  r.max_split_vmas = c.max_splits();
  r.final_process_vmas = c.current().process;
  r.final_own_vmas = c.current().own;
  const MemStats& m = rep.runtime().heap().stats();
  r.heap_sys = m.heap_sys;
  r.heap_released = m.heap_released;
  r.heap_inuse = m.heap_inuse;
  r.gc_cycles = static_cast<int64_t>(m.numgc);
  const MadviseCounters& mc = rep.runtime().mem().counters();
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
  r.scavenge_passes = rep.sysmon().scavenges();
  r.events = rep.stats().events;
  r.census_reads = c.observations();
  r.virtual_ns = rep.stats().virtual_ns;
  r.wall_ns = absl::ToInt64Nanoseconds(absl::Now() - wall_start);
  r.series = DownsampleSeries(c.series(), c.current().t_ns, kSeriesPoints);
}

}  // namespace

absl::StatusOr<std::vector<ScheduledBenchmark>> ScheduleBenchmarks(
    const std::vector<const Go15Benchmark*>& benchmarks,
    const std::vector<RecordedBenchmark>& timings, bool fix, double time_scale) {
  absl::flat_hash_map<std::string, const RecordedBenchmark*> by_name;
  for (const RecordedBenchmark& t : timings) by_name[t.name] = &t;
  std::vector<ScheduledBenchmark> out;
  for (const Go15Benchmark* b : benchmarks) {
    auto t = by_name.find(b->name);
    if (t == by_name.end()) return absl::NotFoundError(absl::StrCat("no timing for ", b->name));
    out.push_back(ScheduledBenchmark{b, (fix ? t->second->ns_fix : t->second->ns_go151) * time_scale});
  }
  return out;
}

void ForEachRun(const ScheduledBenchmark& b, int gomaxprocs, int64_t benchtime_ns,
                const std::function<void(const RunProgram& prog, const BodyStream& stream)>& run) {
  // Counts a streamed body the first time round.
  class Discard final : public EventSink {
   public:
    void Put(const TraceEvent&) override {}
  };
  LaunchSchedule(
      [&](int64_t n) {
        const RunContext ctx{n, gomaxprocs};
        Discard discard;
        RunBuilder builder(ctx, &discard);
        b.bench->generate(builder);
        const RunProgram prog = builder.Build(b.bench->name, b.ns_per_op);
        BodyStream stream;
        if (prog.body_streamed) {
          stream = [&b, &ctx, &prog](EventSink& sink) {
            RunBuilder again(ctx, &sink);
            b.bench->generate(again);
            const RunProgram check = again.Build(b.bench->name, b.ns_per_op);
            THP_CHECK(check.body_events == prog.body_events,
                      absl::StrCat(b.bench->name, ": the generator wrote ", check.body_events,
                                   " body events the second time, ", prog.body_events, " the first"));
          };
        }
        run(prog, stream);
        return static_cast<int64_t>(std::llround(b.ns_per_op * static_cast<double>(n)));
      },
      benchtime_ns);
}

void ForEachEvent(const RunProgram& prog, const BodyStream& stream, bool no_safe_point,
                  const std::function<void(const TraceEvent&)>& put) {
  TraceEvent label = Marker(TraceEvent::kBench);
  label.name = prog.benchmark;
  label.id = static_cast<uint64_t>(prog.n);
  put(label);
  put(Marker(TraceEvent::kGc));
  for (const TraceEvent& e : prog.setup) put(e);
  TraceEvent loop = Marker(TraceEvent::kLoop);
  loop.id = static_cast<uint64_t>(prog.iterations);
  loop.ns = prog.ns_per_iteration;
  loop.no_safe_point = no_safe_point;
  put(loop);
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
}

absl::Status ApplyRun(TraceReplayer& rep, const RunProgram& prog, const BodyStream& stream,
                      bool no_safe_point) {
  TraceEvent label = Marker(TraceEvent::kBench);
  label.name = prog.benchmark;
  label.id = static_cast<uint64_t>(prog.n);
  if (absl::Status st = rep.Apply(label); !st.ok()) return st;
  if (absl::Status st = rep.Apply(Marker(TraceEvent::kGc)); !st.ok()) return st;
  for (const TraceEvent& e : prog.setup) {
    if (absl::Status st = rep.Apply(e); !st.ok()) return st;
  }
  if (prog.body_streamed) {
    // A streamed body is a WholeRun: one iteration, never without a safe
    // point (it holds events, and each one reaches one).
    THP_CHECK(prog.iterations == 1 && !no_safe_point,
              absl::StrCat(prog.benchmark, ": a streamed body must be one iteration with safe points"));
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
  } else if (absl::Status st =
                 rep.ApplyLoop(prog.body, prog.iterations, prog.ns_per_iteration, no_safe_point);
             !st.ok()) {
    return st;
  }
  for (const TraceEvent& e : prog.teardown) {
    if (absl::Status st = rep.Apply(e); !st.ok()) return st;
  }
  return absl::OkStatus();
}

VariantResult RunSuite(Kernel& kernel, const SuiteOptions& o, VariantResult* partial) {
  VariantResult local;
  VariantResult& r = partial != nullptr ? *partial : local;
  r.variant = o.runtime.variant;
  r.kernel = std::string(kernel.Name());
  r.profile = o.profile;
  const absl::Time wall_start = absl::Now();
  absl::StatusOr<std::unique_ptr<TraceReplayer>> made =
      TraceReplayer::Create(kernel, o.runtime, o.scavenge_debug, o.gctrace);
  if (!made.ok()) Throw(made.status().message());
  TraceReplayer& rep = **made;

  // A fatal error inside the runtime reports what was measured so far.
  ThrowHook report;
  if (o.on_fatal) {
    report = [&rep, &r, wall_start, &o](absl::string_view message) {
      Collect(rep, wall_start, r);
      r.error = std::string(message);
      o.on_fatal(r);
    };
  }
  ScopedThrowHook hook(std::move(report));

  if (o.on_census_peak) rep.set_on_census_peak([&rep, &o] { o.on_census_peak(rep); });
  if (o.on_start) o.on_start(rep);

  const HeapLayout& layout = rep.runtime().heap().layout();
  auto sample = [&] {
    if (layout.arena_used <= layout.arena_start) return;
    const Residency res = kernel.ResidencyOf(layout.arena_start, layout.arena_used);
    r.peak_rss = std::max(r.peak_rss, res.resident_bytes);
    r.peak_anon_huge = std::max(r.peak_anon_huge, res.anon_huge_bytes);
    r.final_rss = res.resident_bytes;
    r.final_anon_huge = res.anon_huge_bytes;
  };
  uint64_t released_seen = 0;
  rep.set_on_scavenge([&] {
    const uint64_t released = rep.runtime().heap().stats().heap_released;
    if (released != released_seen) sample();
    released_seen = released;
  });

  const size_t total = o.benchmarks.size();
  for (size_t i = 0; i < total; ++i) {
    const ScheduledBenchmark& b = o.benchmarks[i];
    if (o.progress) o.progress(*b.bench, i, total);
    ForEachRun(b, o.runtime.gomaxprocs, o.benchtime_ns,
               [&](const RunProgram& prog, const BodyStream& stream) {
                 const int64_t max_before = rep.census().max_own();
                 absl::Status st = ApplyRun(rep, prog, stream, !b.bench->loop_reaches_safe_point);
                 THP_CHECK(st.ok(), absl::StrCat(b.bench->name, ": ", st.message()));
                 // The teardown only lets go of handles and gs (heap frees,
                 // no kernel call), so the arena is as the loop left it.
                 sample();
                 if (rep.census().max_own() > max_before) r.max_at_benchmark = b.bench->name;
                 ++r.runs;
                 r.ops += prog.iterations;
               });
    ++r.benchmarks;
  }
  if (o.on_end) o.on_end(rep);
  sample();
  Collect(rep, wall_start, r);
  return r;
}

}  // namespace thp
