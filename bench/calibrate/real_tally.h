// The real side of bench/calibrate: a heap-event log recorded from Go
// 1.5.1's runtime (tools/go151/FORMAT.md) tallied benchmark by benchmark
// (benchmark_split.h), every record through the same Tally::Add as the
// modelled run. The startup segment (before the first benchmark) is tallied
// too, under heaplog::kStartupSegment. It mirrors no Go code.
#ifndef THP_BENCH_CALIBRATE_REAL_TALLY_H_
#define THP_BENCH_CALIBRATE_REAL_TALLY_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/calibrate/cycle_end_stalls.h"
#include "bench/calibrate/gc_start_overshoot.h"
#include "bench/calibrate/madvise_time.h"
#include "bench/calibrate/stale_release.h"
#include "bench/calibrate/sweep_lock_waits.h"
#include "bench/calibrate/sysmon_rounds.h"
#include "bench/calibrate/tally.h"
#include "bench/workloads/bench_schedule.h"
#include "mheap/go15/events/heap_event.h"
#include "mheap/go15/events/heap_event_log.h"

namespace thp {
namespace calibrate {

struct RealSegment {
  std::string name;  // as printed, "BenchmarkMalloc8-2", or "(startup)"
  std::string base;  // without Go's "-<GOMAXPROCS>" suffix: "BenchmarkMalloc8"
  bool ended = false;  // its bench_end was seen
  // Its bench_end's b.N and ns (testing's timer over the final run), when
  // ended.
  int64_t end_n = 0;
  int64_t end_ns = 0;
  Tally tally;
  // Its runs, each b.N with its wall time over b.N (recorded_runs.h);
  // the last one only when ended.
  std::vector<RecordedRun> runs;
  MadviseTimer madvise;  // how long its madvise calls took (madvise_time.h)
  // sysmon's 10 to 20 ms rounds while it ran: what each took beyond 10 ms,
  // and whether it began during a cycle (sysmon_rounds.h).
  std::vector<SysmonRound> sysmon_rounds;
  // sysmon's passes that read the clock while a cycle's sweep was freeing
  // spans, and those that waited for it (sweep_lock_waits.h).
  SweepLockWaits sweep_lock_waits;
  // How far past their trigger its background cycles started
  // (gc_start_overshoot.h).
  GcStartOvershoots gc_start_overshoots;
  // How long after each background cycle's end its P sat still
  // (cycle_end_stalls.h), the windows counted where their gc_done is.
  CycleEndStalls cycle_end_stalls;
};

struct RealLog {
  std::optional<heaplog::Config> config;
  std::vector<RealSegment> segments;  // in log order
  uint64_t records = 0;
  uint64_t lost = 0;  // records the runtime dropped (`lost`)
  ScavengeWaits scavenge_waits;  // sysmon's, the whole log (stale_release.h)
  // Each pass that read its clock in a sweep, with its window's free rate
  // (sweep_lock_waits.h; PassInSweep::segment indexes `segments`).
  std::vector<PassInSweep> passes_in_sweep;
};

// Reads the whole log. `on_segment` (may be empty) sees each segment's name
// as it opens. An error is the reader's (it names the record's offset).
absl::StatusOr<RealLog> TallyLog(heaplog::HeapEventReader& reader,
                                 const std::function<void(const std::string&)>& on_segment);
// Opens the log at `path` (raw or xz) and reads it whole, as TallyLog; an
// error is the opening's or the reader's.
absl::StatusOr<RealLog> TallyLogFile(const std::string& path,
                                     const std::function<void(const std::string&)>& on_segment);

}  // namespace calibrate
}  // namespace thp

#endif  // THP_BENCH_CALIBRATE_REAL_TALLY_H_
