// The percentile math of LatencyHistogram: bucket boundaries, nearest-rank
// selection, the clamping to the exact extremes, merging, and the promised
// error bound checked against exact order statistics.
#include "runtime_port/base/latency_histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace thp {
namespace {

// The exact nearest-rank percentile of `v`.
int64_t ExactPercentile(std::vector<int64_t> v, double q) {
  std::sort(v.begin(), v.end());
  const int64_t rank = static_cast<int64_t>(std::ceil(q * static_cast<double>(v.size()) - 1e-9));
  return v[static_cast<size_t>(std::max<int64_t>(rank, 1) - 1)];
}

TEST(LatencyHistogram, BucketsTileTheValuesWithoutGapsOrOverlap) {
  // Small values are exact; each bucket starts one past the previous one's
  // end and is at most 1/8 of its start wide.
  for (uint64_t v = 0; v < 8; ++v) {
    EXPECT_EQ(LatencyHistogram::BucketOf(v), v);
    EXPECT_EQ(LatencyHistogram::BucketLow(v), v);
    EXPECT_EQ(LatencyHistogram::BucketHigh(v), v);
  }
  for (size_t b = 1; b < 480; ++b) {
    const uint64_t low = LatencyHistogram::BucketLow(b);
    const uint64_t high = LatencyHistogram::BucketHigh(b);
    ASSERT_EQ(low, LatencyHistogram::BucketHigh(b - 1) + 1) << "bucket " << b;
    ASSERT_LE(low, high);
    ASSERT_LE(high - low, low / 8) << "bucket " << b;
    ASSERT_EQ(LatencyHistogram::BucketOf(low), b);
    ASSERT_EQ(LatencyHistogram::BucketOf(high), b);
  }
  EXPECT_EQ(LatencyHistogram::BucketLow(16), 16u);
  EXPECT_EQ(LatencyHistogram::BucketHigh(16), 17u);
  // 1000 ns = 0b1111101000 lies in [960, 1023].
  EXPECT_EQ(LatencyHistogram::BucketLow(LatencyHistogram::BucketOf(1000)), 960u);
  EXPECT_EQ(LatencyHistogram::BucketHigh(LatencyHistogram::BucketOf(1000)), 1023u);
  // The largest int64 value still has a bucket whose bounds do not overflow.
  const size_t top = LatencyHistogram::BucketOf(uint64_t{INT64_MAX});
  EXPECT_EQ(LatencyHistogram::BucketHigh(top), uint64_t{INT64_MAX});
}

TEST(LatencyHistogram, EmptyReportsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.PercentileNs(0.5), 0);
  EXPECT_EQ(h.PercentileNs(1.0), 0);
  EXPECT_EQ(h.max_ns(), 0);
  EXPECT_EQ(h.min_ns(), 0);
}

TEST(LatencyHistogram, OneSampleIsExactAtEveryPercentile) {
  LatencyHistogram h;
  h.Record(absl::Nanoseconds(12345));
  EXPECT_EQ(h.PercentileNs(0.01), 12345);
  EXPECT_EQ(h.PercentileNs(0.5), 12345);
  EXPECT_EQ(h.PercentileNs(0.99), 12345);
  EXPECT_EQ(h.max_ns(), 12345);
}

TEST(LatencyHistogram, NearestRankOnExactBuckets) {
  LatencyHistogram h;
  for (int64_t v = 0; v < 8; ++v) h.RecordNs(v);
  EXPECT_EQ(h.PercentileNs(0.5), 3);     // rank 4 of 8
  EXPECT_EQ(h.PercentileNs(0.51), 4);    // rank ceil(4.08) = 5
  EXPECT_EQ(h.PercentileNs(0.125), 0);   // rank 1
  EXPECT_EQ(h.PercentileNs(1.0), 7);
  EXPECT_EQ(h.sum_ns(), 28);
}

TEST(LatencyHistogram, P99OfAHundredIsTheNinetyNinthNotTheLast) {
  // 99 fast calls and one slow one: p99 is rank 99 (the slow call is rank
  // 100), p50 the bucket bound of 1000 ns, max exact.
  LatencyHistogram h;
  for (int i = 0; i < 99; ++i) h.RecordNs(1000);
  h.RecordNs(5000000);
  EXPECT_EQ(h.PercentileNs(0.5), 1023);
  EXPECT_EQ(h.PercentileNs(0.99), 1023);
  EXPECT_EQ(h.PercentileNs(1.0), 5000000);
  EXPECT_EQ(h.max_ns(), 5000000);
  // One more slow call moves p99 (rank ceil(99.99) = 100) onto it, clamped
  // to the exact maximum rather than its bucket's upper bound.
  h.RecordNs(5000000);
  EXPECT_EQ(h.PercentileNs(0.99), 5000000);
}

TEST(LatencyHistogram, ClampsToTheExactMinimum) {
  // All samples in one wide bucket: every percentile is the true value.
  LatencyHistogram h;
  for (int i = 0; i < 10; ++i) h.RecordNs(1000000);
  EXPECT_EQ(h.PercentileNs(0.5), 1000000);
  EXPECT_EQ(h.min_ns(), 1000000);
}

TEST(LatencyHistogram, NegativeDurationsCountAsZero) {
  LatencyHistogram h;
  h.Record(absl::Nanoseconds(-5));
  EXPECT_EQ(h.count(), 1);
  EXPECT_EQ(h.max_ns(), 0);
  EXPECT_EQ(h.PercentileNs(0.5), 0);
}

TEST(LatencyHistogram, PercentilesStayWithinOneEighthAboveTheExactValue) {
  // A spread of values over six decades (deterministic LCG).
  std::vector<int64_t> values;
  LatencyHistogram h;
  uint64_t x = 12345;
  for (int i = 0; i < 5000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const int64_t v = static_cast<int64_t>(std::pow(10.0, static_cast<double>(x >> 11) / 9007199254740992.0 * 6.0));
    values.push_back(v);
    h.RecordNs(v);
  }
  for (double q : {0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1.0}) {
    const int64_t exact = ExactPercentile(values, q);
    const int64_t got = h.PercentileNs(q);
    EXPECT_GE(got, exact) << "q=" << q;
    EXPECT_LE(got, exact + exact / 8) << "q=" << q;
  }
  EXPECT_EQ(h.max_ns(), *std::max_element(values.begin(), values.end()));
  EXPECT_EQ(h.PercentileNs(1.0), h.max_ns());
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
  LatencyHistogram a, b, all;
  for (int64_t v : {3, 900, 70000, 70001}) {
    a.RecordNs(v);
    all.RecordNs(v);
  }
  for (int64_t v : {1, 2000000, 45}) {
    b.RecordNs(v);
    all.RecordNs(v);
  }
  LatencyHistogram empty;
  a.Merge(empty);
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.sum_ns(), all.sum_ns());
  EXPECT_EQ(a.min_ns(), 1);
  EXPECT_EQ(a.max_ns(), 2000000);
  for (double q : {0.1, 0.5, 0.9, 1.0}) EXPECT_EQ(a.PercentileNs(q), all.PercentileNs(q)) << q;
  // Merging into an empty histogram copies it.
  empty.Merge(all);
  EXPECT_EQ(empty.PercentileNs(0.5), all.PercentileNs(0.5));
  EXPECT_EQ(empty.min_ns(), 1);
}

}  // namespace
}  // namespace thp
