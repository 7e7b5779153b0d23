// bench/calibrate's report: the benchmarks, modelled beside real, furthest
// apart first (gap.h defines "how far apart"), a whole-suite line, and the
// same figures as JSON and CSV. It mirrors no Go code.
#ifndef THP_BENCH_CALIBRATE_CALIBRATE_REPORT_H_
#define THP_BENCH_CALIBRATE_CALIBRATE_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "bench/calibrate/gap.h"
#include "bench/calibrate/cycle_end_stalls.h"
#include "bench/calibrate/gc_start_overshoot.h"
#include "bench/calibrate/madvise_time.h"
#include "bench/calibrate/stale_release.h"
#include "bench/calibrate/sweep_lock_waits.h"
#include "bench/calibrate/sysmon_rounds.h"
#include "bench/calibrate/tally.h"
#include "bench/workloads/bench_schedule.h"
#include "scavenger/sysmon.h"

namespace thp {
namespace calibrate {

struct BenchRow {
  std::string name;  // "BenchmarkMalloc8"; "(suite)" for the whole-suite row
  Tally model;
  Tally real;
  int64_t model_max_go_vmas = 0;  // the modelled run's; the log has no VMA count
  Gap gap;
  Gap others_gap;  // the same without stale-now releases (OtherReleaseGap)
  // The log's runs that drove the model (b.N, wall ns/op), in order;
  // empty when recorded timings and launch's schedule did.
  std::vector<RecordedRun> runs;
  MadviseTimer real_madvise;  // how long the log's madvise calls took
  // sysmon's passes inside a sweep (sweep_lock_waits.h) and the cycle
  // ends (cycle_end_stalls.h) of this benchmark, on each side, whatever
  // its loop: the report's whole-suite blocks count only the benchmarks
  // their rules pick, the rows every one.
  SweepLockWaits model_sweep_lock_waits;
  SweepLockWaits real_sweep_lock_waits;
  CycleEndStalls model_cycle_end_stalls;
  CycleEndStalls real_cycle_end_stalls;
};

struct CalibrateReport {
  std::string real_path;
  std::string build;    // the log's config build
  std::string variant;  // the modelled run's
  std::string kernel_profile;
  int gomaxprocs = 2;
  bool scavenge_debug = true;
  std::string timings_file;  // "": the log's own runs drove the model
  std::string benchtime;  // of the modelled run
  int64_t loop_slice_us = 1000;  // the modelled run's --loop_slice_us
  uint64_t mark_share_seed = 0;  // the modelled run's --mark_share_seed
  uint64_t sweep_wait_seed = 0;  // the modelled run's --sweep_wait_seed
  // The modelled runtime's work against the recorded run's machine
  // (bench/workloads/cpu_scale.h), and whether --cpu_scale=auto found it.
  double cpu_scale = 1.0;
  bool cpu_scale_auto = true;
  std::string workloads;  // the --workloads regex ("" = every benchmark)
  std::vector<BenchRow> rows;  // furthest apart first
  BenchRow suite;              // the sum of the rows
  // Benchmarks --workloads picked that the log does not have (a log cut
  // short, e.g. fixed_to_CallClosure3): not run, not compared.
  std::vector<std::string> not_in_log;
  // sysmon's waits from reading its clock to holding the heap lock in the
  // log.
  ScavengeWaits real_scavenge_waits;
  // sysmon's passes that read the clock while a cycle's sweep freed spans,
  // and those of them that took the heap lock only after it
  // (sweep_lock_waits.h), over the compared benchmarks whose loops leave a
  // P idle: in the log, and in the model's own records read the same way.
  // The model (go15_heap_runtime.h) has a pass due while its sweeper has
  // spans left read its clock at the sweep's end with probability
  // 1 / model_sweep_passes_per_late_clock, and one of the others wait for
  // it with probability 1 / model_mid_sweep_passes_per_lock_wait, each
  // drawn (sweep_wait_seed).
  SweepLockWaits real_sweep_lock_waits;
  // How the log's waits and the model's fall across those benchmarks
  // against one rate (UniformRateDispersion).
  WaitDispersion real_sweep_lock_wait_dispersion;
  SweepLockWaits model_sweep_lock_waits;
  WaitDispersion model_sweep_lock_wait_dispersion;
  // How far past their trigger the background cycles started
  // (gc_start_overshoot.h), over the compared benchmarks: in the log and
  // in the model's records.
  GcStartOvershoots real_gc_start_overshoots;
  GcStartOvershoots model_gc_start_overshoots;
  // How long each background cycle's P sat still after its end
  // (cycle_end_stalls.h), over the compared benchmarks whose loops leave a
  // P idle and whose sweep freed a span first in at least half the
  // windows (each side choosing by its own windows): in the log and in the
  // model's records. The model stalls every model_cycle_ends_per_stall-th
  // cycle end (go15_heap_runtime.h).
  CycleEndStalls real_cycle_end_stalls;
  CycleEndStalls model_cycle_end_stalls;
  int64_t model_cycle_ends_per_stall = 0;
  int64_t model_sweep_passes_per_late_clock = 0;
  int64_t model_mid_sweep_passes_per_lock_wait = 0;
  // What sysmon's 10 ms rounds took beyond the sleep in the log
  // (sysmon_rounds.h), during the compared benchmarks: all of them, then
  // by kind (sysmon_round_kinds.h): every P busy, note sleeps, and the
  // others (one 10 ms sleep); beside the overshoots the model's sysmon
  // adds (its options, scavenger/sysmon.h).
  SysmonRounds real_sysmon_rounds;
  SysmonRounds real_sysmon_rounds_every_p_busy;
  SysmonRounds real_sysmon_rounds_note_sleeps;
  SysmonRounds real_sysmon_rounds_others;
  SysmonOptions model_sysmon;
  double wall_seconds = 0;
};

// Fills in each row's gap and others_gap and sorts the rows furthest apart
// first (by gap; gap.h).
void SortFurthestFirst(std::vector<BenchRow>* rows);
// The whole-suite row: the rows' tallies summed, its own gap and
// others_gap, the highest modelled VMA count.
BenchRow SuiteRow(const std::vector<BenchRow>& rows);

// The text table (stdout): one line per benchmark, then the suite line.
std::string FormatTable(const CalibrateReport& report);
// "suite (N benchmarks, variant V): releases model M / real R (ratio x), ..."
std::string SuiteLine(const CalibrateReport& report);
// How many rows count as many outliving spans (Tally::outliving_spans) on
// both sides.
int SameOutlivingSpans(const std::vector<BenchRow>& rows);
// How many rows began with the same free spans by size
// (Tally::free_spans_at_start) on both sides.
int SameFreeSpansAtStart(const std::vector<BenchRow>& rows);
std::string FormatJson(const CalibrateReport& report);
// One row per benchmark, furthest apart first, then the "(suite)" row.
std::string FormatCsv(const CalibrateReport& report);

}  // namespace calibrate
}  // namespace thp

#endif  // THP_BENCH_CALIBRATE_CALIBRATE_REPORT_H_
