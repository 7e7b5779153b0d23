#include "bench/report/repro_result.h"

#include <algorithm>

namespace thp {

std::vector<CensusPoint> DownsampleSeries(const std::vector<CensusPoint>& series, int64_t end_ns,
                                          int points) {
  if (series.size() <= static_cast<size_t>(points) || end_ns <= 0) return series;
  std::vector<CensusPoint> out;
  const int64_t width = end_ns / points + 1;
  for (const CensusPoint& p : series) {
    const int64_t bucket = p.t_ns / width;
    if (!out.empty() && out.back().t_ns / width == bucket) {
      out.back().process = std::max(out.back().process, p.process);
      out.back().own = std::max(out.back().own, p.own);
    } else {
      out.push_back(p);
    }
  }
  return out;
}

}  // namespace thp
