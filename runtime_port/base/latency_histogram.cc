#include "runtime_port/base/latency_histogram.h"

#include <algorithm>
#include <cmath>

#include "absl/numeric/bits.h"
#include "absl/strings/str_cat.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace {

constexpr uint64_t kSub = uint64_t{1} << LatencyHistogram::kSubBucketBits;

}  // namespace

size_t LatencyHistogram::BucketOf(uint64_t ns) {
  if (ns < kSub) return static_cast<size_t>(ns);
  const int top = 63 - absl::countl_zero(ns);  // >= kSubBucketBits
  const int shift = top - kSubBucketBits;
  const uint64_t mantissa = (ns >> shift) - kSub;  // 0 .. kSub-1
  return static_cast<size_t>(static_cast<uint64_t>(shift + 1) * kSub + mantissa);
}

uint64_t LatencyHistogram::BucketLow(size_t bucket) {
  if (bucket < kSub) return bucket;
  const uint64_t shift = bucket / kSub - 1;
  return (kSub + bucket % kSub) << shift;
}

uint64_t LatencyHistogram::BucketHigh(size_t bucket) {
  if (bucket < kSub) return bucket;
  const uint64_t shift = bucket / kSub - 1;
  return BucketLow(bucket) + ((uint64_t{1} << shift) - 1);
}

void LatencyHistogram::Record(absl::Duration d) { RecordNs(absl::ToInt64Nanoseconds(d)); }

void LatencyHistogram::RecordNs(int64_t ns) {
  if (ns < 0) ns = 0;
  const size_t b = BucketOf(static_cast<uint64_t>(ns));
  if (b >= buckets_.size()) buckets_.resize(b + 1, 0);
  ++buckets_[b];
  min_ = count_ == 0 ? ns : std::min(min_, ns);
  max_ = std::max(max_, ns);
  sum_ += ns;
  ++count_;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  if (other.buckets_.size() > buckets_.size()) buckets_.resize(other.buckets_.size(), 0);
  for (size_t i = 0; i < other.buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
  count_ += other.count_;
}

int64_t LatencyHistogram::PercentileNs(double q) const {
  THP_CHECK(q > 0 && q <= 1, absl::StrCat("percentile ", q, " outside (0, 1]"));
  if (count_ == 0) return 0;
  // Nearest rank; the small slack keeps 0.99 * 100 from rounding up to 100.
  int64_t rank = static_cast<int64_t>(std::ceil(q * static_cast<double>(count_) - 1e-9));
  rank = std::clamp<int64_t>(rank, 1, count_);
  int64_t seen = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) {
      const uint64_t high = BucketHigh(i);
      const int64_t v = high > static_cast<uint64_t>(max_) ? max_ : static_cast<int64_t>(high);
      return std::max(v, min_);
    }
  }
  return max_;  // unreachable: the buckets hold count_ samples
}

}  // namespace thp
