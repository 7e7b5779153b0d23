// The launch-goroutine table (go15_launch.h) against the measurement it
// comes from, testdata/go151_stacks/summary.tsv, read with the rules
// tools/go151/launch_table.py states: one use at runN's GC and one in
// StopTimer across the suite; a benchmark is in the table, at its peak,
// exactly when every growth of its launch goroutine came from its own
// package's frames. This catches an edit of the table or a new summary
// that the table was not regenerated from.
#include "bench/workloads/go15_launch.h"

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"

namespace thp {
namespace {

std::vector<uint64_t> Values(const std::string& field) {
  std::vector<uint64_t> out;
  if (field == "-") return out;
  for (absl::string_view v : absl::StrSplit(field, "..")) {
    out.push_back(std::stoull(std::string(v)));
  }
  return out;
}

TEST(Go15Launch, TheTableIsTheMeasurementsFrameDrivenGrowth) {
  std::ifstream in("testdata/go151_stacks/summary.tsv");
  ASSERT_TRUE(in.good());
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  std::map<std::string, size_t> col;
  size_t i = 0;
  for (absl::string_view name : absl::StrSplit(line, '\t')) col[std::string(name)] = i++;
  std::set<uint64_t> run_gc, stop_timer;
  int rows = 0, in_table = 0;
  while (std::getline(in, line)) {
    const std::vector<std::string> f = absl::StrSplit(line, '\t');
    ASSERT_EQ(f.size(), col.size()) << line;
    ++rows;
    for (uint64_t v : Values(f[col.at("used_shr_runN")])) run_gc.insert(v);
    for (uint64_t v : Values(f[col.at("used_keep_runN")])) run_gc.insert(v);
    // bg_shrinks: "window@function:used x count" entries, comma-separated;
    // those after F returned, parked in gopark, are StopTimer's.
    for (absl::string_view entry : absl::StrSplit(f[col.at("bg_shrinks")], ',')) {
      if (!absl::ConsumePrefix(&entry, "after@gopark:")) continue;
      stop_timer.insert(std::stoull(std::string(entry.substr(0, entry.find('x')))));
    }
    const std::string& fns = f[col.at("grow_fns")];
    bool own_frames = fns != "-";
    for (absl::string_view fn : absl::StrSplit(fns, ',')) {
      own_frames = own_frames && absl::StartsWith(fn, "runtime_test.");
    }
    const LaunchStack& got = Go151LaunchStack(f[col.at("benchmark")]);
    const uint64_t want = own_frames ? std::stoull(f[col.at("peak")]) : 2048;
    EXPECT_EQ(got.use_in_benchmark, want) << f[col.at("benchmark")] << " grew in " << fns;
    in_table += own_frames ? 1 : 0;
  }
  EXPECT_EQ(rows, 243);
  EXPECT_EQ(in_table, 19);  // the 18 Copy*Byte/String and CopyFat1024
  ASSERT_EQ(run_gc.size(), 1u);
  ASSERT_EQ(stop_timer.size(), 1u);
  const LaunchStack& any = Go151LaunchStack("BenchmarkAppend");
  EXPECT_EQ(any.use_at_run_gc, *run_gc.begin());
  EXPECT_EQ(any.use_in_stop_timer, *stop_timer.begin());
  EXPECT_EQ(Go151LaunchStack("BenchmarkCopy1Byte").use_at_run_gc, *run_gc.begin());
  EXPECT_EQ(Go151LaunchStack("NoSuchBenchmark").use_in_benchmark, 2048u);
}

TEST(Go15Launch, EventsNameTheLaunchGoroutineOnPZero) {
  EXPECT_EQ(FormatTraceEvent(LaunchStartEvent()), "go 0 0");
  EXPECT_EQ(FormatTraceEvent(LaunchUseEvent(1496)), "gouse 0 1496 0");
  EXPECT_EQ(FormatTraceEvent(LaunchExitEvent()), "goexit 0 0");
}

}  // namespace
}  // namespace thp
