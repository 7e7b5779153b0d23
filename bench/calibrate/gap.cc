#include "bench/calibrate/gap.h"

#include <algorithm>
#include <cmath>

namespace thp {
namespace calibrate {

double ReleaseRatio(uint64_t m, uint64_t r) {
  if (m == 0 && r == 0) return 1;
  if (m == 0 || r == 0) return static_cast<double>(std::max(m, r)) + 1;
  const double a = static_cast<double>(m), b = static_cast<double>(r);
  return std::max(a / b, b / a);
}

double TotalVariation(const SizeHistogram& a, const SizeHistogram& b) {
  uint64_t na = 0, nb = 0;
  for (int i = 0; i < kSizeBins; ++i) {
    na += a[i];
    nb += b[i];
  }
  if (na == 0 && nb == 0) return 0;
  if (na == 0 || nb == 0) return 1;
  double sum = 0;
  for (int i = 0; i < kSizeBins; ++i) {
    sum += std::fabs(static_cast<double>(a[i]) / static_cast<double>(na) -
                     static_cast<double>(b[i]) / static_cast<double>(nb));
  }
  return sum / 2;
}

Gap ReleaseGap(const Tally& model, const Tally& real) {
  Gap g;
  g.ratio = ReleaseRatio(model.releases, real.releases);
  g.count_gap = std::fabs(std::log(g.ratio));
  g.tvd = TotalVariation(model.release_hist, real.release_hist);
  g.distance = std::max(g.count_gap, g.tvd);
  return g;
}

Gap OtherReleaseGap(const Tally& model, const Tally& real) {
  auto others = [](const Tally& t) {
    Tally o;
    o.releases = t.releases - t.stale_now_releases;
    for (int b = 0; b < kSizeBins; ++b) o.release_hist[b] = t.release_hist[b] - t.stale_release_hist[b];
    return o;
  };
  return ReleaseGap(others(model), others(real));
}

}  // namespace calibrate
}  // namespace thp
