// The program's shares of background marks (mheap/go15/mark_share.h says
// what a share is and why the model draws them), measured from the marks
// a log's benchmarks made (mark_phases.h): the numbers behind
// kMarkShareQuantiles. It mirrors no Go code.
#ifndef THP_BENCH_CALIBRATE_MARK_SHARES_H_
#define THP_BENCH_CALIBRATE_MARK_SHARES_H_

#include <vector>

#include "bench/calibrate/mark_phases.h"
#include "mheap/go15/mark_share.h"

namespace thp {
namespace calibrate {

// Each benchmark's marks, in order. Of the benchmarks with at least
// kMarkShareMinMarks marks: every mark whose program allocated at least
// kMarkShareMinBytesPerNs over the time since the previous cycle's end
// gives its heap growth over that rate times the benchmark's median mark
// length (nearest rank; a shrinking heap gives 0). The shares in no
// particular order.
std::vector<double> MarkShares(const std::vector<std::vector<MarkPhase>>& benchmarks);

// The 41 quantiles of `shares` (not empty), 0, 1/40, ..., 1, nearest rank.
MarkShareQuantileTable MarkShareQuantiles(std::vector<double> shares);

}  // namespace calibrate
}  // namespace thp

#endif  // THP_BENCH_CALIBRATE_MARK_SHARES_H_
