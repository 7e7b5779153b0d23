// What testing prints after each benchmark in go1.5.1, as heap events: the
// result line (testing/benchmark.go RunBenchmarks: r.String(), then
// fmt.Println of it), made after the launch goroutine's last run.
//
// Every fmt call takes a pp from the package's sync.Pool ppFree
// (fmt/print.go newPrinter) and puts it back after (pp.free). The runs'
// GCs empty that pool: each cycle's start runs clearpools, whose
// poolCleanup (sync/pool.go) drops every pool's per-P array and forgets
// every pool. So r.String()'s first fmt.Sprintf finds ppFree with no array:
// Pool.Get's pin goes to pinSlow, which appends the pool to allPools (a new
// one-slot []*Pool: allPools is empty after a cleanup) and makes a
// []poolLocal of GOMAXPROCS(0) elements, and getSlow finds no pp and calls
// New, which makes one. The rest of the line's fmt calls reuse that pp.
// All three objects are reachable only through the pool, so the next
// cycle's poolCleanup (the next benchmark's first runN GC) leaves them to
// its sweep. Go 1.5.1's log shows this after every one of its 243
// benchmarks: a fresh one-page span of the array's size class (352 bytes at
// GOMAXPROCS 2: class 20) right after bench_end, freed by the next
// benchmark's first GC and released by the scavenger while that benchmark
// runs.
//
// A deviation: when a background cycle is already marking as the line is
// printed (its poolCleanup ran before the array existed), Go's pool still
// holds the three at that cycle's mark termination and the cycle after it
// frees them; the model, which drops them at once, lets that cycle's sweep
// free them (7 of the 242 in Go 1.5.1's log).
//
// Left out: the line's strings and interface boxes (noscan or 16-byte
// objects under 64 bytes, which land in spans the heap already has and are
// garbage once the line is printed). The objects the next benchmark's
// set-up makes before its first run come right after these
// (go15_bench_setup.h): they take no span of their own either, but they
// keep the spans they land in for that benchmark's whole run.
#ifndef THP_BENCH_WORKLOADS_GO15_RESULT_LINE_H_
#define THP_BENCH_WORKLOADS_GO15_RESULT_LINE_H_

#include <cstdint>
#include <vector>

#include "bench/workloads/trace_format.h"

namespace thp {

// sync.poolLocal on amd64, go1.5.1: private (an interface, 16 bytes), shared
// (a slice, 24), the embedded Mutex (8) and the 128-byte pad.
inline constexpr uint64_t kPoolLocalBytes = 16 + 24 + 8 + 128;
// fmt.pp on amd64, go1.5.1: n, two bools, buf (a slice), arg (an
// interface), value (reflect.Value, three words), two bools and runeBuf
// [4]byte, then the fmt struct (intbuf [65]byte, a pointer, wid, prec and
// 11 flag bools: 112 bytes with its padding).
inline constexpr uint64_t kFmtPpBytes = 200;
// The one-slot []*Pool that pinSlow's append makes.
inline constexpr uint64_t kAllPoolsSlotBytes = 8;

// Trace ids of the result line's objects: above the startup program's
// (go15_startup.h) and so above every run's. The objects are dropped as soon
// as they are made, so the same ids serve every benchmark.
inline constexpr uint64_t kResultLineIdBase = 2000000000000000;  // 2e15

// The result line's allocations on the main goroutine's P (the launch
// goroutine's, go15_launch.h), in the order pinSlow and getSlow make them,
// then their drops: garbage from the next GC on, as poolCleanup leaves
// them.
std::vector<TraceEvent> Go151ResultLineEvents(int gomaxprocs);

}  // namespace thp

#endif  // THP_BENCH_WORKLOADS_GO15_RESULT_LINE_H_
