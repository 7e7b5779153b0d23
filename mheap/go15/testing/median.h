// The median the tests that measure the model's constants again from Go's
// recorded runs compare with (defer_many_runs, stack_copy_runs).
#ifndef THP_MHEAP_GO15_TESTING_MEDIAN_H_
#define THP_MHEAP_GO15_TESTING_MEDIAN_H_

#include <vector>

namespace thp {

// The median of `v` (not empty; of an even count, the upper middle),
// rounded to the nearest multiple of `step`.
double MedianRounded(std::vector<double> v, double step);

}  // namespace thp

#endif  // THP_MHEAP_GO15_TESTING_MEDIAN_H_
