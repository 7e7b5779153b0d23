// A compact latency histogram with log-scaled buckets, for the time the
// kernel takes over each madvise call (MadviseCounters) and over each first
// touch of fresh memory (bench/thp_cost). It mirrors no Go code: Go 1.21's
// huge-page trouble (issues 61718, 63334) was long calls made with the heap
// lock held, which totals hide and a distribution shows.
//
// Buckets: every value below 2^kSubBucketBits nanoseconds has a bucket of its
// own; above that each power of two is cut into 2^kSubBucketBits equal
// buckets, so a bucket is at most 1/8 of its lower bound wide. A percentile
// is reported as the upper bound of the bucket holding it, clamped to the
// exact minimum and maximum: never below the true sample, at most 12.5% above
// it, and exact when every sample is equal. The bucket array grows only as
// far as the largest sample needs (about 190 counters for 10 ms).
#ifndef THP_RUNTIME_PORT_BASE_LATENCY_HISTOGRAM_H_
#define THP_RUNTIME_PORT_BASE_LATENCY_HISTOGRAM_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/time/time.h"

namespace thp {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 3;

  // Negative durations (a clock step) count as 0.
  void Record(absl::Duration d);
  void RecordNs(int64_t ns);
  // Adds every sample of `other`.
  void Merge(const LatencyHistogram& other);

  int64_t count() const { return count_; }
  int64_t min_ns() const { return count_ == 0 ? 0 : min_; }
  int64_t max_ns() const { return max_; }
  int64_t sum_ns() const { return sum_; }

  // The q-quantile, 0 < q <= 1, by nearest rank: the sample of rank
  // ceil(q * count) in sorted order, reported as described above; 0 when
  // the histogram is empty.
  int64_t PercentileNs(double q) const;

  // The bucket of a value and the values a bucket holds, [low, high].
  static size_t BucketOf(uint64_t ns);
  static uint64_t BucketLow(size_t bucket);
  static uint64_t BucketHigh(size_t bucket);

 private:
  std::vector<int64_t> buckets_;
  int64_t count_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  int64_t sum_ = 0;
};

}  // namespace thp

#endif  // THP_RUNTIME_PORT_BASE_LATENCY_HISTOGRAM_H_
