// How much of a background cycle's concurrent mark the program spends
// allocating, in Go 1.5.1, as a distribution the model draws from: one
// draw at each background cycle's start (GcModel, mgc.h).
//
// In go1.5.1 the goroutine whose allocation starts a cycle yields its P
// (startGC's Gosched), is preempted for its stack scan (gcscan_m) and for
// the write barrier's installation (forEachP), pays mutator assists in
// scan work (mgcmark.go gcAssistAlloc), and sleeps 100 us at a time when
// it owes scan work that neither the background credit nor the work queue
// can give it. How long each of these takes is the scheduler's and the
// threads' business, and the model has neither; it takes the outcome as
// measured: per mark, the heap's growth during it over what the program
// would have allocated in a mark of its benchmark's median length at the
// rate it allocated since the previous cycle ended. A share of 0.2 means
// the program allocated what it would have in a fifth of a typical mark.
// The share varies widely from one mark to the next, and so does the
// height of the heap at each mark termination: in the churn benchmarks
// (one small object per op) that variation decides which pages near the
// heap's top lie idle long enough for the scavenger (issue 13's
// calibration).
//
// Measured, not derived: kMarkShareQuantiles are the 41 quantiles (0,
// 1/40, ..., 1; nearest rank) of the shares of the background marks in
// testdata/go151_heaplog/prefix.hlog.xz, over the benchmarks with at least
// kMarkShareMinMarks of them, of the marks whose program allocated at
// least kMarkShareMinBytesPerNs since the previous cycle's end (4,150
// marks in 25 benchmarks); each to 3 decimals.
// //bench/calibrate:mark_shares_log_test measures them again. A benchmark's
// mean rate is either under 0.05 or over 0.2 bytes/ns; per mark, a limit of
// 0.05 or 0.2 takes 4,166 or 4,093 marks, whose quantiles differ from
// these by at most 0.011 up to the 80th percentile and by under 4% above
// it, the maximum aside (scratch reading of the log). ASSUMPTION: one
// distribution for every benchmark; the medians of the benchmarks with
// 100 such marks or more range from 0.04 (MallocLargeStruct) to 0.50
// (AppendGrowByte), 0.15 to 0.36 in the churn benchmarks (CallClosure*,
// ConvT2*, Malloc8/16, MallocTypeInfo*, Allocation).
#ifndef THP_MHEAP_GO15_MARK_SHARE_H_
#define THP_MHEAP_GO15_MARK_SHARE_H_

#include <array>
#include <cstdint>

#include "runtime_port/base/splitmix64.h"

namespace thp {

inline constexpr int kMarkShareMinMarks = 20;
inline constexpr double kMarkShareMinBytesPerNs = 0.1;
// The quantiles 0, 1/40, ..., 1 of a distribution of shares.
using MarkShareQuantileTable = std::array<double, 41>;
inline constexpr MarkShareQuantileTable kMarkShareQuantiles = {
    0.000, 0.003, 0.013, 0.027, 0.035, 0.044, 0.052, 0.061,
    0.071, 0.078, 0.087, 0.097, 0.112, 0.124, 0.136, 0.147,
    0.156, 0.165, 0.175, 0.186, 0.195, 0.206, 0.214, 0.224,
    0.237, 0.250, 0.268, 0.288, 0.306, 0.335, 0.372, 0.407,
    0.453, 0.496, 0.551, 0.603, 0.693, 0.925, 1.249, 1.858,
    15.852};
// The draws' fixed seed: every run of the model draws the same shares in
// the same order (RuntimeOptions::mark_share_seed, the drivers'
// --mark_share_seed, sets another).
inline constexpr uint64_t kMarkShareSeed = 0x5eed15;

// A fixed sequence of shares from kMarkShareQuantiles: each draw a
// uniform point of [0, 1) (splitmix64) mapped through the quantiles,
// linearly between neighbours. Not a Go thing.
class MarkShareDraws {
 public:
  explicit MarkShareDraws(uint64_t seed = kMarkShareSeed) : state_(seed) {}
  double Next();

 private:
  SplitMix64 state_;
};

}  // namespace thp

#endif  // THP_MHEAP_GO15_MARK_SHARE_H_
