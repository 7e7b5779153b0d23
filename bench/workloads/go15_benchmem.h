// The Go 1.5 suite's programs (go15_suite.h) counted as go1.5.1's testing
// package counts a benchmark's memory under -benchmem: B/op and allocs/op
// are the growth of runtime.MemStats' TotalAlloc and Mallocs while the
// timer runs (testing/benchmark.go: StartTimer, StopTimer, ResetTimer),
// over b.N, with integer division (BenchmarkResult.AllocsPerOp,
// AllocedBytesPerOp). Go's own report (`-test.benchmem`) is parsed here too,
// so that the two can be set side by side (//bench/workloads:per_op_allocs,
// go15_benchmem_test).
//
// How a program's events count, as go1.5.1's updatememstats derives the two
// statistics (Mallocs: the live objects of in-use spans plus every free;
// TotalAlloc: their bytes at the span's element size):
//  - an alloc event of non-zero size is one malloc (mallocgc of 0 bytes
//    returns zerobase, uncounted);
//  - its bytes are its size class's size (roundupsize), above 32 KiB whole
//    8 KiB pages (largeAlloc); a pointer-free object under 16 bytes (the
//    tiny allocator) takes 16: Go 1.5's mallocgc never makes a fresh block
//    the mcache's tiny block while tinyoffset is 0 (the model keeps that,
//    mheap/go15/mcache.cc), so each tiny alloc is a malloc of a 16-byte
//    block of its own;
//  - stacks (stack, gogrow, gouse events) come from stackalloc, not
//    mallocgc: nothing;
//  - a sudog event is a malloc of a 64-byte sudog as if the runtime's sudog
//    caches were empty (mheap/go15/sudog_cache.h): how many the caches
//    supply depends on what earlier benchmarks left there, so Go's figure
//    can be lower (go15_benchmem_test's SudogsFromCache);
//  - go events: newproc1 mallocs a 384-byte g only when no dead g is free,
//    which in a steady loop does not happen (an op's goroutines' gs are
//    free again by its end, and the suite's earlier benchmarks leave dead
//    gs behind); they are counted apart (gos), not as mallocs.
// The timed region: setup events after its last readmemstats (testing's
// last StartTimer or ResetTimer before the loop; all of setup when there
// is none, runN's StartTimer coming before the benchmark function), every
// iteration, and nothing after the loop (teardown holds no allocs). A body
// that reads the memory statistics itself (benchHelper's StartTimer ...
// StopTimer) is timed between its odd and even reads only, its setup not
// at all.
#ifndef THP_BENCH_WORKLOADS_GO15_BENCHMEM_H_
#define THP_BENCH_WORKLOADS_GO15_BENCHMEM_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bench/workloads/go15_suite.h"
#include "bench/workloads/run_program.h"

namespace thp {

// One benchmark's line of Go's -benchmem report.
struct GoBenchmem {
  int64_t n = 0;              // its b.N
  int64_t bytes_per_op = 0;   // B/op
  int64_t allocs_per_op = 0;  // allocs/op
};

// The benchmark lines of a -benchmem report ("BenchmarkFoo-2  5000
// 123 ns/op  16 B/op  1 allocs/op"), keyed by name without the
// -GOMAXPROCS suffix; a later line of a name replaces an earlier one.
// Other lines are skipped. InvalidArgument when no line has both B/op and
// allocs/op.
absl::StatusOr<std::map<std::string, GoBenchmem>> ParseGoBenchmem(absl::string_view text);

// A program's timed heap activity per op (b.N), unrounded.
struct ModelBenchmem {
  double allocs_per_op = 0;
  double bytes_per_op = 0;
  double gos_per_op = 0;           // go events (not counted as mallocs)
  double setup_bytes_per_op = 0;   // the part of bytes_per_op made before the loop
};

// What mallocgc adds to TotalAlloc for one alloc event (see above).
uint64_t GoTotalAllocBytes(const TraceEvent& alloc);

// Counts a built program.
ModelBenchmem CountBenchmem(const RunProgram& prog);

// Builds `bench` at b.N = n on `gomaxprocs` Ps and counts it.
ModelBenchmem ModelBenchmemOf(const Go15Benchmark& bench, int64_t n, int gomaxprocs);

}  // namespace thp

#endif  // THP_BENCH_WORKLOADS_GO15_BENCHMEM_H_
