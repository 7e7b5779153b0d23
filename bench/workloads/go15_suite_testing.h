// For tests that take one benchmark of the modelled Go 1.5 suite by name.
#ifndef THP_BENCH_WORKLOADS_GO15_SUITE_TESTING_H_
#define THP_BENCH_WORKLOADS_GO15_SUITE_TESTING_H_

#include <string>

#include "bench/workloads/go15_suite.h"
#include "gtest/gtest.h"

namespace thp {

// The benchmark called `name` (e.g. "BenchmarkMatmult"). A name not in the
// suite fails the test, which then gets the suite's first benchmark.
inline const Go15Benchmark& Go15BenchmarkNamed(const std::string& name) {
  for (const Go15Benchmark& b : Go15RuntimeBenchmarks()) {
    if (b.name == name) return b;
  }
  ADD_FAILURE() << name << " is not in the suite";
  return Go15RuntimeBenchmarks().front();
}

}  // namespace thp

#endif  // THP_BENCH_WORKLOADS_GO15_SUITE_TESTING_H_
