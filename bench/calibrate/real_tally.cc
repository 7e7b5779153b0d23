#include "bench/calibrate/real_tally.h"

#include <memory>
#include <utility>
#include <variant>

#include "bench/calibrate/cycle_end_stalls.h"
#include "bench/calibrate/free_spans.h"
#include "bench/calibrate/gc_start_overshoot.h"
#include "bench/calibrate/mark_phases.h"
#include "bench/calibrate/outliving_spans.h"
#include "bench/calibrate/recorded_runs.h"
#include "bench/calibrate/stale_release.h"
#include "bench/calibrate/sweep_lock_waits.h"
#include "bench/calibrate/sysmon_rounds.h"
#include "mheap/go15/events/benchmark_split.h"

namespace thp {
namespace calibrate {

absl::StatusOr<RealLog> TallyLog(heaplog::HeapEventReader& reader,
                                 const std::function<void(const std::string&)>& on_segment) {
  RealLog log;
  heaplog::BenchmarkTracker tracker;
  std::vector<RecordedRunTimer> timers;  // one per segment
  StaleReleaseFinder stale;               // across segments: spans outlive them
  OutlivingSpans outliving;
  MarkPhaseFinder marks;
  SysmonRoundFinder rounds;  // across segments: a round may straddle two
  SweepLockWaitFinder sweep_waits;
  GcStartOvershootFinder overshoots;  // across segments: a cycle's trigger is the one before
  CycleEndStallFinder stalls;          // across segments, as the overshoots
  FreeSpans free_spans;  // across segments: the heap's layout
  heaplog::HeapEvent e;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next(&e);
    if (!more.ok()) return more.status();
    if (!*more) break;
    ++log.records;
    const size_t i = tracker.Observe(e);
    if (i >= log.segments.size()) {
      log.segments.resize(i + 1);
      timers.resize(i + 1);
      const heaplog::BenchmarkSegment& seg = tracker.segments()[i];
      log.segments[i].name = seg.name;
      log.segments[i].base = heaplog::BenchBaseName(seg.name, seg.procs);
      log.segments[i].tally.free_spans_at_start = free_spans.Histogram();
      if (on_segment) on_segment(log.segments[i].name);
    }
    if (const auto* c = std::get_if<heaplog::Config>(&e.body)) log.config = *c;
    if (const auto* l = std::get_if<heaplog::Lost>(&e.body)) log.lost += l->count;
    log.segments[i].tally.Add(e.body);
    if (stale.Observe(e)) {
      log.segments[i].tally.AddStale(BytesToPages(std::get<heaplog::SysUnused>(e.body).n));
    }
    if (const std::optional<MarkPhase> p = marks.Observe(e)) log.segments[i].tally.AddMark(*p);
    if (const std::optional<SysmonRound> r = rounds.Observe(e)) {
      log.segments[i].sysmon_rounds.push_back(*r);
    }
    timers[i].Observe(e);
    log.segments[i].madvise.Observe(e);
    outliving.Observe(i, e.body);
    free_spans.Observe(e.body);
    sweep_waits.Observe(i, e);
    overshoots.Observe(i, e);
    stalls.Observe(i, e);
  }
  log.scavenge_waits = stale.Waits();
  const std::vector<uint64_t> outlived = outliving.Finish();
  const std::vector<SweepLockWaits> waits = sweep_waits.Finish();
  std::vector<GcStartOvershoots> over = overshoots.Finish();
  std::vector<CycleEndStalls> stalled = stalls.Finish();
  log.passes_in_sweep = sweep_waits.passes();
  for (size_t i = 0; i < log.segments.size(); ++i) {
    if (i < outlived.size()) log.segments[i].tally.outliving_spans = outlived[i];
    if (i < waits.size()) log.segments[i].sweep_lock_waits = waits[i];
    if (i < over.size()) log.segments[i].gc_start_overshoots = std::move(over[i]);
    if (i < stalled.size()) log.segments[i].cycle_end_stalls = std::move(stalled[i]);
    log.segments[i].ended = tracker.segments()[i].ended;
    log.segments[i].end_n = static_cast<int64_t>(tracker.segments()[i].n);
    log.segments[i].end_ns = tracker.segments()[i].ns;
    log.segments[i].runs = timers[i].runs();
  }
  return log;
}

absl::StatusOr<RealLog> TallyLogFile(const std::string& path,
                                     const std::function<void(const std::string&)>& on_segment) {
  absl::StatusOr<std::unique_ptr<heaplog::HeapEventReader>> reader =
      heaplog::HeapEventReader::Open(path);
  if (!reader.ok()) return reader.status();
  return TallyLog(**reader, on_segment);
}

}  // namespace calibrate
}  // namespace thp
