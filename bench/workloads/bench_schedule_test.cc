// The b.N schedule and the recorded Go 1.5.1 timings.
#include "bench/workloads/bench_schedule.h"

#include <cmath>
#include <cstdio>

#include "gtest/gtest.h"
#include "runtime_port/base/file_io.h"

namespace thp {
namespace {

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
  absl::StatusOr<std::string> text = ReadWholeFile("testdata/go15_runtime_bench_ns_per_op.tsv");
  ASSERT_TRUE(text.ok()) << text.status();
  absl::StatusOr<std::vector<RecordedBenchmark>> recs = ParseBenchTimings(*text);
  ASSERT_TRUE(recs.ok()) << recs.status();
  ASSERT_EQ(recs->size(), 243u);  // the 243 benchmarks of Go 1.5's runtime package on linux/amd64
  EXPECT_EQ(recs->front().name, "BenchmarkAppend");
  // Driving the schedule with a constant cost equal to the recorded final
  // ns/op reproduces the recorded final N for most benchmarks; the rest had
  // a different cost in their early short runs.
  int same = 0;
  for (const RecordedBenchmark& r : *recs) {
    const double c = r.ns_go151;
    const int64_t n = LaunchSchedule([&](int64_t k) {
      return static_cast<int64_t>(std::llround(static_cast<double>(k) * c));
    });
    same += n == r.n_go151;
  }
  std::fprintf(stderr, "final b.N reproduced for %d of %zu benchmarks\n", same, recs->size());
  EXPECT_GE(same, 200);
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

}  // namespace
}  // namespace thp
