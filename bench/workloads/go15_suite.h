// The 243 benchmarks of Go 1.5's runtime package built on linux/amd64, in
// the order `go test -bench . runtime` runs them (test files in sorted name
// order, functions in declaration order), each as a generator of one b.N
// run's heap program. The table and the Go source each entry reads are in
// go15_suite.cc; the benchmarks are those of go1.5 src/runtime/*_test.go, in
// the order Go 1.5.1's cmd/go/test.go (loadTestFuncs) puts them in the test
// main.
#ifndef THP_BENCH_WORKLOADS_GO15_SUITE_H_
#define THP_BENCH_WORKLOADS_GO15_SUITE_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/workloads/run_program.h"

namespace thp {

// Writes one run of the benchmark into `b` (setup, then the body of one
// iteration). A benchmark with no heap activity writes nothing; its runs
// still take virtual time.
using WorkloadGenerator = void (*)(RunBuilder& b);

// How a benchmark's timed loop lets the scheduler in.
enum class LoopSched {
  // It reaches preemption points, and a P it leaves idle (or its goroutines
  // blocking) runs what the runtime readies.
  kSchedules,
  // It never reaches a preemption point (its trace loop is "nosafepoint").
  // Such a loop makes no heap event that would reach one: none, or
  // allocations on the system stack (DeferMany's defer records).
  kNoSafePoint,
  // It reaches a preemption point only at its allocations (its trace loop
  // is "allocsafepoints"): append's loop, whose only call is growslice.
  kSafePointsAtAllocs,
  // Its goroutines (RunParallel's workers) keep every P running and never
  // block or yield (its trace loop is "everypbusy"): what the runtime
  // readies waits for sysmon to preempt one.
  kEveryPBusy,
};

struct Go15Benchmark {
  const char* name;  // "BenchmarkMalloc8", as Go names it (no -N suffix)
  const char* file;  // "malloc_test.go"
  WorkloadGenerator generate;
  // How Go 1.5.1's compiled timed loop lets the scheduler in (see
  // go15_suite.cc for which loops are marked and why).
  LoopSched loop = LoopSched::kSchedules;
};
inline constexpr LoopSched kNoSafePoint = LoopSched::kNoSafePoint;
inline constexpr LoopSched kEveryPBusy = LoopSched::kEveryPBusy;
inline constexpr LoopSched kSafePointsAtAllocs = LoopSched::kSafePointsAtAllocs;

// BenchmarkDeferMany's b.N deferred calls, which run as the function
// returns (deferreturn, go1.5.1 panic.go), after its loop. Measured in Go
// 1.5.1's log (testdata/go151_heaplog/prefix.hlog.xz), over its three runs
// of b.N >= 10^6, each value the median to the nearest 10 ns
// (//bench/workloads:go15_defer_many_test measures them again):
// - kDeferManyAfterLoopNs: a run's time from its last span allocation (the
//   loop's last defer records) to the run's end, over b.N (321, 347 and
//   418 ns). The rest of each op's recorded time is the loop's.
// - kDeferManyDeferredCallNs: the calls' own time, the same less the
//   background cycles' mark terminations in it (gc_mark_term -> gc_done,
//   where the world is stopped), over b.N (284, 303 and 382 ns). The model
//   stops the world for those itself (mgc.h, kChainLinkRescanNs).
inline constexpr double kDeferManyAfterLoopNs = 350;
inline constexpr double kDeferManyDeferredCallNs = 300;

// BenchmarkMatmult's setup (makeMatrix, go1.5.1 proc_test.go), run with
// the timer stopped: the time from one of its span allocations to the next,
// which is the rows the span holds allocated and filled. Measured in Go
// 1.5.1's log (testdata/go151_heaplog/prefix.hlog.xz) over the setups of
// its runs of b.N >= 10^8 (from the run's forced GC's gc_done to its tree's
// first stack), leaving out the intervals a cycle overlaps (gc_start to
// gc_done: the model times marks and stopped worlds itself): the mean is
// 8,497 ns pooled, to the nearest 100 ns. It is about the same per span
// whatever the span holds (8.0 us for two rows of 465 elements, 9.1 us for
// three of 670), not per row or per element, so the model charges it per
// span, spread evenly over the span's rows. The mean, not the median (7.0
// us), since a run's time is Go's total, as a loop's ns/op is: a few
// intervals of 65-140 us, the size of a fault that zeroes a huge page, are
// Go's time too (//bench/workloads:go15_matmult_setup_log_test measures
// all of it again).
inline constexpr double kMakeMatrixNsPerSpan = 8500;
// The time the model gives one row of an n x n matrix: its span's time over
// the rows of n float64s the span holds (a row over 32 KiB has one).
double MakeMatrixRowNs(uint64_t n);

// BenchmarkChanPopular: in a b.N = 1 run, how many of the 1000 goroutines
// block in their select (two sudogs each), all on P 0. Measured, not
// derived: in a run of Go 1.5.1's whole suite with the measurement-only
// tools/go151/sudog.patch (testdata/go151_sudogs/full_suite.txt), the
// b.N = 1 run allocated 1,010 sudogs, two for each of 505 goroutines, all
// on P 0, one goroutine after another over 4.5 ms as the others were made:
// goids 319 to 823 but one, and one more. ASSUMPTION: they are the first
// 505 made (the next run's goroutines took the 1,000 goids after 1312, so
// these were about the 7th to the 511th; one that does not block leaves no
// record). The recorded log's b.N = 1 run (testdata/go151_heaplog/
// prefix.hlog.xz) allocated 9 new spans of their 64-byte class, room for
// 1,152. Run alone (-test.bench=ChanPopular, five runs) the same binary's
// b.N = 1 run had 972 to 1,001 of them block, so the count follows the
// state the earlier benchmarks leave, which the model does not derive; at
// a GOMAXPROCS other than 2 it is a stand-in. //bench/workloads:
// go15_sudogs_log_test measures it again from the file.
inline constexpr int kChanPopularFirstRunBlocked = 505;

// BenchmarkCreateGoroutinesCapture: how many ops the benchmark goroutine
// runs on one P before it is found on the other. Each op's four goroutines
// run where it made them unless another P steals some (below), so its P is
// where most of their gs go back to (gfput) and come from (gfget), and
// whose stack cache gives each g whose stack the last GC freed a new one
// (stackcacherefill takes 8 stacks a time from the pool). Measured, not
// derived: in a run of Go 1.5.1's whole suite with the measurement-only
// tools/go151/gfree_ops.patch (testdata/go151_gfree/ops_suite.txt.xz), the
// benchmark's runs of b.N >= 10^6 made their goroutines over 3,056 moves
// in 2,999,872 ops, one move every 982 ops (at its ~800 ns/op about one
// every 0.8 ms). The rate is not Go's constant: an earlier whole-suite run
// (testdata/go151_gfree/full_suite.txt) moved once every 1,600 ops, runs of
// the benchmark alone every 858-959, on one CPU every 6,400-6,700 (the
// move is a steal by the other P, woken by newproc1's wakep, which an OS
// scheduler decides as much as Go's). The model moves to the next P in
// turn at this rate per op.
// //bench/workloads:go15_gfree_ops_log_test measures it again from the file.
inline constexpr int64_t kCreateGoroutinesCaptureOpsPerMove = 982;

// BenchmarkCreateGoroutinesCapture: in the op after which the benchmark
// goroutine is found on the other P, how many of the op's four goroutines
// exited there: weight j is how many moving ops saw j. The other P's steal
// (go1.5.1 proc1.go runqsteal, runqgrab taking half the queue from its
// head) sends those gs to its free list, and when the op's last wg.Done
// runs there the benchmark goroutine follows. 1.22 a move. Measured, not
// derived, in the same run (GFREEOPS moved=1 lines).
// //bench/workloads:go15_gfree_ops_log_test measures it again from the file.
inline constexpr std::array<uint64_t, 5> kCreateGoroutinesCaptureExitsAtMove = {288, 1929, 731,
                                                                                 81, 27};

// BenchmarkCreateGoroutinesCapture: in each op after which the benchmark
// goroutine stays where it is, how many of the op's goroutines exited on
// the other P (a steal that did not take the op's last one): weight j is
// how many such ops saw j. Rare (one op in 1,240), but 0.98 exits a move,
// 44% of all the exits on another P than their maker's. Their gs go to the
// other P's free list while the maker's P keeps taking from its own, so
// the two lists' lengths walk apart and back, and after each GC (whose
// shrinkstack freed the dead gs' stacks) the ops reach gs deeper in a list,
// each needing a new stack (gfget's stackalloc): Go restacked 12 to 17 a
// cycle in eight runs however often the maker moved (3.8 to 26 moves a
// cycle; go15_gfree_ops_log_test). Measured, not derived, in the same run
// (GFREEOPS moved=0 lines).
// //bench/workloads:go15_gfree_ops_log_test measures it again from the file.
inline constexpr std::array<uint64_t, 5> kCreateGoroutinesCaptureExitsBetweenMoves = {
    2994396, 2007, 248, 165, 0};

// BenchmarkCreateGoroutines: how many ops its chain of goroutines (each
// starts the next and exits) runs on one P before its next goroutine runs
// on the other, where the chain goes on. Measured, not derived, in the
// same file: its runs of b.N >= 10^6 made their goroutines 49.6% on P 0 and
// 50.4% on P 1, all but 0.006% exiting where they were made, and newproc1
// ran on another P than the time before 37 and 977 times: 21 million ops
// over 1,014 moves, to the nearest 100. The counts fit a steal (go1.5.1
// proc1.go's runqgrab lets a spinning P take another P's runnext, where
// newproc1 puts the new goroutine): about one goroutine a move exits on
// another P than its maker's, 1,194 in all; in the b.N = 2e7
// run, at its 116 ns/op, it moved about once every 2.4 ms. Per op, 13
// times rarer than CreateGoroutinesCapture's moves, and per time about
// twice as rare.
// //bench/workloads:go15_gfree_log_test measures it again from the file.
inline constexpr int64_t kCreateGoroutinesOpsPerMove = 20700;

// BenchmarkStackCopy (stack_test.go): each op's goroutine calls count(n)
// 10^6 deep. count's frame: the return address plus the callee's argument
// and result. ASSUMPTION (Go 1.5 amd64, no frame pointer): 24 bytes.
inline constexpr uint64_t kCountFrameBytes = 8 + 16;
// Its times, measured, not derived, in testdata/go151_stackcopy/ (five
// runs of the benchmark alone, each with GODEBUG=gctrace=1 and its
// heap-event log; mheap/go15/testing:stack_copy_runs), over the background
// cycles whose goroutine doubled its stack to at least 1 MiB since the
// previous cycle ended and before the cycle started (gc_start), and whose
// sweep termination (gctrace's first clock term, a stopped world) took 1 ms
// or more, having waited for that doubling's copy: each the median over the
// frames the doubling found (half the new stack, over kCountFrameBytes),
// to the nearest 5 ns. //bench/workloads:go15_stack_copy_test measures
// them again.
// - kCopyStackNsPerFrame: copystack, from the new stack's allocation to
//   the end of the sweep termination that waited for it. newstack doubles
//   the stack when the recursion outgrows it, and copystack moves the
//   frames so far and adjusts each (adjustframe through gentraceback),
//   none of it a preemption point, so a GC that sysmon forces meanwhile
//   stops the world only when the copy is done.
// - kCountDescentNsPerFrame: the descent, from the end of that cycle's
//   scan (the goroutine, held while it scans its own stack, goes on) to
//   the next doubling, less the cycle's mark termination (a stopped
//   world), when no other cycle started in between; the frames descended
//   are as many as the doubling found.
inline constexpr double kCopyStackNsPerFrame = 145;
inline constexpr double kCountDescentNsPerFrame = 25;

// All 243, in run order.
const std::vector<Go15Benchmark>& Go15RuntimeBenchmarks();

// The benchmarks whose name matches `pattern` (POSIX extended regex, as the
// drivers' --workloads), in run order. Errors, naming --workloads=<pattern>:
// InvalidArgument for a pattern that does not compile, NotFound when it
// matches none.
absl::StatusOr<std::vector<const Go15Benchmark*>> PickGo15Benchmarks(const std::string& pattern);

}  // namespace thp

#endif  // THP_BENCH_WORKLOADS_GO15_SUITE_H_
