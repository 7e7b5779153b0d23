#include "bench/calibrate/mark_shares.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "bench/calibrate/nearest_rank.h"
#include "mheap/go15/mark_share.h"

namespace thp {
namespace calibrate {

std::vector<double> MarkShares(const std::vector<std::vector<MarkPhase>>& benchmarks) {
  std::vector<double> shares;
  for (const std::vector<MarkPhase>& marks : benchmarks) {
    if (marks.size() < static_cast<size_t>(kMarkShareMinMarks)) continue;
    std::vector<int64_t> lengths;
    for (const MarkPhase& m : marks) lengths.push_back(m.ns);
    std::sort(lengths.begin(), lengths.end());
    const auto median = static_cast<double>(NearestRankOfSorted(lengths, 0.5));
    if (median <= 0) continue;
    for (const MarkPhase& m : marks) {
      if (m.since_ns <= 0 || m.since_bytes <= 0) continue;
      const double rate = static_cast<double>(m.since_bytes) / static_cast<double>(m.since_ns);
      if (rate < kMarkShareMinBytesPerNs) continue;
      shares.push_back(static_cast<double>(std::max<int64_t>(m.grow_bytes, 0)) / (rate * median));
    }
  }
  return shares;
}

MarkShareQuantileTable MarkShareQuantiles(std::vector<double> shares) {
  std::sort(shares.begin(), shares.end());
  MarkShareQuantileTable q{};
  for (size_t i = 0; i < q.size(); ++i) {
    q[i] = NearestRankOfSorted(shares, static_cast<double>(i) / static_cast<double>(q.size() - 1));
  }
  return q;
}

}  // namespace calibrate
}  // namespace thp
