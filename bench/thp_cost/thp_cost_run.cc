#include "bench/thp_cost/thp_cost_run.h"

#include <algorithm>
#include <functional>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/thp_cost/thp_cost_probe.h"
#include "bench/thp_cost/workload_timer.h"
#include "bench/workloads/trace_replayer.h"
#include "runtime_port/base/check.h"
#include "runtime_port/mem_linux/huge_page_policy.h"
#include "runtime_port/mem_linux/madvise_counters.h"

namespace thp {
namespace {

constexpr AdviceSite kSites[] = {AdviceSite::kSysUnused, AdviceSite::kSysUsed,
                                 AdviceSite::kSysMap,    AdviceSite::kHeapGrow,
                                 AdviceSite::kChunkDense, AdviceSite::kChunkScavenge,
                                 AdviceSite::kMetadata};
static_assert(sizeof(kSites) / sizeof(kSites[0]) == kNumAdviceSites, "every site is reported");

// The heap-locked calls are those the counters recorded as made with the
// heap lock held: by the policy's table of sites on the Go 1.5 heap (a site
// is all or nothing), by the Go 1.21 heap's own lock at each call.
void CollectCalls(const MadviseCounters& c, ThpCostResult& r) {
  const LatencyHistogram locked = c.HeapLockedLatency();
  r.locked_calls = locked.count();
  r.locked_p50_ns = locked.PercentileNs(0.5);
  r.locked_p99_ns = locked.PercentileNs(0.99);
  r.locked_max_ns = locked.max_ns();
  r.locked_total_ns = locked.sum_ns();
  r.unlocked_calls = c.TotalCalls() - locked.count();
  r.madvise_errors.clear();
  for (const auto& [key, n] : c.errors) {
    r.madvise_errors.emplace_back(absl::StrCat(AdviceName(key.first), "/", ErrnoName(key.second)),
                                  n);
  }
  r.calls_by_site.clear();
  for (AdviceSite site : kSites) {
    for (int a = 0; a < kNumAdvices; ++a) {
      const Advice advice = static_cast<Advice>(a);
      const int64_t n = c.CallsAt(site, advice);
      const int64_t held = c.HeapLockedCallsAt(site, advice);
      const std::string name = absl::StrCat(AdviceSiteName(site), "/", AdviceName(advice));
      if (held > 0) r.calls_by_site.emplace_back(absl::StrCat("*", name), held);
      if (n > held) r.calls_by_site.emplace_back(name, n - held);
    }
  }
}

int64_t CollapseCalls(const MadviseCounters& c) {
  return c.Calls(Advice::kCollapse) + c.Calls(Advice::kTryCollapse);
}

}  // namespace

const char* ThpWorkloadName(ThpWorkload w) {
  switch (w) {
    case ThpWorkload::kChunkChurn:
      return "chunk_churn";
    case ThpWorkload::kIssue63334:
      return "issue63334";
    case ThpWorkload::kIssue61718:
      return "issue61718";
  }
  return "?";
}

bool ParseThpWorkload(absl::string_view name, ThpWorkload* out) {
  for (ThpWorkload w :
       {ThpWorkload::kChunkChurn, ThpWorkload::kIssue63334, ThpWorkload::kIssue61718}) {
    if (name == ThpWorkloadName(w)) {
      *out = w;
      return true;
    }
  }
  return false;
}

std::vector<WorkloadPhase> ThpCostPhases(const ThpCostOptions& o) {
  switch (o.which) {
    case ThpWorkload::kChunkChurn:
      break;
    case ThpWorkload::kIssue63334:
      return BurstRefillWorkload(o.burst);
    case ThpWorkload::kIssue61718:
      return GrowingHeapWorkload(o.growing);
  }
  return ChunkChurnWorkload(o.workload);
}

ThpCostResult RunThpCost(Kernel& kernel, const ThpCostOptions& o) {
  ThpCostResult r;
  r.variant = o.runtime.variant;
  r.kernel = std::string(kernel.Name());
  r.heap = std::string(HeapKindName(o.heap));
  const absl::Time wall_start = absl::Now();
  const bool real = kernel.Name() == "linux";
  const NamedCounts vmstat_before = real ? ReadThpVmstat() : NamedCounts();

  RuntimeOptions ro = o.runtime;
  ro.touch_memory = true;
  if (o.which == ThpWorkload::kIssue63334) ro.gomemlimit = BurstMemoryLimitBytes(o.burst);
  absl::StatusOr<std::unique_ptr<TraceReplayer>> made =
      TraceReplayer::Create(kernel, ro, o.scavenge_debug, nullptr, /*vma_census=*/false, o.heap);
  if (!made.ok()) {
    r.error = std::string(made.status().message());
    return r;
  }
  TraceReplayer& rep = **made;
  // The hook ends before the replayer it points at.
  ScopedThrowHook hook(o.on_fatal ? [&rep, &o](absl::string_view m) { o.on_fatal(rep, m); }
                                  : ThrowHook());
  const HeapRuntime& heap = rep.heap_runtime();
  auto sample = [&] {
    const auto [lo, hi] = heap.ArenaRange();
    if (hi <= lo) return;
    const Residency res = kernel.ResidencyOf(lo, hi);
    const int64_t huge = static_cast<int64_t>(res.anon_huge_bytes);
    const int64_t inuse = static_cast<int64_t>(heap.Figures().heap_inuse);
    ++r.samples;
    if (inuse > r.peak_heap_inuse || (inuse == r.peak_heap_inuse && huge > r.peak_anon_huge)) {
      r.peak_heap_inuse = inuse;
      r.peak_anon_huge = huge;
    }
    r.max_anon_huge = std::max(r.max_anon_huge, huge);
    r.end_heap_inuse = inuse;
    r.end_anon_huge = huge;
    r.end_rss = static_cast<int64_t>(res.resident_bytes);
  };
  rep.set_on_scavenge(sample);

  const bool timed = o.which != ThpWorkload::kChunkChurn;
  std::unique_ptr<WorkloadTimer> timer;
  const go121::HeapLock* lock = nullptr;
  if (timed) {
    const SimCostKernel* cost = o.sim_cost;
    std::function<int64_t()> now = cost != nullptr
                                       ? std::function<int64_t()>([cost] { return cost->charged_ns(); })
                                       : std::function<int64_t()>(absl::GetCurrentTimeNanos);
    timer = std::make_unique<WorkloadTimer>(std::move(now),
                                            [&heap] { return CollapseCalls(heap.counters()); });
    if (heap.kind() == HeapKind::kGo121) {
      lock = &static_cast<Go121HeapRuntime&>(rep.heap_runtime()).runtime().heap().lock();
      lock->set_observer(timer.get());
    }
  }
  // The lock outlives the observer's use: the observer is reset before the
  // timer goes (every return below).
  struct Unobserve {
    const go121::HeapLock* lock;
    ~Unobserve() {
      if (lock != nullptr) lock->set_observer(nullptr);
    }
  } unobserve{lock};

  for (const WorkloadPhase& phase : ThpCostPhases(o)) {
    if (o.progress) o.progress(phase.name);
    if (timer) timer->BeginPhase(absl::StartsWith(phase.name, "refill"));
    for (const TraceEvent& e : phase.events) {
      const bool alloc = timer && e.kind == TraceEvent::kAlloc;
      if (alloc) timer->BeginAlloc(e.p);
      if (absl::Status st = rep.Apply(e); !st.ok()) {
        r.error = absl::StrCat(phase.name, ": ", st.message());
        return r;
      }
      if (timer) {
        if (alloc) {
          timer->EndAlloc();
        } else {
          timer->OtherEvent();
        }
        timer->NoteGcCycle(static_cast<int64_t>(heap.Figures().gc_cycles));
      }
    }
    if (timer) timer->EndPhase();
    sample();
  }
  CollectCalls(heap.counters(), r);
  const HeapFigures f = heap.Figures();
  r.gc_cycles = static_cast<int64_t>(f.gc_cycles);
  r.scavenge_passes = f.scavenge_passes;
  r.heap_released = static_cast<int64_t>(f.heap_released);
  if (timer) {
    r.workload_figures = timer->Figures(r.gc_cycles);
    r.workload_figures.emplace_back("modelled_ns", o.sim_cost != nullptr ? 1 : 0);
    if (o.sim_cost != nullptr) {
      r.workload_figures.emplace_back("sim_stalls", o.sim_cost->stalls());
      r.workload_figures.emplace_back("sim_huge_faults", o.sim_cost->huge_faults());
      r.workload_figures.emplace_back("sim_collapsed", o.sim_cost->collapsed());
    }
  }
  if (o.on_workload_end) o.on_workload_end(rep, r);

  if (o.progress) o.progress("first-touch probe");
  absl::StatusOr<TouchProbeResult> probe =
      RunTouchProbe(kernel, o.runtime.variant, o.probe_bytes, o.probe_rounds);
  if (!probe.ok()) {
    r.error = std::string(probe.status().message());
    return r;
  }
  r.advises_new_memory = probe->advises_new_memory ? 1 : 0;
  r.advised = probe->advised;
  r.plain = probe->plain;
  if (real) r.vmstat_delta = VmstatDelta(vmstat_before, ReadThpVmstat());
  r.wall_ns = absl::ToInt64Nanoseconds(absl::Now() - wall_start);
  return r;
}

}  // namespace thp
