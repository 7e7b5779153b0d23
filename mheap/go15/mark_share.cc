#include "mheap/go15/mark_share.h"

#include <cstddef>

namespace thp {

double MarkShareDraws::Next() {
  const double u = state_.NextUnit();
  const double x = u * static_cast<double>(kMarkShareQuantiles.size() - 1);
  const auto i = static_cast<size_t>(x);
  const double frac = x - static_cast<double>(i);
  return kMarkShareQuantiles[i] + frac * (kMarkShareQuantiles[i + 1] - kMarkShareQuantiles[i]);
}

}  // namespace thp
