// The nearest-rank quantile calibrate reports (the Tally's mark lengths and
// growths, sysmon_rounds.h): of n sorted values, the one at index
// round(q * (n - 1)). Not a Go thing.
#ifndef THP_BENCH_CALIBRATE_NEAREST_RANK_H_
#define THP_BENCH_CALIBRATE_NEAREST_RANK_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace thp {
namespace calibrate {

// `sorted` ascending and not empty; q in [0, 1].
template <typename T>
T NearestRankOfSorted(const std::vector<T>& sorted, double q) {
  const auto rank = static_cast<size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(rank, sorted.size() - 1)];
}

}  // namespace calibrate
}  // namespace thp

#endif  // THP_BENCH_CALIBRATE_NEAREST_RANK_H_
