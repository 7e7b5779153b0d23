#include "bench/suite_runner.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/workloads/trace.h"
#include "runtime_port/check.h"

namespace thp {
namespace {

}  // namespace

void EmitRunProgram(const RunProgram& prog, const std::function<void(const std::string&)>& out) {
  TraceEvent label{};
  label.kind = TraceEvent::kBench;
  label.name = prog.benchmark;
  label.id = static_cast<uint64_t>(prog.n);
  out(FormatTraceEvent(label));
  out("gc");
  for (const TraceEvent& e : prog.setup) out(FormatTraceEvent(e));
  TraceEvent loop{};
  loop.kind = TraceEvent::kLoop;
  loop.id = static_cast<uint64_t>(prog.iterations);
  loop.ns = prog.ns_per_iteration;
  out(FormatTraceEvent(loop));
  for (const TraceEvent& e : prog.body) out(FormatTraceEvent(e));
  out("end");
  for (const TraceEvent& e : prog.teardown) out(FormatTraceEvent(e));
}

namespace {

void MustApply(TraceReplayer& r, const TraceEvent& e, const std::string& bench) {
  absl::Status st = r.Apply(e);
  THP_CHECK(st.ok(), absl::StrCat(bench, ": ", st.message()));
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

VariantResult RunSuite(Kernel& kernel, const SuiteOptions& o, VariantResult* partial) {
  VariantResult local;
  VariantResult& r = partial != nullptr ? *partial : local;
  r.variant = o.runtime.variant;
  r.kernel = std::string(kernel.Name());
  r.profile = o.profile;
  const absl::Time wall_start = absl::Now();
  absl::StatusOr<std::unique_ptr<TraceReplayer>> made =
      TraceReplayer::Create(kernel, o.runtime, o.scavenge_debug, nullptr);
  if (!made.ok()) Throw(made.status().message());
  TraceReplayer& rep = **made;

  // A fatal error inside the runtime reports what was measured so far.
  if (o.on_fatal) {
    SetThrowHook([&rep, &r, wall_start, &o](absl::string_view message) {
      Collect(rep, wall_start, r);
      r.error = std::string(message);
      o.on_fatal(r);
    });
  }

  absl::flat_hash_map<std::string, const RecordedBenchmark*> by_name;
  for (const RecordedBenchmark& t : *o.timings) by_name[t.name] = &t;

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

  std::string current;
  const size_t total = o.benchmarks.size();
  for (size_t i = 0; i < total; ++i) {
    const Go15Benchmark& bench = *o.benchmarks[i];
    current = bench.name;
    if (o.progress) o.progress(bench, i, total);
    auto t = by_name.find(bench.name);
    THP_CHECK(t != by_name.end(), absl::StrCat(bench.name, ": no recorded timing"));
    const double ns_per_op =
        (o.timings_fix ? t->second->ns_fix : t->second->ns_go151) * o.time_scale;
    LaunchSchedule(
        [&](int64_t n) {
          RunBuilder b(RunContext{n, o.runtime.gomaxprocs});
          bench.generate(b);
          const RunProgram prog = b.Build(bench.name, ns_per_op);
          const int64_t max_before = rep.census().max_own();
          TraceEvent gc{};
          gc.kind = TraceEvent::kGc;
          MustApply(rep, gc, bench.name);  // testing.B.runN: runtime.GC() first
          for (const TraceEvent& e : prog.setup) MustApply(rep, e, bench.name);
          absl::Status st = rep.ApplyLoop(prog.body, prog.iterations, prog.ns_per_iteration);
          THP_CHECK(st.ok(), absl::StrCat(bench.name, ": ", st.message()));
          sample();
          for (const TraceEvent& e : prog.teardown) MustApply(rep, e, bench.name);
          if (rep.census().max_own() > max_before) r.max_at_benchmark = bench.name;
          ++r.runs;
          r.ops += prog.iterations;
          // What Go's timer measured: the recorded ns/op times b.N.
          return static_cast<int64_t>(std::llround(ns_per_op * static_cast<double>(n)));
        },
        o.benchtime_ns);
    ++r.benchmarks;
  }
  sample();
  Collect(rep, wall_start, r);
  if (o.on_fatal) SetThrowHook(nullptr);
  return r;
}

}  // namespace thp
