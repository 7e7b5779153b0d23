// What one real_replay run (bench/real_replay) measured and checked, and
// its two forms: the one-line report on stdout and the JSON of --json_out.
// Every figure is a plain field filled from the replay and the VMA census,
// so both forms read the same numbers. It mirrors no Go code.
#ifndef THP_BENCH_REPORT_REAL_REPLAY_REPORT_H_
#define THP_BENCH_REPORT_REAL_REPLAY_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mheap/go15/replay/heap_replay.h"
#include "runtime_port/kernel/census_kernel.h"

namespace thp {

struct ReplayReport {
  std::string trace;
  std::string build;    // the log's config.build ("" if it names none)
  std::string variant;
  std::string kernel;   // "linux" or "sim"
  std::string profile;  // "linux6" or "linux2015"
  bool madvise_checked = false;  // variant == build

  int64_t records = 0;
  int64_t decisions = 0;
  int64_t divergences = 0;  // 0 or 1: the replay stops at the first
  std::vector<std::pair<std::string, int64_t>> checked_by_kind;  // kinds with a count
  int64_t madvise_unchecked_go = 0;
  int64_t madvise_unchecked_port = 0;
  int64_t madvise_result_mismatches = 0;
  std::string first_result_mismatch;

  int64_t allocs = 0;
  int64_t frees = 0;
  int64_t scavenges = 0;
  int64_t gc_cycles = 0;
  int64_t benchmarks = 0;

  // VMA census (census_kernel.h).
  int64_t max_vmas_go = 0;  // Go-equivalent: runtime-own + a static binary's
  int64_t max_vmas_runtime = 0;
  int64_t max_vmas_process = 0;
  int64_t max_splits = 0;
  int64_t final_vmas_runtime = 0;
  // madvise calls by advice name: the port's (through the variant) and Go's.
  std::vector<std::pair<std::string, int64_t>> madvise_port;
  std::vector<std::pair<std::string, int64_t>> madvise_go;

  // Off-heap sysAlloc/sysFree: Go's (all its users) and the port's
  // (persistentalloc and allspans); not compared, reported.
  heaplog::SysTally go_sys_alloc, port_sys_alloc, go_sys_free, port_sys_free;
  // The first sysAlloc (in order) whose size differs, -1 if none within the shorter.
  int64_t first_sys_alloc_size_difference = -1;

  uint64_t heap_sys = 0;
  uint64_t heap_released = 0;
  double wall_seconds = 0;
  double records_per_second = 0;
};

// Fills everything but the run's description (trace .. madvise_checked)
// and wall_seconds, which must be set first.
void FillReport(heaplog::HeapReplay& replay, const CensusKernel& census, ReplayReport* rep);

// "real_replay trace=... decisions=... divergences=0 ...": one line.
std::string FormatReportLine(const ReplayReport& rep);

// One JSON object, with the divergence (or null).
std::string FormatReportJson(const ReplayReport& rep,
                             const std::optional<heaplog::Divergence>& divergence);

}  // namespace thp

#endif  // THP_BENCH_REPORT_REAL_REPLAY_REPORT_H_
