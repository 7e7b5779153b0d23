#include "mheap/go15/testing/median.h"

#include <algorithm>
#include <cmath>

namespace thp {

double MedianRounded(std::vector<double> v, double step) {
  std::sort(v.begin(), v.end());
  return std::round(v[v.size() / 2] / step) * step;
}

}  // namespace thp
