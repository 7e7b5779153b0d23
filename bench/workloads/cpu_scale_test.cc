#include "bench/workloads/cpu_scale.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace thp {
namespace {

RecordedBenchmark At(const std::string& name, double ns_go151, double ns_fix = 0) {
  return RecordedBenchmark{name, 1000, ns_go151, 1000, ns_fix};
}

TEST(CpuScale, TheMedianRatioToTheRecordedRunToTwoDecimals) {
  const std::vector<RecordedBenchmark> recorded = {At("A", 10), At("B", 100), At("C", 40)};
  // Ratios 0.5, 0.7, 2: the middle one.
  EXPECT_EQ(*CpuScale({{"A", 5}, {"B", 70}, {"C", 80}}, recorded), 0.7);
  // Even: the mean of the middle two (0.5 and 0.7), and a benchmark the
  // recorded run has not counts for nothing.
  EXPECT_EQ(*CpuScale({{"A", 5}, {"B", 70}, {"X", 1}}, recorded), 0.6);
  // Rounded: 0.5666... -> 0.57.
  EXPECT_EQ(*CpuScale({{"C", 22.6667}}, recorded), 0.57);
}

TEST(CpuScale, NothingInCommonOrNoTimeIsAnError) {
  const std::vector<RecordedBenchmark> recorded = {At("A", 10)};
  EXPECT_EQ(CpuScale({{"X", 1}}, recorded).status().message(),
            "no benchmark in common with the recorded run's timings "
            "(testdata/go151_heaplog/prefix_timings.tsv), e.g. X");
  EXPECT_EQ(CpuScale({{"A", 0}}, recorded).status().message(), "A: an ns/op not above 0");
}

TEST(CpuScale, SpeedsAreTheChosenColumnTimesTheTimeScale) {
  const std::vector<BenchSpeed> go151 = SpeedsOf({At("A", 10, 30)}, /*fix=*/false, 2);
  ASSERT_EQ(go151.size(), 1u);
  EXPECT_EQ(go151[0].name, "A");
  EXPECT_EQ(go151[0].ns_per_op, 20);
  EXPECT_EQ(SpeedsOf({At("A", 10, 30)}, /*fix=*/true, 0.5)[0].ns_per_op, 15);
}

TEST(CpuScale, TheFlagIsAutoOrAPositiveNumber) {
  EXPECT_FALSE(ParseCpuScaleFlag("auto")->has_value());
  EXPECT_EQ(**ParseCpuScaleFlag("0.6"), 0.6);
  for (const char* bad : {"", "0", "-1", "fast", "nan", "inf", "101"}) {
    EXPECT_FALSE(ParseCpuScaleFlag(bad).ok()) << bad;
  }
  EXPECT_EQ(ParseCpuScaleFlag("fast").status().message(),
            "--cpu_scale=\"fast\": expected auto or a number above 0, at most 100 (e.g. 0.6)");
}

// What a driver's flag comes to: a number as given; auto from the run's
// speeds (the recorded run's own, halved: 0.5); auto with nothing in common
// an error naming where the speeds came from.
TEST(CpuScale, TheDriversChoice) {
  const absl::StatusOr<CpuScaleChoice> given = ChooseCpuScale("0.8", {}, "x");
  ASSERT_TRUE(given.ok()) << given.status();
  EXPECT_EQ(given->scale, 0.8);
  EXPECT_FALSE(given->automatic);
  absl::StatusOr<std::vector<RecordedBenchmark>> recorded = ReadRecordedRunTimings();
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  const absl::StatusOr<CpuScaleChoice> automatic =
      ChooseCpuScale("auto", SpeedsOf(*recorded, /*fix=*/false, 0.5), "x");
  ASSERT_TRUE(automatic.ok()) << automatic.status();
  EXPECT_EQ(automatic->scale, 0.5);
  EXPECT_TRUE(automatic->automatic);
  EXPECT_EQ(ChooseCpuScale("auto", {{"X", 1}}, "--timings_file=t.tsv").status().message(),
            "--timings_file=t.tsv: no benchmark in common with the recorded run's timings "
            "(testdata/go151_heaplog/prefix_timings.tsv), e.g. X; give --cpu_scale");
  EXPECT_EQ(ChooseCpuScale("0", {}, "x").status().message(),
            "--cpu_scale=\"0\": expected auto or a number above 0, at most 100 (e.g. 0.6)");
}

// The reference itself: the recorded run at its own timings is 1, and
// the suite is all there.
TEST(CpuScale, TheRecordedRunIsOne) {
  absl::StatusOr<std::vector<RecordedBenchmark>> recorded = ReadRecordedRunTimings();
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  EXPECT_EQ(recorded->size(), 243u);
  EXPECT_EQ(*CpuScale(SpeedsOf(*recorded, /*fix=*/false, 1.0), *recorded), 1.0);
  EXPECT_EQ(*CpuScale(SpeedsOf(*recorded, /*fix=*/false, 0.5), *recorded), 0.5);
}

}  // namespace
}  // namespace thp
