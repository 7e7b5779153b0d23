#include "bench/calibrate/calibrate_report.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace thp {
namespace calibrate {
namespace {

BenchRow Row(const std::string& name, uint64_t model_releases, uint64_t real_releases) {
  BenchRow r;
  r.name = name;
  r.model.releases = model_releases;
  r.model.release_hist[0] = model_releases;
  r.real.releases = real_releases;
  r.real.release_hist[0] = real_releases;
  return r;
}

TEST(SortFurthestFirstTest, ByDistanceThenLargerCountThenName) {
  std::vector<BenchRow> rows = {
      Row("BenchmarkSame", 5, 5),       // 0
      Row("BenchmarkB", 2, 4),          // ln 2, larger count 4
      Row("BenchmarkA", 2, 4),          // ln 2, larger count 4: name decides
      Row("BenchmarkBig", 20, 40),      // ln 2, larger count 40
      Row("BenchmarkNone", 0, 3),       // ln 4
      Row("BenchmarkNeither", 0, 0),    // 0, larger count 0
  };
  SortFurthestFirst(&rows);
  std::vector<std::string> order;
  for (const BenchRow& r : rows) order.push_back(r.name);
  EXPECT_EQ(order, (std::vector<std::string>{"BenchmarkNone", "BenchmarkBig", "BenchmarkA",
                                             "BenchmarkB", "BenchmarkSame", "BenchmarkNeither"}));
  EXPECT_DOUBLE_EQ(rows[0].gap.distance, std::log(4.0));
  EXPECT_DOUBLE_EQ(rows[1].gap.distance, std::log(2.0));
}

TEST(SuiteRowTest, SumsTheRowsAndTakesItsOwnGap) {
  std::vector<BenchRow> rows = {Row("BenchmarkX", 3, 1), Row("BenchmarkY", 1, 3)};
  rows[0].model_max_go_vmas = 20;
  rows[1].model_max_go_vmas = 30;
  SortFurthestFirst(&rows);
  const BenchRow s = SuiteRow(rows);
  EXPECT_EQ(s.name, "(suite)");
  EXPECT_EQ(s.model.releases, 4u);
  EXPECT_EQ(s.real.releases, 4u);
  EXPECT_DOUBLE_EQ(s.gap.distance, 0.0);  // each row is a factor of 3 apart, the sums are not
  EXPECT_EQ(s.model_max_go_vmas, 30);
}

// Each row carries its own passes in a sweep and cycle ends, on both
// sides; the suite row sums every row's (the report's whole-suite blocks
// count only the benchmarks their rules pick).
TEST(SuiteRowTest, SumsEachRowsSweepPassesAndCycleEnds) {
  std::vector<BenchRow> rows = {Row("BenchmarkX", 3, 1), Row("BenchmarkY", 1, 3)};
  rows[0].model_sweep_lock_waits.passes_in_sweep = 5;
  rows[0].model_sweep_lock_waits.waited = 1;
  rows[1].model_sweep_lock_waits.passes_in_sweep = 2;
  rows[1].real_sweep_lock_waits.passes_in_sweep = 7;
  rows[1].real_sweep_lock_waits.waited = 3;
  rows[0].real_cycle_end_stalls.windows = {{100, true}, {600000, true}};
  rows[1].real_cycle_end_stalls.windows = {{700000, false}};
  rows[1].model_cycle_end_stalls.windows = {{800000, true}};
  const BenchRow s = SuiteRow(rows);
  EXPECT_EQ(s.model_sweep_lock_waits.passes_in_sweep, 7u);
  EXPECT_EQ(s.model_sweep_lock_waits.waited, 1u);
  EXPECT_EQ(s.real_sweep_lock_waits.passes_in_sweep, 7u);
  EXPECT_EQ(s.real_sweep_lock_waits.waited, 3u);
  EXPECT_EQ(s.real_cycle_end_stalls.cycles(), 3u);
  EXPECT_EQ(s.real_cycle_end_stalls.Stalled(), 2u);
  EXPECT_EQ(s.model_cycle_end_stalls.cycles(), 1u);
  CalibrateReport rep;
  rep.rows = rows;
  rep.suite = s;
  const std::string json = FormatJson(rep);
  EXPECT_NE(json.find("\"benchmark\": \"BenchmarkY\""), std::string::npos);
  EXPECT_NE(json.find("\"sweep_lock_waits\": {\"model\": {\"passes_in_sweep\": 2, \"waited\": 0, "),
            std::string::npos);
  EXPECT_NE(json.find("\"real\": {\"passes_in_sweep\": 7, \"waited\": 3, "), std::string::npos);
  EXPECT_NE(json.find("\"cycle_end_stalls\": {\"model\": {\"cycles\": 1, \"stalled\": 1, "
                      "\"closed_by_free\": 1, \"closed_by_free_median_ns\": 800000, "
                      "\"first_free_median_ns\": 800000}"),
            std::string::npos);
}

TEST(FormatTest, TableCsvAndJsonHaveOneRowPerBenchmarkAndTheSuite) {
  CalibrateReport rep;
  rep.variant = "prefix";
  rep.build = "prefix";
  rep.rows = {Row("BenchmarkX", 3, 1), Row("BenchmarkY", 1, 1)};
  SortFurthestFirst(&rep.rows);
  rep.suite = SuiteRow(rep.rows);
  const std::vector<std::string> table = absl::StrSplit(FormatTable(rep), '\n', absl::SkipEmpty());
  ASSERT_EQ(table.size(), 7u);  // 2 comments, header, 2 rows, suite row, suite line
  EXPECT_EQ(table[3].rfind("BenchmarkX ", 0), 0u);
  EXPECT_EQ(table[5].rfind("(suite) ", 0), 0u);
  EXPECT_EQ(table[6], SuiteLine(rep));
  EXPECT_EQ(table[6].rfind("suite (2 benchmarks, prefix): releases model 4 / real 2 (ratio 2.00", 0), 0u);
  const std::vector<std::string> csv = absl::StrSplit(FormatCsv(rep), '\n', absl::SkipEmpty());
  ASSERT_EQ(csv.size(), 4u);
  const size_t columns = std::count(csv[0].begin(), csv[0].end(), ',');
  for (const std::string& line : csv) EXPECT_EQ(std::count(line.begin(), line.end(), ','), columns);
  EXPECT_EQ(csv[3].rfind("(suite),", 0), 0u);
  const std::string json = FormatJson(rep);
  EXPECT_NE(json.find("\"benchmark\": \"BenchmarkX\""), std::string::npos);
  EXPECT_NE(json.find("\"release_hist_pages\": {\"1\": 3, \"2\": 0"), std::string::npos);
}

}  // namespace
}  // namespace calibrate
}  // namespace thp
