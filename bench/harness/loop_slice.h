// --loop_slice_us, shared by the drivers that run the modelled suite
// (vma_repro, calibrate): the replayer's loop slice, the model's time
// resolution inside a benchmark's loop (bench/workloads/trace_replayer.h
// kLoopSliceNs, its default). 1 to 1000000 microseconds; anything else is
// a one-line usage error (flag_range.h).
#ifndef THP_BENCH_HARNESS_LOOP_SLICE_H_
#define THP_BENCH_HARNESS_LOOP_SLICE_H_

#include <cstdint>

namespace thp {

// The flag's value in nanoseconds (SuiteOptions::loop_slice_ns).
int64_t LoopSliceNsFromFlags();

}  // namespace thp

#endif  // THP_BENCH_HARNESS_LOOP_SLICE_H_
