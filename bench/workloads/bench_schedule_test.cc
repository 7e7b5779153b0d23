// The b.N schedule and the recorded Go 1.5.1 timings.
#include "bench/workloads/bench_schedule.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "runtime_port/base/file_io.h"

namespace thp {
namespace {

// The recorded suite's timings file, parsed.
absl::StatusOr<std::vector<RecordedBenchmark>> RecordedTimings() {
  absl::StatusOr<std::string> text = ReadWholeFile(kGo151TimingsFile);
  if (!text.ok()) return text.status();
  return ParseBenchTimings(*text);
}

TEST(BenchSchedule, RoundUpIsOneTwoThreeFive) {
  EXPECT_EQ(RoundUpBenchN(1), 1);
  EXPECT_EQ(RoundUpBenchN(11), 20);
  EXPECT_EQ(RoundUpBenchN(21), 30);
  EXPECT_EQ(RoundUpBenchN(31), 50);
  EXPECT_EQ(RoundUpBenchN(51), 100);
  EXPECT_EQ(RoundUpBenchN(2400000), 3000000);
}

TEST(BenchSchedule, AConstantCostBenchmarkFollowsGosSequence) {
  // 33 ns/op: 1, then 100 x last while the runs stay short, then
  // 1e9 / 33 = 30.3M, x 1.2 = 36.4M, rounded up to 50M.
  std::vector<int64_t> ns;
  const int64_t final_n = LaunchSchedule([&](int64_t n) {
    ns.push_back(n);
    return n * 33;
  });
  EXPECT_EQ(ns, (std::vector<int64_t>{1, 100, 10000, 1000000, 50000000}));
  EXPECT_EQ(final_n, 50000000);
}

TEST(BenchSchedule, RecordedTimingsParseAndMostFinalNsFollowFromTheirNsPerOp) {
  const absl::StatusOr<std::vector<RecordedBenchmark>> recs = RecordedTimings();
  ASSERT_TRUE(recs.ok()) << recs.status();
  ASSERT_EQ(recs->size(), 243u);  // the 243 benchmarks of Go 1.5's runtime package on linux/amd64
  EXPECT_EQ(recs->front().name, "BenchmarkAppend");
  // Driving the schedule with a constant cost equal to the recorded final
  // ns/op reproduces the recorded final N for most benchmarks; the rest had
  // a different cost in their early short runs.
  int same = 0;
  for (const RecordedBenchmark& r : *recs) same += LaunchRunsAt(r.ns_go151).back() == r.n_go151;
  std::fprintf(stderr, "final b.N reproduced for %d of %zu benchmarks\n", same, recs->size());
  EXPECT_GE(same, 200);
}

TEST(BenchSchedule, RunsEndingAtTheRecordedNAreLaunchsWhereLaunchEndsThere) {
  const absl::StatusOr<std::vector<RecordedBenchmark>> recs = RecordedTimings();
  ASSERT_TRUE(recs.ok()) << recs.status();
  int same = 0;
  int other = 0;
  for (const RecordedBenchmark& r : *recs) {
    for (const auto& [n, ns] : {std::pair{r.n_go151, r.ns_go151}, std::pair{r.n_fix, r.ns_fix}}) {
      const std::vector<int64_t> runs = LaunchRunsEndingAt(ns, n);
      const std::vector<int64_t> launch = LaunchRunsAt(ns);
      if (launch.back() == n) {
        EXPECT_EQ(runs, launch) << r.name;
        ++same;
      } else {
        ++other;
      }
      // Whatever launch does: 1 first, the recorded N last, each run larger
      // than the one before and at most 100 times it (launch's cap).
      ASSERT_FALSE(runs.empty());
      EXPECT_EQ(runs.front(), 1) << r.name;
      EXPECT_EQ(runs.back(), n) << r.name;
      for (size_t i = 1; i < runs.size(); ++i) {
        EXPECT_GT(runs[i], runs[i - 1]) << r.name;
        EXPECT_LE(runs[i], 100 * runs[i - 1]) << r.name;
      }
    }
  }
  // Both kinds occur in the recorded suite, so both branches ran.
  EXPECT_GT(same, 0);
  EXPECT_GT(other, 0);
}

TEST(BenchSchedule, RunsEndingAtARecordedNLargerThanLaunchsDropTheRunsThatWouldHaveEndedIt) {
  // 5.05 ns/op: launch runs 1, 100, 1e4, 1e6, 1e8 (0.505 s), then 3e8,
  // which lasts 1.5 s and ends it. A recorded final 1e9 (go1.5.1's Matmult
  // on 2026-12-03) means Go's 1e8 run was faster; a 3e8 run would have
  // ended launch, so it is not one of Go's runs.
  EXPECT_EQ(LaunchRunsAt(5.05).back(), 300000000);
  EXPECT_EQ(LaunchRunsEndingAt(5.05, 1000000000),
            (std::vector<int64_t>{1, 100, 10000, 1000000, 100000000, 1000000000}));
}

TEST(BenchSchedule, RunsEndingAtARecordedNKeepALongRunTheCapNeeds) {
  // 10.8 ns/op: launch ends at 1e8 (1.08 s). A recorded 2e8 cannot follow
  // 1e6 (at most 100 x), so the 1e8 run stays though it lasts over 1 s.
  EXPECT_EQ(LaunchRunsAt(10.8).back(), 100000000);
  EXPECT_EQ(LaunchRunsEndingAt(10.8, 200000000),
            (std::vector<int64_t>{1, 100, 10000, 1000000, 100000000, 200000000}));
}

TEST(BenchSchedule, RunsEndingAtARecordedNSmallerThanLaunchsStopBelowIt) {
  // 33 ns/op: launch runs 1, 100, 1e4, 1e6, then 5e7.
  EXPECT_EQ(LaunchRunsEndingAt(33, 20000000),
            (std::vector<int64_t>{1, 100, 10000, 1000000, 20000000}));
  EXPECT_EQ(LaunchRunsEndingAt(33, 1), (std::vector<int64_t>{1}));
}

TEST(BenchSchedule, RunsEndingAtARecordedNGrowByTheCapWhereLaunchHasNoRunsLeft) {
  // 2 s an op: launch stops after its first run.
  EXPECT_EQ(LaunchRunsAt(2e9), (std::vector<int64_t>{1}));
  EXPECT_EQ(LaunchRunsEndingAt(2e9, 100), (std::vector<int64_t>{1, 100}));
  EXPECT_EQ(LaunchRunsEndingAt(2e9, 20000), (std::vector<int64_t>{1, 100, 10000, 20000}));
}

TEST(BenchSchedule, BadLinesNameTheirNumber) {
  EXPECT_EQ(ParseBenchTimings("# c\nname\tN\tns\tN\tns\nBenchmarkX\t10\tfast\t1\t2\n").status().message(),
            "bench timings line 3: expected name, N, ns/op, N, ns/op: \"BenchmarkX\\t10\\tfast\\t1\\t2\"");
}

TEST(BenchSchedule, TimingsOutOfBoundsAreRefused) {
  const std::string head = "name\tN\tns\tN\tns\n";
  EXPECT_EQ(ParseBenchTimings(head + "BenchmarkX\t10\t0\t1\t2\n").status().message(),
            "bench timings line 2: go151 ns/op 0: expected above 0, at most 1e12");
  EXPECT_EQ(ParseBenchTimings(head + "BenchmarkX\t10\t5\t1\t-2\n").status().message(),
            "bench timings line 2: fix ns/op -2: expected above 0, at most 1e12");
  EXPECT_EQ(ParseBenchTimings(head + "BenchmarkX\t10\tnan\t1\t2\n").status().message(),
            "bench timings line 2: go151 ns/op nan: expected above 0, at most 1e12");
  EXPECT_EQ(ParseBenchTimings(head + "BenchmarkX\t10\tinf\t1\t2\n").status().message(),
            "bench timings line 2: go151 ns/op inf: expected above 0, at most 1e12");
  EXPECT_EQ(ParseBenchTimings(head + "BenchmarkX\t10\t2e12\t1\t2\n").status().message(),
            "bench timings line 2: go151 ns/op 2e+12: expected above 0, at most 1e12");
  EXPECT_EQ(ParseBenchTimings(head + "BenchmarkX\t0\t5\t1\t2\n").status().message(),
            "bench timings line 2: go151 N 0: expected 1 to 100000000000");
  EXPECT_EQ(ParseBenchTimings(head + "BenchmarkX\t10\t5\t200000000000\t2\n").status().message(),
            "bench timings line 2: fix N 200000000000: expected 1 to 100000000000");
  EXPECT_TRUE(ParseBenchTimings(head + "BenchmarkX\t100000000000\t1e12\t1\t0.5\n").ok());
  // A long or binary line is quoted escaped and cut.
  const std::string bad = ParseBenchTimings(head + std::string(500, 'x') + "\x01\n").status().message().data();
  EXPECT_EQ(bad, absl::StrCat("bench timings line 2: expected name, N, ns/op, N, ns/op: \"",
                              std::string(120, 'x'), "...\""));
}

// ReadBenchTimingsFile: the repository's files from the workspace, any
// other path as given; its errors leave the path to the caller, but for
// the reader's own "open PATH".
TEST(BenchSchedule, ReadBenchTimingsFileReadsAndParsesWithoutNamingThePath) {
  absl::StatusOr<std::vector<RecordedBenchmark>> recorded = ReadBenchTimingsFile(kGo151TimingsFile);
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  absl::StatusOr<std::vector<RecordedBenchmark>> direct = RecordedTimings();
  ASSERT_TRUE(direct.ok()) << direct.status();
  EXPECT_EQ(recorded->size(), direct->size());
  const char* tmpdir = std::getenv("TEST_TMPDIR");
  const std::string bad = std::string(tmpdir != nullptr ? tmpdir : "/tmp") + "/bad_timings.tsv";
  const std::string text = "name\tN\tns\tN\tns\nBenchmarkX\t10\tfast\t1\t2\n";
  ASSERT_TRUE(WriteFile(bad, text));
  absl::StatusOr<std::vector<RecordedBenchmark>> parsed = ReadBenchTimingsFile(bad);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message(), ParseBenchTimings(text).status().message());
  EXPECT_EQ(std::string(parsed.status().message()).find(bad), std::string::npos);
  absl::StatusOr<std::vector<RecordedBenchmark>> missing = ReadBenchTimingsFile("/nonexistent/t.tsv");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "open /nonexistent/t.tsv: No such file or directory");
}

}  // namespace
}  // namespace thp
