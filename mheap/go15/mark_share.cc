#include "mheap/go15/mark_share.h"

#include <cstddef>

namespace thp {

double MarkShareDraws::Next() {
  state_ += 0x9e3779b97f4a7c15ull;
  uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  // The top 53 bits: a double in [0, 1).
  const double u = static_cast<double>(z >> 11) * 0x1.0p-53;
  const double x = u * static_cast<double>(kMarkShareQuantiles.size() - 1);
  const auto i = static_cast<size_t>(x);
  const double frac = x - static_cast<double>(i);
  return kMarkShareQuantiles[i] + frac * (kMarkShareQuantiles[i + 1] - kMarkShareQuantiles[i]);
}

}  // namespace thp
