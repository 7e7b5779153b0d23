// The recorded run's timings file (bench/workloads/cpu_scale.h
// kRecordedRunTimingsFile), every driver's reference for the machine's
// speed, against the log it was written from
// (testdata/go151_heaplog/prefix.hlog.xz; `calibrate --timings_out`): the
// same benchmarks in the same order, each with its bench_end's b.N and its
// ns over that b.N to the file's four decimals.
#include <cmath>
#include <cstdint>
#include <vector>

#include "bench/calibrate/real_tally.h"
#include "bench/calibrate/recorded_log_testing.h"
#include "bench/workloads/bench_schedule.h"
#include "bench/workloads/cpu_scale.h"
#include "gtest/gtest.h"

namespace thp {
namespace calibrate {
namespace {

TEST(RecordedTimingsLog, TheFileIsTheLogsBenchEnds) {
  const RealLog& log = RecordedLog();
  absl::StatusOr<std::vector<RecordedBenchmark>> file = ReadRecordedRunTimings();
  ASSERT_TRUE(file.ok()) << file.status();
  std::vector<const RealSegment*> ended;
  for (const RealSegment& s : log.segments) {
    if (s.ended) ended.push_back(&s);
  }
  ASSERT_EQ(file->size(), ended.size());
  ASSERT_EQ(ended.size(), 243u);
  for (size_t i = 0; i < ended.size(); ++i) {
    const RealSegment& s = *ended[i];
    const RecordedBenchmark& f = (*file)[i];
    EXPECT_EQ(f.name, s.base) << i;
    EXPECT_EQ(f.n_go151, s.end_n) << s.base;
    const double ns = static_cast<double>(s.end_ns) / static_cast<double>(s.end_n);
    EXPECT_NEAR(f.ns_go151, ns, 0.0000501) << s.base;  // half the last decimal, and float error
    EXPECT_EQ(f.n_fix, f.n_go151) << s.base;
    EXPECT_EQ(f.ns_fix, f.ns_go151) << s.base;
  }
}

}  // namespace
}  // namespace calibrate
}  // namespace thp
