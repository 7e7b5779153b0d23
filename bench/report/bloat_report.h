// bench/thp_bloat's report: per variant, the run without and the run with
// emulated khugepaged (bloat_run.h) side by side, as a text table, JSON and
// CSV. All three read the same figures (BloatRow), so they cannot disagree.
#ifndef THP_BENCH_REPORT_BLOAT_REPORT_H_
#define THP_BENCH_REPORT_BLOAT_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "bench/report/bloat_result.h"

namespace thp {

// Go issue 8832's own figures (ps u, KB): RSS before the scavenger ran and
// right after it (the issue then reports RSS climbing back to ~250 MB).
inline constexpr int64_t kIssue8832RssBeforeKb = 258096;
inline constexpr int64_t kIssue8832RssAfterScavengeKb = 48776;

struct BloatRow {
  std::string variant;
  std::string heap;    // "go15" or "go121": the heap both runs ran on
  std::string error;   // "" if both runs finished
  BloatResult without;
  BloatResult with;
  // with.rss_bytes / without.rss_bytes (0 if without is 0).
  double Factor() const;
};

struct BloatReport {
  std::string kernel;    // "linux" or "sim"
  std::string profile;   // the sim's kernel profile; "linux6" on the real kernel
  // transparent_hugepage/enabled: the machine's on the real kernel, --sim_thp's on the sim
  std::string thp_mode;
  int64_t max_map_count = -1;  // vm.max_map_count (the table shows the sim's only)
  int max_ptes_none = 0;
  std::vector<BloatRow> rows;
};

// "none", "prefix" and "fixed" on the Go 1.5 heap are the runs whose
// expected outcome is known (none bloats; the two Go 1.5 fixes do not); ""
// for others.
std::string ExpectedOutcome(absl::string_view variant, absl::string_view heap);

std::string FormatBloatTable(const BloatReport& report);
std::string FormatBloatJson(const BloatReport& report);
std::string FormatBloatCsv(const BloatReport& report);

}  // namespace thp

#endif  // THP_BENCH_REPORT_BLOAT_REPORT_H_
