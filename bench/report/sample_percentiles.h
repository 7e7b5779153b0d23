// Exact percentiles of a sample, by nearest rank: the q-th percentile of n
// values is the ceil(q * n)-th smallest (the smallest for q = 0). Unlike
// LatencyHistogram's buckets, what a report prints is a value that was
// measured: thp_bloat's collapse times, thp_cost's per-operation timings.
// Not a Go thing.
#ifndef THP_BENCH_REPORT_SAMPLE_PERCENTILES_H_
#define THP_BENCH_REPORT_SAMPLE_PERCENTILES_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace thp {

// 0 for an empty sample; q in [0, 1].
inline int64_t NearestRankPercentile(std::vector<int64_t> values, double q) {
  if (values.empty()) return 0;
  const double n = static_cast<double>(values.size());
  size_t rank = static_cast<size_t>(std::ceil(q * n));
  if (rank < 1) rank = 1;
  if (rank > values.size()) rank = values.size();
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank - 1),
                   values.end());
  return values[rank - 1];
}

}  // namespace thp

#endif  // THP_BENCH_REPORT_SAMPLE_PERCENTILES_H_
