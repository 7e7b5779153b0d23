// How far apart the modelled run and Go 1.5.1's recording are, for one
// benchmark or the whole suite. The definition, which the tables, the
// sorting and the README rely on (keep it stable):
//
//   distance = max(count_gap, tvd)
//
//   count_gap = |ln(ratio)|, the releases (sysUnused calls) of the two sides
//     as a ratio: with m modelled and r real releases,
//       m > 0 and r > 0:    ratio = max(m/r, r/m)
//       m = r = 0:          ratio = 1                 (count_gap 0)
//       one side 0, other n: ratio = n + 1            (the empty side counted
//                                                      as if it had made one
//                                                      release and the other
//                                                      n + 1)
//     so count_gap 0.14 is 15% apart, 0.69 a factor of two.
//
//   tvd = the total variation distance of the release-size histograms
//     (heap pages, bins 1, 2, 3-4, 5-8, 9-32, 33-256, >256; tally.h), each
//     side's counts divided by its releases: 1/2 sum_bin |p_bin - q_bin|,
//     in [0, 1]; 0 when neither side released anything, 1 when only one did.
//
// Benchmarks are listed furthest apart first: by distance, then by the
// larger release count of the two sides, then by name.
#ifndef THP_BENCH_CALIBRATE_GAP_H_
#define THP_BENCH_CALIBRATE_GAP_H_

#include <cstdint>

#include "bench/calibrate/tally.h"

namespace thp {
namespace calibrate {

struct Gap {
  double ratio = 1;      // as defined above, >= 1
  double count_gap = 0;  // |ln(ratio)|
  double tvd = 0;
  double distance = 0;   // max(count_gap, tvd)
};

// The release-count ratio of m and r as defined above.
double ReleaseRatio(uint64_t m, uint64_t r);
// The total variation distance of two histograms (as defined above).
double TotalVariation(const SizeHistogram& a, const SizeHistogram& b);
// The gap between a modelled and a real tally.
Gap ReleaseGap(const Tally& model, const Tally& real);
// The same gap on the releases that are not stale-now (tally.h): counts
// less stale_now_releases, histograms less stale_release_hist.
Gap OtherReleaseGap(const Tally& model, const Tally& real);

}  // namespace calibrate
}  // namespace thp

#endif  // THP_BENCH_CALIBRATE_GAP_H_
