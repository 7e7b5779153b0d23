// What go1.5.1's testing.RunBenchmarks makes for a benchmark before its
// first run (testing/benchmark.go), as heap events, and how long each of
// those objects stays reachable.
//
// For each benchmark RunBenchmarks, on the main goroutine:
//   1. makes b's signal channel (makechan of an unbuffered chan
//      interface{}: one 96-byte noscan hchan) and b itself (&B, 256 bytes);
//   2. names it (benchmarkName: fmt.Sprintf("%s-%d", name, procs) boxes
//      both arguments into interfaces, a 16-byte string header and an
//      8-byte int, and makes the result string; at procs 1 it returns the
//      name itself and allocates nothing);
//   3. prints the name (fmt.Printf("%-*s\t", maxlen, benchName): the int
//      and the string header boxed again).
// Then b.run() starts the launch goroutine (go15_launch.h).
//
// What lives how long, as GODEBUG=allocfreetrace=1 shows on the recording
// build (a run of three benchmarks; the tracefree of each object):
//   - b and its channel: until the next benchmark's `b :=` (the launch
//     goroutine that also holds b has exited by then);
//   - benchName's string: until the next benchmark's benchName;
//   - Sprintf's two boxes: garbage at once (benchmarkName's frame is gone);
//   - Printf's two boxes: until the next benchmark's Printf. The compiler
//     keeps Printf's variadic array in RunBenchmarks' own frame, whose
//     address is taken, so Go 1.5's stack maps keep it live for the whole
//     function: the boxes it points to stay reachable until the next
//     Printf overwrites it.
// So a benchmark's run holds five small objects of the main goroutine,
// made right after the previous benchmark's result line. The 8-byte box
// is tiny-allocated into the tiny block the previous benchmark left in the
// mcache (StopTimer's ReadMemStats flushes the mcache's spans but not its
// tiny block), and the 16-byte box goes to the span that flush put back
// first on class 2's nonempty list: the last class-2 span of the previous
// benchmark. That span stays in use while the next benchmark runs and is
// freed by a cycle of the benchmark after it, as Go 1.5.1's log shows for
// CallClosure4, Malloc8 and the other benchmarks that churn class 2
// (bench/calibrate's `outlive` count, outliving_spans.h).
//
// The first benchmark's objects are part of the startup heap
// (go15_startup.h: everything before the first bench_start), which never
// lets go of them; in Go they die during the third benchmark.
#ifndef THP_BENCH_WORKLOADS_GO15_BENCH_SETUP_H_
#define THP_BENCH_WORKLOADS_GO15_BENCH_SETUP_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "bench/workloads/trace_format.h"

namespace thp {

// makechan's hchan on amd64, go1.5.1 (chan.go): qcount, dataqsiz, buf,
// elemsize and closed (with padding), elemtype, sendx, recvx, the two
// waitqs (two pointers each) and lock.
inline constexpr uint64_t kHchanBytes = 96;
// testing.B on amd64, go1.5.1, as mallocgc is asked for it.
inline constexpr uint64_t kTestingBBytes = 256;
// convT2E's box of a string header and of an int.
inline constexpr uint64_t kStringBoxBytes = 16;
inline constexpr uint64_t kIntBoxBytes = 8;

// Trace ids of the set-up objects: above the result line's
// (go15_result_line.h). Two banks, alternating from one benchmark to the
// next, since a benchmark's objects are let go only after the next one's
// are made.
inline constexpr uint64_t kBenchSetupIdBase = 2100000000000000;  // 2.1e15

// The set-up of the nth benchmark of a run (n >= 1: the first one's is in
// the startup heap) named `name` (as the Go function is named, without the
// -procs suffix), at GOMAXPROCS `procs`, on the main goroutine's P, in
// RunBenchmarks' order, each drop where the variable holding the object is
// overwritten (from n >= 2 on, the previous benchmark's).
std::vector<TraceEvent> Go151BenchSetupEvents(size_t nth, absl::string_view name, int procs);

}  // namespace thp

#endif  // THP_BENCH_WORKLOADS_GO15_BENCH_SETUP_H_
