// The table of Go 1.5's runtime-package benchmarks (go15_suite.h), each read
// from its go1.5 src/runtime/*_test.go function and written as heap activity.
//
// How the Go source becomes a program:
//  - Sizes are what mallocgc is asked for on linux/amd64; the ported
//    allocator rounds them to size classes (and packs noscan objects under
//    16 bytes with its tiny allocator) itself.
//  - Only what the Go 1.5 compiler puts on the heap counts: a make or new of
//    constant small size that does not escape (and a map made without a
//    hint, with its first bucket, or a string conversion or concatenation of
//    at most 32 bytes that does not escape) lives on the stack.
//  - Setup is what the benchmark function makes before the timed loop, or
//    what the first iteration makes once (append's grown buffer, a map's
//    grown bucket array), in the order Go makes it. What is still live when
//    the loop starts lives until the run ends (SetupAlloc); what dies
//    before (strings.Repeat's byte slice, the arrays append or a growing map
//    outgrows) is made and dropped in setup (SetupGarbage, SetupAllocTemp),
//    where Go's -benchmem counts it too when the timer is on. Left out: a
//    growing map's overflow buckets, whose number hangs on the map's random
//    hash seed (makemap's fastrand1).
//  - Goroutines are go/gogrow/goexit events through the runtime's goroutine
//    table (mheap/go15/goroutines.h): a new g struct (384 bytes, never freed)
//    and 2 KiB stack when no dead g is free on the P or globally, else a
//    dead g reused; every GC frees the stacks of dead goroutines (Go 1.5
//    shrinkstack on _Gdead), and every run starts with runtime.GC(), so the
//    goroutines a run starts (RunParallel workers too) reuse gs but take
//    2 KiB stacks anew each run (SetupGoroutines), all from the launch
//    goroutine's P, where the benchmark function's go statements run
//    newproc1 (go1.5.1 proc1.go: gfget and stackalloc on the creator's P).
//    Goroutines started and ended within an op (CreateGoroutines*,
//    StackCopy, Matmult's tree) reuse a dead g with its stack until a GC
//    frees it, then allocate a stack.
//  - A closure literal that a go statement calls at once (`go func() {
//    ... }()`) is no heap object: go1.5.1's compiler turns it into a plain
//    function taking the captured variables as arguments (transformclosure,
//    cmd/compile/internal/gc/closure.go); a variable it captures by
//    reference is (a WaitGroup). Go 1.5.1's -benchmem report agrees for
//    CreateGoroutinesCapture, StackCopy and ChanPopular.
//  - Left out as small next to the rest: the closure records (a func value
//    a go statement starts) and captured variables of the few goroutines a
//    benchmark starts before its loop, the sudogs of a few blocked
//    goroutines, fmt's pooled printer state, and what the testing package
//    allocates besides launch's runs, the result line and RunBenchmarks'
//    set-up (suite_runner's go15_result_line.h and go15_bench_setup.h).
//    Kept: the sudogs of the benchmarks that park 1000 goroutines, taken
//    from and given back to the runtime's sudog caches (SetupSudog;
//    mheap/go15/sudog_cache.h), which keep some of them for later
//    benchmarks.
//  - Off the heap, so nothing here: finalizer specials (fixalloc; the
//    objects they keep alive are: allocs marked finalizer), timers'
//    runtime heap slots, defer records taken from the per-P defer pools
//    (newdefer pools the records of small argument sizes, and Defer and
//    Defer10 free each before making the next). DeferMany keeps b.N records
//    live at once, so newdefer mallocgc's them (the first few come from the
//    pool, left out as small).
//  - On the system stack (allocs marked systemstack: they start no GC
//    cycle, and reach no safe point): newdefer's records, which deferproc
//    makes through systemstack. newproc1's g structs are made there too,
//    by the goroutine table. Nothing else here is: the sudogs that
//    acquireSudog makes are mallocgc'd on the goroutine (with m.locks held,
//    which keeps startGC from starting a cycle as g0 does; they are all
//    setup, far below the trigger).
//  - Safe points: Go 1.5 preempts a goroutine only in a function prologue's
//    stack check (no asynchronous preemption), and a stop-the-world waits
//    for every running goroutine to reach one. The timed loops marked
//    kNoSafePoint never do: they call nothing, or only assembly marked
//    NOSPLIT (memmove, memclr, cmpstring, eqstring), leaf functions small
//    enough that the linker leaves out the stack check (closures,
//    complex128div, the assert and convert helpers), or they loop on the
//    system stack (BenchSetType), or they call only deferproc, which is
//    nosplit and makes its record on the system stack (DeferMany). A GC
//    that sysmon forces during such a loop waits for the loop's end. Which
//    loops these are was read from Go 1.5.1 itself, not from the source
//    alone: in testdata/go151_heaplog/prefix.hlog.xz every background GC
//    started inside one of these loops reached mark termination only as
//    the loop ended (0.66 to 3.6 s later, against 1 ms elsewhere), and no
//    other benchmark's did, apart from a cycle that started within a few ms
//    of a loop's end (//bench/workloads:go15_safe_points_test checks both).
//    DeferMany's loop ends before its round does: its b.N deferred calls
//    run in between (their measured time, after the loop), and they reach
//    safe points. The model releases the records once they have run. The
//    cycle sysmon forced in the loop stops the world at the loop's end and
//    then marks the records' chain, a link at a time, while the calls run
//    (0.2 to 0.8 s in Go; mgc.h, kChainLinkMarkNs).
//  - Every P busy: a goroutine the runtime readies (forcegc.g, the GC
//    goroutine when the concurrent mark's work is done, bgsweep) runs only
//    when some P calls schedule(). With GOMAXPROCS 2 and one benchmark
//    goroutine, the other P is idle and takes it at once; RunParallel's
//    workers keep every P running, and those marked kEveryPBusy never block
//    or yield either, so the goroutine waits until sysmon preempts one of
//    them (retake, forcePreemptNS). Which loops these are was read from Go
//    1.5.1 itself: in testdata/go151_heaplog/prefix.hlog.xz their
//    background cycles' median gc_start to gc_mark_term is two sysmon
//    periods or more (20.2 to 30.4 ms), against 0.4 to 14.5 ms for the
//    other RunParallel loops: their workers block (SelectSyncContended,
//    CreateGoroutinesParallel), allocate heavily (Allocation, ChanCreation;
//    in go1.5.1's gcAssistAlloc an assist that finishes the mark yields),
//    or wait long in only some cycles (ChanNonblocking, SelectUncontended,
//    SelectNonblock, SelectAsyncContended: 17 to 43% of them over 19 ms;
//    unmarked). //bench/workloads:go15_busy_ps_test checks the marks. The
//    syscall benchmarks (norace_test.go) are marked too; their cycles wait
//    in multiples of 10 ms up to 70 ms in Go, as retake also hands their Ps
//    off in syscalls, which the model does not have.
//  - Safe points only at allocations (kSafePointsAtAllocs): append's loops
//    (AppendGrowByte, AppendGrowString) call nothing but growslice, whose
//    mallocgc checks for preemption before it zeroes the new array; the
//    copy, the barriered element stores and the appends that follow check
//    nowhere (go1.5.1 typedmemmove, writebarrierstring: nosplit). So a
//    cycle that a growth starts scans the goroutine at the next growth
//    (GcModel::set_scan_program_at_safe_point), and its stops of the world
//    wait for one too. Go 1.5.1's recorded run says so: of the background
//    cycles with one growth between their start and mark termination, 46
//    of 60 in AppendGrowString and 227 of 244 in AppendGrowByte marked the
//    start's array and that growth's, not the one being copied as the
//    cycle started (//bench/workloads:go15_append_safe_points_test). The
//    others, left out, started within 9 ms of the cycle before, so sysmon
//    did not force them; presumably gcscan_m reached the goroutine while
//    it still waited for a P after startGC's yield, and scanned it there
//    at once (scang scans a runnable goroutine itself). The other
//    benchmarks whose loops allocate with nothing else between are left as
//    kSchedules: their stretches between allocations last well under a
//    microsecond.
#include "bench/workloads/go15_suite.h"

#include <regex.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/workloads/go15_runq.h"
#include "mheap/go15/msize.h"
#include "runtime_port/base/check.h"
#include "runtime_port/base/units.h"

namespace thp {
namespace {

constexpr bool kNoscan = true;
constexpr bool kScan = false;

// Go 1.5 linux/amd64 object sizes.
constexpr uint64_t kHchanBytes = 96;         // runtime.hchan (hchanSize)
constexpr uint64_t kSliceHeaderBytes = 24;   // boxed into an interface{}
constexpr uint64_t kStringHeaderBytes = 16;
constexpr uint64_t kWaitGroupBytes = 16;     // sync.WaitGroup: [12]byte + uint32
constexpr uint64_t kTimerBytes = 64;         // time.Timer: chan + runtimeTimer
constexpr uint64_t kTimeBytes = 24;          // time.Time: sec, nsec, *Location
constexpr uint64_t kDeferRecordBytes = 80;   // roundupsize(48-byte _defer + 24 bytes of args)
constexpr uint64_t kMiB = uint64_t{1} << 20;
constexpr int kBenchGoroutines = 1000;       // malloc_test.go's -n flag default

// ---------------------------------------------------------------------------
// Go 1.5 runtime rules the generators share.

// Every allocation append makes while `count` elements are appended one at
// a time to a nil slice.
std::vector<uint64_t> AppendGrowth(uint64_t elem, uint64_t count) {
  std::vector<uint64_t> sizes;
  uint64_t cap = 0;
  while (cap < count) {
    sizes.push_back(GrowSliceBytes(elem, cap, cap, cap + 1));
    cap = sizes.back() / elem;
  }
  return sizes;
}

// A hashmap bucket (hashmap.go, the compiler's mapbucket): 8 tophash bytes,
// 8 keys, 8 values, an overflow pointer. Values here are bool or word-sized.
constexpr uint64_t MapBucketBytes(uint64_t key, uint64_t value) {
  const uint64_t keys_end = 8 + 8 * key;
  const uint64_t values_at = value % 8 == 0 ? (keys_end + 7) / 8 * 8 : keys_end;
  return (values_at + 8 * value + 7) / 8 * 8 + 8;
}

// log2 of the bucket count after `n` inserts into a map made without a hint:
// mapassign1 doubles the table when count >= 6.5 x 2^B and count >= 8.
int MapLogBucketsAfterInserts(int n) {
  int log_buckets = 0;
  for (int count = 0; count < n; ++count) {
    if (count >= 8 && count >= 6.5 * (1 << log_buckets)) ++log_buckets;
  }
  return log_buckets;
}

// makemap's B for a size hint.
int MapLogBucketsForHint(int hint) {
  int log_buckets = 0;
  while (hint > 8 && hint > 6.5 * (1 << log_buckets)) ++log_buckets;
  return log_buckets;
}

// growslice's or hashGrow's arrays before the loop (Go 1.5 slice.go,
// hashmap.go): each of `sizes` is made while the one before still holds the
// elements (the copy, the evacuation), which is dropped once it is made; the
// last is kept for the run.
void SetupGrowth(RunBuilder& b, const std::vector<uint64_t>& sizes, bool noscan) {
  uint64_t outgrown = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    uint64_t id = 0;
    if (i + 1 == sizes.size()) {
      b.SetupAlloc(sizes[i], noscan);
    } else {
      id = b.SetupAllocTemp(sizes[i], noscan);
    }
    if (outgrown != 0) b.SetupDrop(outgrown);
    outgrown = id;
  }
}

// strings.Repeat (go1.5.1 strings/strings.go) of `len` bytes: make([]byte)
// of a size known only at run time (on the heap), then string(b)
// (slicebytetostring's rawstring: a copy); the byte slice is garbage once
// Repeat returns; the string is kept for the run.
void StringsRepeat(RunBuilder& b, uint64_t len) {
  const uint64_t slice = b.SetupAllocTemp(len, kNoscan);
  b.SetupAlloc(len, kNoscan);
  b.SetupDrop(slice);
}

// makechan (chan.go) for pointer-free elements or no buffer: one noscan
// object of hchan + buffer. (Buffered pointerful elements get a pointerful
// hchan and a separate buffer; see SelectProdCons.)
void MakeChan(RunBuilder& b, uint64_t cap, uint64_t elem, int count = 1, int p = 0) {
  b.SetupAlloc(kHchanBytes + cap * elem, kNoscan, count, p);
}

// testing.B.RunParallel: parallelism x GOMAXPROCS workers, each with a 2 KiB
// stack for the run, split b.N (a b.N = 1 run's op goes to one of them:
// RunBuilder::ParallelOpPs). Call after the Op* calls. Returns the
// workers' ids (worker i runs on P i % GOMAXPROCS), for what each does
// before its loop.
std::vector<uint64_t> RunParallel(RunBuilder& b, int parallelism = 1) {
  std::vector<uint64_t> workers = b.SetupGoroutines(parallelism * b.ctx().gomaxprocs);
  b.Parallel();
  return workers;
}

// `count` objects made by each RunParallel worker before its loop.
void PerWorker(RunBuilder& b, uint64_t bytes, bool noscan, int count = 1) {
  for (int p = 0; p < b.ctx().gomaxprocs; ++p) b.SetupAlloc(bytes, noscan, count, p);
}

// `count` pointer-free objects made before the loop (make of length 0
// returns zerobase: nothing).
void Noscan(RunBuilder& b, uint64_t bytes, int count = 1) {
  if (bytes > 0) b.SetupAlloc(bytes, kNoscan, count);
}

// ---------------------------------------------------------------------------
// Generators shared by many benchmarks.

// Nothing on the heap: stack values, compares, calls, non-escaping maps.
void NoActivity(RunBuilder&) {}

// runtime.GC() before the loop.
TraceEvent GcEvent() {
  TraceEvent e{};
  e.kind = TraceEvent::kGc;
  return e;
}

// A benchmark that calls b.ResetTimer() once its setup is made: the timer
// is on, so testing reads the memory statistics there.
template <void (*kSetup)(RunBuilder&)>
void ResetTimerAfter(RunBuilder& b) {
  kSetup(b);
  b.SetupTimer(BenchTimer::kReset);
}

// A benchmark that makes its setup between b.StopTimer() and
// b.StartTimer(): testing reads the memory statistics at both.
template <void (*kSetup)(RunBuilder&)>
void TimerStoppedAround(RunBuilder& b) {
  b.SetupTimer(BenchTimer::kStop);
  kSetup(b);
  b.SetupTimer(BenchTimer::kStart);
}

// Pointer-free setup objects: buffers, strings, boxed interface values.
template <uint64_t kBytes, int kCount = 1>
void SetupNoscan(RunBuilder& b) {
  Noscan(b, kBytes, kCount);
}

// One pointerful object made before the loop (gc_test.go's benchSetType).
template <uint64_t kBytes>
void SetupScan(RunBuilder& b) {
  b.SetupAlloc(kBytes, kScan);
}

// One object per op that is garbage right away: held in a local
// (malloc_test.go's `x = p`, a stack slot: no write barrier).
template <uint64_t kBytes, bool kIsNoscan>
void OnePerOp(RunBuilder& b) {
  b.OpAlloc(kBytes, kIsNoscan);
}

// One object per op stored in a package-level variable, the previous one
// garbage: iface_test.go's `e = ts` and `i1 = tl`, closure_test.go's
// `ss = &j`. The store goes through the write barrier, which shades the
// object while a GC's concurrent phase runs.
template <uint64_t kBytes, bool kIsNoscan>
void OnePerOpInGlobal(RunBuilder& b) {
  b.OpAllocStoredInGlobal(kBytes, kIsNoscan);
}

// RunParallel workers that allocate nothing (norace_test.go's syscalls).
template <int kParallelism>
void IdleWorkers(RunBuilder& b) {
  RunParallel(b, kParallelism);
}

// ---------------------------------------------------------------------------
// append_test.go

// Appending 2^20 elements of kElem bytes to a nil slice each op.
template <uint64_t kElem, bool kIsNoscan>
void AppendGrow(RunBuilder& b) {
  b.OpAllocChain(AppendGrowth(kElem, uint64_t{1} << 20), kIsNoscan);
}

// An append of `len` > 20 bytes outgrows the stack cap-20 buffer once; the
// grown buffer is kept for the run.
void GrowCap20(RunBuilder& b, uint64_t len) {
  if (len > 20) b.SetupAlloc(GrowSliceBytes(1, 0, 20, len), kNoscan);
}

// benchmarkAppendBytes: the source slice plus any grown buffer.
template <uint64_t kLen>
void AppendBytes(RunBuilder& b) {
  Noscan(b, kLen);
  GrowCap20(b, kLen);
}

// benchmarkAppendStr: appending a constant allocates only on growth.
template <uint64_t kLen>
void AppendStr(RunBuilder& b) {
  GrowCap20(b, kLen);
}

// benchmarkCopyStr: the string of l bytes, unless a 32-byte stack buffer holds it.
template <uint64_t kLen>
void CopyString(RunBuilder& b) {
  if (kLen > 32) Noscan(b, kLen);
}

// ---------------------------------------------------------------------------
// chan_test.go

// One unbuffered chan int polled by the workers.
void ChanNonblocking(RunBuilder& b) {
  MakeChan(b, 0, 8);
  RunParallel(b);
}

// Each worker makes two chan int of capacity 1.
void SelectUncontended(RunBuilder& b) {
  PerWorker(b, kHchanBytes + 8, kNoscan, 2);
  RunParallel(b);
}

// Four unbuffered channels; each worker, once RunParallel has started them
// all, starts a sender goroutine on its own P.
void SelectSyncContended(RunBuilder& b) {
  MakeChan(b, 0, 8, 4);
  RunParallel(b);
  for (int p = 0; p < b.ctx().gomaxprocs; ++p) b.SetupGoroutine(p, p);
}

// Two chan int of capacity GOMAXPROCS.
void SelectAsyncContended(RunBuilder& b) {
  MakeChan(b, b.ctx().gomaxprocs, 8, 2);
  RunParallel(b);
}

// Two unbuffered and two capacity-1 chan int.
void SelectNonblock(RunBuilder& b) {
  MakeChan(b, 0, 8, 2);
  MakeChan(b, 1, 8, 2);
  RunParallel(b);
}

// Each worker makes a chan int of capacity 100.
void ChanUncontended(RunBuilder& b) {
  PerWorker(b, kHchanBytes + 100 * 8, kNoscan);
  RunParallel(b);
}

// One chan int of capacity 100 x GOMAXPROCS.
void ChanContended(RunBuilder& b) {
  MakeChan(b, 100 * b.ctx().gomaxprocs, 8);
  RunParallel(b);
}

// A chan bool of capacity 2, an unbuffered chan int, two ping-pong goroutines.
void ChanSync(RunBuilder& b) {
  MakeChan(b, 2, 1);
  MakeChan(b, 0, 8);
  b.SetupGoroutines(2);
}

// benchmarkChanProdCons: done channel, chan int of kCap, producer + consumer per P.
template <uint64_t kCap>
void ChanProdCons(RunBuilder& b) {
  const int procs = b.ctx().gomaxprocs;
  MakeChan(b, 2 * procs, 1);
  MakeChan(b, kCap, 8);
  b.SetupGoroutines(2 * procs);
}

// ChanProdCons<128> plus a close channel and each goroutine's time.After timer.
void SelectProdCons(RunBuilder& b) {
  const int procs = b.ctx().gomaxprocs;
  MakeChan(b, 2 * procs, 1);
  MakeChan(b, 128, 8);
  MakeChan(b, 0, 1);
  b.SetupGoroutines(2 * procs);
  // The Timer, and its chan Time of capacity 1: Time holds a pointer.
  b.SetupAlloc(kTimerBytes, kScan, 2 * procs);
  b.SetupAlloc(kHchanBytes, kScan, 2 * procs);
  b.SetupAlloc(kTimeBytes, kScan, 2 * procs);
}

// make(chan int, 1) in every op on every worker.
void ChanCreation(RunBuilder& b) {
  b.OpAlloc(kHchanBytes + 8, kNoscan);
  RunParallel(b);
}

// A chan struct{} of capacity GOMAXPROCS: no buffer bytes.
void ChanSem(RunBuilder& b) {
  MakeChan(b, b.ctx().gomaxprocs, 0);
  RunParallel(b);
}

// 1000 goroutines each with a channel, made in chan_test.go's loop order,
// one goroutine after another: its channel d,
// the slice of channels where append outgrows it (growslice makes the
// next array, 8 bytes to 8 KiB, and the one it copied from is garbage; the
// last is kept), the goroutine
// (newproc1 on the main goroutine's P 0; it exits on either P), and the
// two sudogs its first select takes if it blocks there. The order decides
// which spans lie between which: the g structs outlive the run, the rest
// die with it. With b.N > 1 every goroutine blocks (its second select at
// the latest, before the benchmark goroutine's next round of sends), on the
// P it runs on. With b.N = 1 each selects once, and blocks only if it runs
// before the send on its channel: which ones do is a recorded scheduler
// decision, kChanPopularFirstRunBlocked.
// The goroutines' closure (b, c, d, &wg) is no heap object: a closure
// literal a go statement calls at once becomes a function taking the
// captured variables as arguments (go1.5.1 transformclosure,
// cmd/compile/internal/gc/closure.go). Go 1.5.1's -benchmem report for
// ChanPopular (b.N = 500, all of it timed) is 5 allocs/op, 475 B/op: 2500
// to 2999 mallocs and about 237.5 KB a run, where the 1000 closures of the
// 48-byte class would have made it at least 3000 mallocs (1000 channels,
// 1000 closures, 1000 first selects' sudogs and more).
void ChanPopular(RunBuilder& b) {
  MakeChan(b, 0, 1);
  b.SetupAlloc(kWaitGroupBytes, kNoscan);  // captured by reference
  const std::vector<uint64_t> growth = AppendGrowth(8, kBenchGoroutines);
  size_t grown = 0;        // arrays made so far
  uint64_t cap = 0;        // a's capacity
  uint64_t outgrown = 0;   // the array a held before the last growth
  for (int j = 0; j < kBenchGoroutines; ++j) {
    MakeChan(b, 0, 1);
    if (static_cast<uint64_t>(j) == cap) {
      const uint64_t bytes = growth[grown++];
      uint64_t id = 0;
      if (grown == growth.size()) {
        b.SetupAlloc(bytes, kScan);
      } else {
        id = b.SetupAllocTemp(bytes, kScan);
      }
      if (outgrown != 0) b.SetupDrop(outgrown);
      outgrown = id;
      cap = bytes / 8;
    }
    const int p = j % b.ctx().gomaxprocs;
    b.SetupGoroutine(0, p);
    if (b.ctx().n > 1) {
      b.SetupSudog(p, p);
      b.SetupSudog(p, p);
    } else if (j < kChanPopularFirstRunBlocked) {
      b.SetupSudog(0, p);
      b.SetupSudog(0, p);
    }
  }
}

// ---------------------------------------------------------------------------
// gc_test.go

// gc_test.go's NodeN: N uintptr words then two pointers.
constexpr uint64_t Node(uint64_t words) { return 8 * (words + 2); }

// benchSetType on make([]T, kLen): the array and the boxed slice header.
template <uint64_t kElem, uint64_t kLen>
void SetTypeSlice(RunBuilder& b) {
  b.SetupAlloc(kElem * kLen, kScan);
  b.SetupAlloc(kSliceHeaderBytes, kScan);
  b.SetupTimer(BenchTimer::kReset);
}

// GOMAXPROCS goroutines take b.N ops from a chan bool; 1000 two-pointer structs each.
void Allocation(RunBuilder& b) {
  const int procs = b.ctx().gomaxprocs;
  MakeChan(b, static_cast<uint64_t>(b.ctx().n) + procs, 1);
  MakeChan(b, 0, 8);  // the unbuffered result channel
  b.SetupGoroutines(procs);
  b.OpAlloc(16, kScan, 1000);
  b.Parallel();
}

// ---------------------------------------------------------------------------
// hash_test.go

// benchmarkHash: strings.Repeat's string, kept for the loop, which hashes it.
template <uint64_t kLen>
void Hash(RunBuilder& b) {
  StringsRepeat(b, kLen);
}

// ---------------------------------------------------------------------------
// iface_test.go uses SetupNoscan (a value boxed into a global before the
// loop) and OnePerOpInGlobal (convT2E/convT2I box TS, TM, TL every op into
// the globals e and i1).

// ---------------------------------------------------------------------------
// malloc_test.go

// The `count` goroutines SetupGoroutines started block, each with
// `sudogs_each` sudogs (one per channel it waits on), on the P it exits on,
// and wake there when the run ends. An op that wakes a reader and lets it
// block again (benchHelper's sends) is left out: the reader gives its sudog
// back to its P's cache and takes the same one back at once (the cache is
// last in, first out).
void BlockGoroutines(RunBuilder& b, int count, int sudogs_each) {
  for (int i = 0; i < count; ++i) {
    const int p = i % b.ctx().gomaxprocs;
    for (int k = 0; k < sudogs_each; ++k) b.SetupSudog(p, p);
  }
}

// benchHelper: 1000 readers of capacity-1 channels; each op sends, sleeps 10 ms untimed, GCs;
// after the loop the readers are let go and the function sleeps 10 ms more.
void BenchHelper(RunBuilder& b, int sudogs_per_reader) {
  b.SetupAlloc(kBenchGoroutines * 8, kScan);
  // One reader after another, as benchHelper's loop makes them: its
  // channel, then its goroutine (whose stack a trimmed stack span may leave
  // a page beside, which the next channel span takes).
  for (int i = 0; i < kBenchGoroutines; ++i) {
    MakeChan(b, 1, 0);
    b.SetupGoroutine(kLaunchP, i % b.ctx().gomaxprocs);
  }
  BlockGoroutines(b, kBenchGoroutines, sudogs_per_reader);
  // StopTimer, ResetTimer (the timer is off: no read), then runtime.GC()
  // before the loop.
  b.SetupTimer(BenchTimer::kStop);
  b.SetupTimer(BenchTimer::kReset);
  b.SetupEvent(GcEvent());
  b.OpSleep(10 * 1000 * 1000);
  b.OpTimer(BenchTimer::kStart);
  b.OpGc();
  b.OpTimer(BenchTimer::kStop);
  // After the loop: close every channel (the readers exit), then sleep.
  b.AfterLoopSleep(10 * 1000 * 1000);
}

// Readers select on their channel and a quit channel.
void GoroutineSelect(RunBuilder& b) {
  MakeChan(b, 0, 0);
  BenchHelper(b, 2);
}

// Readers block on their channel alone (receive or range).
void GoroutineBlocking(RunBuilder& b) { BenchHelper(b, 1); }

// 1000 goroutines parked on a quit channel; each op is a runtime.GC(); after
// the loop they are let go and the function sleeps 10 ms.
void GoroutineIdle(RunBuilder& b) {
  MakeChan(b, 0, 0);
  b.SetupGoroutines(kBenchGoroutines);
  BlockGoroutines(b, kBenchGoroutines, 1);
  // runtime.GC(), then ResetTimer before the loop; StopTimer after it,
  // before the goroutines are let go.
  b.SetupEvent(GcEvent());
  b.SetupTimer(BenchTimer::kReset);
  b.OpGc();
  b.AfterLoopTimer(BenchTimer::kStop);
  b.AfterLoopSleep(10 * 1000 * 1000);
}

// ---------------------------------------------------------------------------
// map_test.go

// benchmarkMapPop: the first op's kN inserts into map[int]int{} (its first
// bucket on the stack: the map does not escape) double the noscan bucket
// array from 2 buckets up to the last, which the run keeps; each outgrown
// array is garbage once evacuated, before the next doubling (hashGrow,
// evacuate). Overflow buckets left out (see the file comment).
template <int kN>
void MapPop(RunBuilder& b) {
  std::vector<uint64_t> sizes;
  for (int log = 1; log <= MapLogBucketsAfterInserts(kN); ++log) {
    sizes.push_back(MapBucketBytes(8, 8) << log);
  }
  SetupGrowth(b, sizes, kNoscan);
}

// ---------------------------------------------------------------------------
// mapspeed_test.go

// make(map[K]int, 10): two heap buckets, plus kKeys Sprintf'd keys of kKeyLen bytes.
template <uint64_t kBucket, bool kIsNoscan, int kKeys, uint64_t kKeyLen>
void HintedMap(RunBuilder& b) {
  b.SetupAlloc(kBucket << MapLogBucketsForHint(10), kIsNoscan);
  Noscan(b, kKeyLen, kKeys);
}

// strings.Repeat of `len` bytes whose string is then concatenated with
// `suffix` more bytes `concats` times (concatstrings: new strings, kept for
// the run; none when the results fit concatstrings' stack buffer): the
// byte slice is garbage once Repeat returns, Repeat's string once the
// concatenations are made.
void StringsRepeatConcat(RunBuilder& b, uint64_t len, uint64_t suffix, int concats = 1) {
  const uint64_t slice = b.SetupAllocTemp(len, kNoscan);
  const uint64_t repeated = b.SetupAllocTemp(len, kNoscan);
  b.SetupDrop(slice);
  if (concats > 0) b.SetupAlloc(len + suffix, kNoscan, concats);
  b.SetupDrop(repeated);
}

// Seven ~1 MiB keys (strings.Repeat + fmt.Sprint of a rune: two digits)
// and a lookup key (Repeat + "k"), each through Repeat's slice and string
// (fmt's two-byte strings left out as small).
void MegMap(RunBuilder& b) {
  for (int suffix = 0; suffix < 7; ++suffix) StringsRepeatConcat(b, kMiB - 1, 2);
  StringsRepeatConcat(b, kMiB - 1, 1);
}

// strings.Repeat `kCount` times for kLen-byte keys or lookup keys (the map
// itself has no heap bucket below 9 keys).
template <int kCount, uint64_t kLen>
void RepeatedStrings(RunBuilder& b) {
  for (int i = 0; i < kCount; ++i) StringsRepeat(b, kLen);
}

// benchmarkMapStringKeysEight: eight keys of 1..8 bytes, a lookup key of
// kLen, each strings.Repeat's slice and string.
template <uint64_t kLen>
void MapStringKeysEight(RunBuilder& b) {
  for (uint64_t len = 1; len <= 8; ++len) StringsRepeat(b, len);
  StringsRepeat(b, kLen);
}

// benchmarkRepeatedLookup: 64 keys grow a map[string]bool; base is
// strings.Repeat of kKeyLen - 1 bytes (its slice and string, garbage once
// key1 and key2 are made); lookup keys of 32 bytes stay on the stack
// (concatstrings' stack buffer), longer ones are two heap strings.
template <uint64_t kKeyLen>
void RepeatedLookup(RunBuilder& b) {
  b.SetupAlloc(MapBucketBytes(kStringHeaderBytes, 1) << MapLogBucketsAfterInserts(64), kScan);
  Noscan(b, 10, 10);
  Noscan(b, 11, 54);
  StringsRepeatConcat(b, kKeyLen - 1, 1, kKeyLen > 32 ? 2 : 0);
}

// ---------------------------------------------------------------------------
// mfinal_test.go

// Each RunParallel worker's closure keeps `var data [1000]*int` in its frame:
// 8,000 bytes, which with the 640-byte stack guard do not fit under 8 KiB,
// so newstack doubles the worker's stack from 2 to 16 KiB at the closure's
// entry, before its 1000 ints (finalizer specials are fixalloc'd, off the
// heap). Go 1.5.1 did so for every worker of the measured run
// (testdata/go151_stacks/summary.tsv, other_growth: six
// RunParallel.func1 goroutines at 16384 over its three runs).
constexpr uint64_t kFinalizerWorkerStackBytes = 16384;

void Finalizer(RunBuilder& b) {
  const std::vector<uint64_t> workers = RunParallel(b);
  for (int p = 0; p < b.ctx().gomaxprocs; ++p) {
    b.SetupGrow(workers[p], kFinalizerWorkerStackBytes, p);
    b.SetupAlloc(8, kNoscan, 1000, p);
  }
}

// new(int) with a finalizer each op, dropped at once: the sweep keeps it
// and queues its finalizer, which runs when sysmon next preempts a worker
// (its P's findrunnable readies the finalizer goroutine); the cycle after
// that frees it, or, if it came first, marks it from finq and leaves it to
// the one after (GcModel's finalizers). Finalizer's ints above
// need no flag: each op clears the finalizer it set, so none has one when
// the run drops them.
void FinalizerRun(RunBuilder& b) {
  b.OpAllocWithFinalizer(8, kNoscan);
  RunParallel(b);
}

// ---------------------------------------------------------------------------
// proc_test.go

// A spinning hog and two ping-pong goroutines over four unbuffered chans.
void PingPongHog(RunBuilder& b) {
  MakeChan(b, 0, 1, 4);
  b.SetupGoroutines(3);
  b.SetupTimer(BenchTimer::kReset);
  b.AfterLoopTimer(BenchTimer::kStop);
}

// stackGrowthRecursive's frame: a [128]uint64 pad, its int argument and the
// return address. ASSUMPTION: no other spill slots.
constexpr uint64_t kPadFrameBytes = 1024 + 8 + 8;

// Each worker's stack grows once to hold kDepth + 1 frames; then every op
// descends through them and returns, so the depth at a cycle's mark
// termination depends on where the op is (a stack ramp; where each
// worker is at a mark termination is drawn, GoroutineTable::SetStackRamp):
// go1.5.1's markroot shrinkstack halves a worker's stack found under a
// quarter deep, and the op's descent doubles it again. ASSUMPTION: the
// descent takes the op's time evenly (each call clears its 1 KiB pad), the
// return none, and the worker's frames above the recursion are left out (a
// few hundred bytes). The workers grow side by side, one doubling of each in turn, as
// the recorded log's last run has them (go15_stack_ramp_test: its b.N = 100
// run grew one after the other, a scheduling race the model does not
// derive). A worker that pb.Next gives no op (a first run's b.N = 1:
// RunBuilder::ParallelOpPs) never recurses, so its stack stays at 2 KiB.
template <uint64_t kDepth>
void StackGrowth(RunBuilder& b) {
  std::vector<uint64_t> workers = RunParallel(b);
  workers.resize(b.ParallelOpPs());
  b.SetupGrowSideBySide(workers, (kDepth + 1) * kPadFrameBytes);
  for (int p = 0; p < b.ParallelOpPs(); ++p) {
    b.SetupStackRamp(workers[p], (kDepth + 1) * kPadFrameBytes + kStackLimitBytes, kPadFrameBytes,
                     p);
  }
}

// benchmarkCreateGoroutines: a done channel and a chain of b.N + 1
// goroutines: the benchmark function starts the first (f(b.N)) and waits
// on the channel; each op, the running goroutine starts the next one
// (newproc1 on its P, into runnext) and exits, and the last one (f(0))
// sends on the channel and exits. So the chain alternates two gs: the one
// running holds its stack through a GC while the dead one loses its own
// (shrinkstack), and the next newproc1 gives that one a stack again from
// the P's stack cache, refilled from the pool after the GC emptied the
// caches: a new pool span whenever the dead g's stack was the last one
// held in its span (freed at the cycle's end) and no other span has free
// stacks. The loop body is two ops, A starting B then exiting
// and B starting A then exiting; an odd b.N's op left over is made before
// the loop (its time not counted). The chain moves to the next P every
// kCreateGoroutinesOpsPerMove ops (go15_suite.h), starting on P 0, as Go's
// did in a measured run (testdata/go151_gfree/full_suite.txt): the other P
// steals the new goroutine from runnext (go1.5.1 proc1.go runqgrab), so it
// goes on there while its maker exits on the P the chain leaves (1.2
// goroutines exiting on another P than their maker's a move in that run,
// go15_gfree_log_test). ASSUMPTION: moves come only between the two ops of
// the body.
void CreateGoroutines(RunBuilder& b) {
  MakeChan(b, 0, 1);
  constexpr int64_t kOpsPerIteration = 2;
  const int64_t procs = b.ctx().gomaxprocs;
  const int64_t iterations = b.ctx().n / kOpsPerIteration;
  constexpr int64_t kMoveIterations = kCreateGoroutinesOpsPerMove / kOpsPerIteration;
  // The chain's P when the loop ends (its last iteration never moves).
  const int last_p = iterations == 0 ? 0 : static_cast<int>((iterations - 1) / kMoveIterations % procs);
  uint64_t a = 0;
  if (b.ctx().n % kOpsPerIteration == 0) {
    a = b.SetupGoroutine(kLaunchP, last_p);
  } else {
    // f(b.N) starts f(b.N - 1) and exits: the odd op, before the loop.
    const uint64_t first = b.NewEventId();
    TraceEvent go{};
    go.kind = TraceEvent::kGo;
    go.id = first;
    go.p = kLaunchP;
    b.SetupEvent(go);
    a = b.SetupGoroutine(0, last_p);
    TraceEvent exit = go;
    exit.kind = TraceEvent::kGoExit;
    exit.p = 0;
    b.SetupEvent(exit);
  }
  // Each op's time comes after its exit, with one goroutine of the chain
  // alive, as in Go, where newproc1 and the exit take it: the start of
  // the next one and the exit come close together, so a GC's stopped world
  // finds one g running and the other dead.
  b.OpsPerIteration(kOpsPerIteration);
  const uint64_t next = b.OpGoStart(1, 0, /*timed=*/false)[0];
  b.OpGoExit(a, 0, /*timed=*/true);
  b.OpMoveToNextP();
  b.OpGo(a, 0, /*timed=*/false);  // B starts A's id again: a new goroutine under it
  b.OpGoExit(next, 0, /*timed=*/true);
  b.MoveBetweenPsEvery(kCreateGoroutinesOpsPerMove);
}

// A scheduler event of the global run queue's traffic (trace_format.h).
TraceEvent GlobRunqEvent(TraceEvent::Kind kind, int p, int64_t n) {
  TraceEvent e{};
  e.kind = kind;
  e.p = p;
  e.id = static_cast<uint64_t>(n);
  return e;
}

// The same with GOMAXPROCS chains of b.N / GOMAXPROCS goroutines, one per P,
// in the order Go 1.5.1's scheduler gives them (go15_runq.h, proc1.go), its
// global-queue traffic reported so that a GC sysmon forces waits there:
//  - start: the benchmark goroutine, running on P 0 (execute counted it),
//    starts the chains' first goroutines (newproc1: each into runnext, the
//    one it displaces to the ring) and wakes an idle P (wakep), then parks
//    on its first receive, and P 0 runs the newest; a woken P looks for work
//    (schedule, findrunnable: the global queue, then a steal from the rings)
//    and, having found some, wakes the next idle P (resetspinning);
//  - each op: a chain's goroutine starts its successor into its P's runnext
//    and exits, and schedule runs the successor in the same time slice
//    (runqget's inheritTime), so the P's schedtick stands still: the P looks
//    at the global queue on every op if that tick is a multiple of 61, else
//    never while its chain runs (with every P running a chain none is idle
//    to take forcegc.g either);
//  - end, P by P: the last goroutine's send readies the benchmark goroutine
//    into its P's runnext (ready) and exits; the benchmark goroutine parks
//    on its next receive, its P finds nothing (findrunnable) and goes idle,
//    until the last chain's send, which wakes an idle P too.
// So a GC sysmon forces waits for a chain's end. Left out: sysmon's
// preemption of a goroutine that has held its P for 10 ms (retake,
// preemptone, gopreempt_m). Most often it lands on a goroutine about to
// exit, which goes to the global queue's tail while the chain goes on in
// the same slice; the rare one that lands before the successor is started
// leaves the P nothing local, and findrunnable then drains the global
// queue, forcegc.g with it. Go 1.5.1's recorded run shows both: its
// b.N = 1e6 run's forced GC started as the run ended (70 ms), while its
// 2e7 run's came 0.46 s and 1 s apart.
void CreateGoroutinesParallel(RunBuilder& b) {
  MakeChan(b, 0, 1);
  const int procs = b.ctx().gomaxprocs;
  Go15RunQueues rq(procs);
  // Where the scheduler's events go: setup, the body's op, or teardown.
  std::function<void(const TraceEvent&)> put = [&b](const TraceEvent& e) { b.SetupEvent(e); };
  rq.set_on_global_put([&put](int64_t n) { put(GlobRunqEvent(TraceEvent::kGlobRunqPut, 0, n)); });
  rq.set_on_global_get(
      [&put](int p, int64_t n) { put(GlobRunqEvent(TraceEvent::kGlobRunqGet, p, n)); });
  // The queue is reported from here on (an empty put: on one P no look
  // comes before the chain's end, and none of the chains' gs go there).
  put(GlobRunqEvent(TraceEvent::kGlobRunqPut, 0, 0));
  std::vector<bool> spinning(static_cast<size_t>(procs), false);
  std::vector<Go15RunQueues::G> running(static_cast<size_t>(procs), Go15RunQueues::kNone);
  // wakep, Go 1.5.1: one idle P, unless one is spinning already.
  auto wakep = [&] {
    for (int q = 0; q < procs; ++q) {
      if (spinning[static_cast<size_t>(q)]) return;
    }
    for (int q = 0; q < procs; ++q) {
      if (running[static_cast<size_t>(q)] == Go15RunQueues::kNone) {
        spinning[static_cast<size_t>(q)] = true;
        return;
      }
    }
  };
  // Woken Ps look for work, lowest first.
  auto run_woken = [&] {
    for (int q = 0; q < procs; ++q) {
      if (!spinning[static_cast<size_t>(q)]) continue;
      spinning[static_cast<size_t>(q)] = false;
      running[static_cast<size_t>(q)] = rq.Schedule(q);
      if (running[static_cast<size_t>(q)] != Go15RunQueues::kNone) wakep();  // resetspinning
      q = -1;
    }
  };
  constexpr Go15RunQueues::G kBench = 0;  // the benchmark goroutine; chains are 1..procs
  rq.Execute(0);
  running[0] = kBench;
  for (int c = 1; c <= procs; ++c) {
    rq.RunqPut(0, c, /*next=*/true);  // newproc1
    wakep();
  }
  running[0] = rq.Schedule(0);  // the first receive parks it
  run_woken();
  for (int q = 0; q < procs; ++q) {
    THP_CHECK(running[static_cast<size_t>(q)] != Go15RunQueues::kNone && rq.Empty(q),
              "CreateGoroutinesParallel: every P runs a chain of its own");
  }
  // One op on every P: its successor starts, it exits, the successor runs.
  put = [&b](const TraceEvent& e) { b.OpEvent(e); };
  for (int q = 0; q < procs; ++q) {
    TraceEvent go{};
    go.kind = TraceEvent::kGo;
    go.id = b.NewEventId();
    go.p = q;
    b.OpEvent(go);
    const Go15RunQueues::G successor = procs + 1 + q;
    rq.RunqPut(q, successor, /*next=*/true);
    TraceEvent exit = go;
    exit.kind = TraceEvent::kGoExit;
    b.OpEvent(exit);
    THP_CHECK(rq.Schedule(q) == successor && rq.Empty(q),
              "CreateGoroutinesParallel: a chain runs its successor next");
    running[static_cast<size_t>(q)] = successor;
  }
  b.SideBySide();
  // The chains end, P by P.
  put = [&b](const TraceEvent& e) { b.TeardownEvent(e); };
  for (int q = 0; q < procs; ++q) {
    rq.RunqPut(q, kBench, /*next=*/true);  // ready: the send it waits for
    wakep();
    const Go15RunQueues::G next = rq.Schedule(q);  // the chain's last goroutine exits
    THP_CHECK(next == kBench, "CreateGoroutinesParallel: the benchmark goroutine runs next");
    if (q + 1 < procs) {
      running[static_cast<size_t>(q)] = rq.Schedule(q);  // it parks on its next receive
    } else {
      running[static_cast<size_t>(q)] = kBench;  // it returns
    }
    run_woken();
  }
}

// Each op: a heap WaitGroup and four goroutines, which exit before wg.Wait
// returns. The goroutines' closures (fn, i, b, &wg) are not heap objects:
// the benchmark calls b.ReportAllocs, and Go 1.5.1 reports 16 B/op and
// 1 allocs/op for it (the WaitGroup), and its log has no span of the
// closures' 32-byte class in this benchmark. All four start on the P the
// benchmark goroutine runs on, which moves to the next P every
// kCreateGoroutinesCaptureOpsPerMove ops (go15_suite.h), starting on P 0.
// newproc1 puts each new goroutine in its P's runnext and the one there
// before at the tail of the P's queue, so the P runs the fourth first, then
// the first three in order (proc1.go runqput, runqget). Another P, woken by
// newproc1's wakep, may steal some of the queue (runqgrab takes half of
// what it finds, from its head: the first made) and run them there, their
// gs going to that P's free list; when it runs the op's last wg.Done, the
// benchmark goroutine is readied there and moves. How many of an op's
// goroutines exit on the other P is drawn from Go's measured counts: at a
// move from kCreateGoroutinesCaptureExitsAtMove (the loop's psteal), in
// every other op from kCreateGoroutinesCaptureExitsBetweenMoves (its
// pstay); either way the op's last j exits, which the body orders fourth,
// third, first, second, so that one steal takes the first two, as runqgrab
// does from a queue of three. In an op with no steal, all four go back on
// the maker's free list and the next op takes the same four gs (gfget,
// LIFO), so the order within such an op decides nothing here.
void CreateGoroutinesCapture(RunBuilder& b) {
  b.OpAlloc(kWaitGroupBytes, kNoscan);
  const std::vector<uint64_t> gs = b.OpGoStart(4);
  b.OpGoExit(gs[3]);
  b.OpGoExit(gs[2]);
  b.OpGoExit(gs[0]);
  b.OpGoExit(gs[1]);
  b.MoveBetweenPsEvery(kCreateGoroutinesCaptureOpsPerMove);
  b.StealAtMoves(
      {kCreateGoroutinesCaptureExitsAtMove.begin(), kCreateGoroutinesCaptureExitsAtMove.end()});
  b.StealBetweenMoves({kCreateGoroutinesCaptureExitsBetweenMoves.begin(),
                       kCreateGoroutinesCaptureExitsBetweenMoves.end()});
}

// matmult's goroutine tree (proc_test.go): a call splits the i range (when
// di is the largest and at least the threshold) or else the j range (when
// dj >= dk and dj >= threshold) in two, makes a done channel, starts
// `go matmult(first half)`, does the second half itself and waits; a k split
// runs both halves in turn in the same goroutine; a leaf computes.
//
// The goroutines run in the order Go 1.5.1's scheduler gives them
// (go15_runq.h, proc1.go): newproc1 puts the new g in its P's runnext (the g
// there before goes to the ring's tail) and wakes an idle P; a receive on an
// empty done channel parks the parent, and the child's send readies it into
// the sending P's runnext (ready), so the parent resumes right after the
// child's goexit; a P with nothing runnable takes from the global queue or
// steals half of another P's ring, and else goes idle until a newproc1 or a
// ready wakes it (wakep); the global queue's traffic goes into the trace,
// for sysmon's forcegc.g queued there. The benchmark goroutine starts on P 0 with the
// other Ps idle. The Ps run side by side on a clock that only a leaf's
// multiply-adds advance (di * dj * dk of them); the other steps take no
// time, and a P's clock never runs behind the P that woke it. The done
// channel (an hchan of 96 bytes, noscan) is garbage once the parent's
// receive returns.
void MatmultGoroutines(RunBuilder& b, int64_t n) {
  constexpr int64_t kThreshold = 8;
  constexpr int kNoTask = -1;
  struct Block {
    int64_t i0, i1, j0, j1, k0, k1;
  };
  struct Item {
    bool wait;    // wait for `child`, else call `block`
    Block block;
    int64_t child;
    int level = 0;  // a call's nesting in its goroutine: 0 the goroutine's own
  };
  struct Task {
    std::vector<Item> stack;  // back() runs next
    uint64_t go_id = 0;       // 0: the benchmark goroutine itself
    uint64_t stack_bytes = 2048;  // its stack's size
    uint64_t chan_id = 0;
    bool sent = false;        // its send on the done channel happened
    int64_t waiter = kNoTask; // the parent parked on the receive
  };
  struct Proc {
    int64_t cur = kNoTask;  // the g running, kNoTask when idle
    int64_t clock = 0;
    bool woken = false;     // wakep made it look for work
  };
  auto event = [](TraceEvent::Kind kind, uint64_t id, int p) {
    TraceEvent e{};
    e.kind = kind;
    e.id = id;
    e.p = p;
    return e;
  };
  const int procs = b.ctx().gomaxprocs;
  Go15RunQueues rq(procs);
  // The global queue's traffic, so that a forced GC sysmon readies there
  // waits its turn (globrunqput/globrunqget).
  rq.set_on_global_put(
      [&b](int64_t n) { b.OpEvent(GlobRunqEvent(TraceEvent::kGlobRunqPut, 0, n)); });
  rq.set_on_global_get(
      [&b](int p, int64_t n) { b.OpEvent(GlobRunqEvent(TraceEvent::kGlobRunqGet, p, n)); });
  std::vector<Proc> ps(static_cast<size_t>(procs));
  // A child's slot is free again once its parent has received from it, so
  // the table holds the goroutines alive at once, not every one ever made.
  std::vector<Task> tasks(1);
  std::vector<int64_t> free_slots;
  tasks[0].stack.push_back(Item{false, Block{0, n, 0, n, 0, n}, 0});
  ps[0].cur = 0;
  rq.Execute(0);  // the benchmark goroutine, counted by its execute
  // wakep, Go 1.5.1: an idle P (the lowest numbered) starts looking for
  // work, unless one is looking already (sched.nmspinning != 0).
  auto wakep = [&](int64_t now) {
    for (const Proc& q : ps) {
      if (q.woken) return;
    }
    for (Proc& q : ps) {
      if (q.cur == kNoTask && !q.woken) {
        q.woken = true;
        q.clock = std::max(q.clock, now);
        return;
      }
    }
  };
  bool root_done = false;
  while (!root_done) {
    // The P furthest behind that has something to do moves next.
    int p = -1;
    for (int q = 0; q < procs; ++q) {
      const Proc& pq = ps[static_cast<size_t>(q)];
      if (pq.cur == kNoTask && !pq.woken) continue;
      if (p < 0 || pq.clock < ps[static_cast<size_t>(p)].clock) p = q;
    }
    if (p < 0) break;  // cannot happen while the benchmark goroutine waits on one
    Proc& pp = ps[static_cast<size_t>(p)];
    if (pp.cur == kNoTask) {
      pp.woken = false;
      pp.cur = rq.Schedule(p);  // kNoTask: back to idle
      continue;
    }
    const int64_t t = pp.cur;
    Item item = tasks[static_cast<size_t>(t)].stack.back();
    tasks[static_cast<size_t>(t)].stack.pop_back();
    if (item.wait) {
      Task& child = tasks[static_cast<size_t>(item.child)];
      if (!child.sent) {
        // gopark on the receive: the P schedules another g.
        child.waiter = t;
        tasks[static_cast<size_t>(t)].stack.push_back(item);
        pp.cur = rq.Schedule(p);
        continue;
      }
      b.OpEvent(event(TraceEvent::kDrop, child.chan_id, p));
      std::vector<Item>().swap(child.stack);
      free_slots.push_back(item.child);
    } else {
      const Block& k = item.block;
      const int64_t di = k.i1 - k.i0, dj = k.j1 - k.j0, dk = k.k1 - k.k0;
      // newstack doubles a started goroutine's 2 KiB stack (copystack) the
      // first time its frames reach past it: a matmult call at nesting
      // level kGrowLevel, or the make(chan) of a split one level up
      // (makechan, then mallocgc's frame). Both depths are Go 1.5.1's
      // measured ones (testdata/go151_stacks: the matmult goroutines grew at
      // shrinkstack's used = 1808 in matmult's prologue, 176 + 5 * 224 bytes
      // deep plus _StackLimit, and at 1888 in mallocgc, 80 bytes further than
      // level 4's makechan call), and Go 1.5.1's prologue check agrees:
      // newproc1 starts matmult 176 bytes below stack.hi (32 bytes of spare
      // room, 136 of arguments, the return PC), each nested call adds 224
      // (its 0xd8-byte frame and return PC), stack.hi lies 32 bytes below
      // the 2 KiB stack's top (stackalloc's stack-barrier records), and a
      // frame over 128 bytes grows the stack when SP - (frame - 128) is at
      // most stack.lo + 640: level 5 at lo + 720 does, level 4 at lo + 856
      // does not. The rarer growths deeper in the allocator
      // (heapBitsSetType, mProf_Malloc; 1,344 of 61,658) and to 8 KiB (96)
      // are left out, as is the benchmark goroutine's own.
      constexpr int kGrowLevel = 5;
      const bool splits_with_chan =
          (di >= dj && di >= dk && di >= kThreshold) || (dj >= dk && dj >= kThreshold);
      Task& runner = tasks[static_cast<size_t>(t)];
      if (runner.go_id != 0 && runner.stack_bytes < 4096 &&
          (item.level >= kGrowLevel || (item.level + 1 >= kGrowLevel && splits_with_chan))) {
        runner.stack_bytes = 4096;
        TraceEvent grow = event(TraceEvent::kGoGrow, runner.go_id, p);
        grow.bytes = runner.stack_bytes;
        b.OpEvent(grow);
      }
      Block first = k, second = k;
      bool spawn = false;
      if (di >= dj && di >= dk && di >= kThreshold) {
        first.i1 = second.i0 = k.i0 + di / 2;
        spawn = true;
      } else if (dj >= dk && dj >= kThreshold) {
        first.j1 = second.j0 = k.j0 + dj / 2;
        spawn = true;
      } else if (dk >= kThreshold) {
        first.k1 = second.k0 = k.k0 + dk / 2;
        tasks[static_cast<size_t>(t)].stack.push_back(Item{false, second, 0, item.level + 1});
        tasks[static_cast<size_t>(t)].stack.push_back(Item{false, first, 0, item.level + 1});
      } else {
        pp.clock += di * dj * dk;  // the leaf's multiply-adds
      }
      if (spawn) {
        Task child;
        child.stack.push_back(Item{false, first, 0});
        child.chan_id = b.NewEventId();
        child.go_id = b.NewEventId();
        TraceEvent chan = event(TraceEvent::kAlloc, child.chan_id, p);
        chan.bytes = kHchanBytes;
        chan.noscan = true;
        b.OpEvent(chan);
        b.OpEvent(event(TraceEvent::kGo, child.go_id, p));
        int64_t c = static_cast<int64_t>(tasks.size());
        if (free_slots.empty()) {
          tasks.push_back(std::move(child));
        } else {
          c = free_slots.back();
          free_slots.pop_back();
          tasks[static_cast<size_t>(c)] = std::move(child);
        }
        tasks[static_cast<size_t>(t)].stack.push_back(Item{true, Block{}, c, 0});
        tasks[static_cast<size_t>(t)].stack.push_back(Item{false, second, 0, item.level + 1});
        rq.RunqPut(p, c, /*next=*/true);  // newproc1
        wakep(pp.clock);
      }
    }
    Task& task = tasks[static_cast<size_t>(t)];
    if (!task.stack.empty()) continue;
    if (task.go_id == 0) {
      root_done = true;
      continue;
    }
    // The send on the done channel, then goexit.
    task.sent = true;
    if (task.waiter != kNoTask) {
      rq.RunqPut(p, task.waiter, /*next=*/true);  // ready
      wakep(pp.clock);
    }
    b.OpEvent(event(TraceEvent::kGoExit, task.go_id, p));
    pp.cur = rq.Schedule(p);
  }
}

}  // namespace

double MakeMatrixRowNs(uint64_t n) {
  const uint64_t row_bytes = n * 8;
  if (row_bytes > kMaxSmallSize) return kMakeMatrixNsPerSpan;
  const SizeClasses& classes = GetSizeClasses();
  const int c = classes.SizeToClass(row_bytes);
  const uint64_t rows_per_span = classes.ClassToAllocNPages(c) * kPageSize / classes.ClassToSize(c);
  return kMakeMatrixNsPerSpan / static_cast<double>(rows_per_span);
}

namespace {

// Three n x n float64 matrices, n = cbrt(b.N) + 1, made before the timer
// starts, each row allocated then filled (kMakeMatrixNsPerSpan, per span of
// rows: a row of over 32 KiB is a span of its own); then one matmult over
// them is the whole timed run.
void Matmult(RunBuilder& b) {
  b.WholeRun();
  uint64_t root = 0;
  while ((root + 1) * (root + 1) * (root + 1) <= static_cast<uint64_t>(b.ctx().n)) ++root;
  const uint64_t n = root + 1;
  const double fill_ns = MakeMatrixRowNs(n);
  b.SetupTimer(BenchTimer::kStop);
  for (int m = 0; m < 3; ++m) {
    b.SetupAlloc(n * kSliceHeaderBytes, kScan);
    for (uint64_t row = 0; row < n; ++row) {
      b.SetupAlloc(n * 8, kNoscan);
      b.SetupCompute(fill_ns);
    }
  }
  b.SetupTimer(BenchTimer::kStart);
  MatmultGoroutines(b, static_cast<int64_t>(n));
}

// ---------------------------------------------------------------------------
// runtime_test.go

// One defer record per op, all live until the function returns. deferproc
// (go1.5.1 panic.go) calls newdefer through systemstack, and newdefer's
// mallocgc cannot start a GC there (startGC returns at once on g0);
// newdefer links each record to the one before (d.link = gp._defer), so the
// records are one chain, which a GC marks a link at a time (mgc.h,
// kChainLinkMarkNs) and mark termination rescans (kChainLinkRescanNs). The
// b.N deferred calls then run, in the timed op's time but after the loop
// (go15_suite.h, kDeferManyAfterLoopNs and kDeferManyDeferredCallNs), the
// newest first; freedefer puts each record it has run on sched.deferpool,
// which the next gc()'s clearpools unlinks, so a cycle that starts during
// the calls marks as a chain only the records not yet run (AfterLoopWork's
// releases).
void DeferMany(RunBuilder& b) {
  b.OpAllocRetained(kDeferRecordBytes, kScan, /*on_system_stack=*/true, /*chain_link=*/true);
  b.AfterLoopWork(kDeferManyAfterLoopNs, kDeferManyDeferredCallNs,
                  /*releases_retained_last_first=*/true);
}

// ---------------------------------------------------------------------------
// stack_test.go

// Each op: a goroutine recursing 10^6 deep (~24 MB: stack to 32 MiB). Its
// closure (fn, c) is no heap object: go1.5.1's compiler turns a closure
// literal called at once, as in `go func() { ... }()`, into a plain
// function taking the captured variables as arguments (transformclosure,
// cmd/compile/internal/gc/closure.go), and Go 1.5.1's -benchmem report
// for StackCopy (b.N = 1, three runs) is 96 B/op, 1 allocs/op: the
// channel, timed because the function makes it with the timer on.
void StackCopy(RunBuilder& b) {
  MakeChan(b, 0, 1);
  b.OpGoroutineRecursion(1000000 + 1, kCountFrameBytes, kCountDescentNsPerFrame,
                         kCopyStackNsPerFrame);
}

// ---------------------------------------------------------------------------
// string_test.go

// "Hello Gophers!" appended until 2^20 bytes are reached.
constexpr uint64_t kBigStringBytes = (kMiB + 13) / 14 * 14;

// bytes := make([]byte, 0, 1<<20) is on the heap (too large for the
// stack: go1.5.1 esc.go, isSmallMakeSlice); the append that passes 1 MiB
// outgrows it (growslice: a quarter more, 1.25 MiB), then s1 and s2 are
// copied from the grown array, which is garbage once they are made.
// s2 = string(bytes) for Big; "hello" + string(bytes) for BigUnaligned,
// where the conversion reuses the slice's bytes (order.go marks it a
// temporary beside a non-empty literal): one copy, concatstrings'.
template <uint64_t kS2Prefix>
void CompareStringBig(RunBuilder& b) {
  const uint64_t buf = b.SetupAllocTemp(kMiB, kNoscan);
  const uint64_t grown =
      b.SetupAllocTemp(GrowSliceBytes(1, kBigStringBytes - 14, kMiB, kBigStringBytes), kNoscan);
  b.SetupDrop(buf);
  Noscan(b, kBigStringBytes);
  Noscan(b, kS2Prefix + kBigStringBytes);
  b.SetupDrop(grown);
}

}  // namespace

const std::vector<Go15Benchmark>& Go15RuntimeBenchmarks() {
  static const auto* const kTable = new std::vector<Go15Benchmark>{
      // append_test.go
      {"BenchmarkAppend", "append_test.go", &TimerStoppedAround<&NoActivity>, kNoSafePoint},
      {"BenchmarkAppendGrowByte", "append_test.go", &AppendGrow<1, kNoscan>,
       kSafePointsAtAllocs},
      {"BenchmarkAppendGrowString", "append_test.go", &AppendGrow<kStringHeaderBytes, kScan>,
       kSafePointsAtAllocs},
      {"BenchmarkAppend1Byte", "append_test.go",
       &TimerStoppedAround<&AppendBytes<1>>, kNoSafePoint},
      {"BenchmarkAppend4Bytes", "append_test.go",
       &TimerStoppedAround<&AppendBytes<4>>, kNoSafePoint},
      {"BenchmarkAppend7Bytes", "append_test.go",
       &TimerStoppedAround<&AppendBytes<7>>, kNoSafePoint},
      {"BenchmarkAppend8Bytes", "append_test.go",
       &TimerStoppedAround<&AppendBytes<8>>, kNoSafePoint},
      {"BenchmarkAppend15Bytes", "append_test.go",
       &TimerStoppedAround<&AppendBytes<15>>, kNoSafePoint},
      {"BenchmarkAppend16Bytes", "append_test.go",
       &TimerStoppedAround<&AppendBytes<16>>, kNoSafePoint},
      {"BenchmarkAppend32Bytes", "append_test.go",
       &TimerStoppedAround<&AppendBytes<32>>, kNoSafePoint},
      {"BenchmarkAppendStr1Byte", "append_test.go",
       &TimerStoppedAround<&AppendStr<1>>, kNoSafePoint},
      {"BenchmarkAppendStr4Bytes", "append_test.go",
       &TimerStoppedAround<&AppendStr<4>>, kNoSafePoint},
      {"BenchmarkAppendStr8Bytes", "append_test.go",
       &TimerStoppedAround<&AppendStr<8>>, kNoSafePoint},
      {"BenchmarkAppendStr16Bytes", "append_test.go",
       &TimerStoppedAround<&AppendStr<16>>, kNoSafePoint},
      {"BenchmarkAppendStr32Bytes", "append_test.go",
       &TimerStoppedAround<&AppendStr<32>>, kNoSafePoint},
      {"BenchmarkAppendSpecialCase", "append_test.go",
       &TimerStoppedAround<&NoActivity>, kNoSafePoint},
      {"BenchmarkCopy1Byte", "append_test.go", &SetupNoscan<1>, kNoSafePoint},
      {"BenchmarkCopy2Byte", "append_test.go", &SetupNoscan<2>, kNoSafePoint},
      {"BenchmarkCopy4Byte", "append_test.go", &SetupNoscan<4>, kNoSafePoint},
      {"BenchmarkCopy8Byte", "append_test.go", &SetupNoscan<8>, kNoSafePoint},
      {"BenchmarkCopy12Byte", "append_test.go", &SetupNoscan<12>, kNoSafePoint},
      {"BenchmarkCopy16Byte", "append_test.go", &SetupNoscan<16>, kNoSafePoint},
      {"BenchmarkCopy32Byte", "append_test.go", &SetupNoscan<32>, kNoSafePoint},
      {"BenchmarkCopy128Byte", "append_test.go", &SetupNoscan<128>, kNoSafePoint},
      {"BenchmarkCopy1024Byte", "append_test.go", &SetupNoscan<1024>, kNoSafePoint},
      {"BenchmarkCopy1String", "append_test.go", &CopyString<1>, kNoSafePoint},
      {"BenchmarkCopy2String", "append_test.go", &CopyString<2>, kNoSafePoint},
      {"BenchmarkCopy4String", "append_test.go", &CopyString<4>, kNoSafePoint},
      {"BenchmarkCopy8String", "append_test.go", &CopyString<8>, kNoSafePoint},
      {"BenchmarkCopy12String", "append_test.go", &CopyString<12>, kNoSafePoint},
      {"BenchmarkCopy16String", "append_test.go", &CopyString<16>, kNoSafePoint},
      {"BenchmarkCopy32String", "append_test.go", &CopyString<32>, kNoSafePoint},
      {"BenchmarkCopy128String", "append_test.go", &CopyString<128>, kNoSafePoint},
      {"BenchmarkCopy1024String", "append_test.go", &CopyString<1024>, kNoSafePoint},
      // chan_test.go
      {"BenchmarkChanNonblocking", "chan_test.go", &ChanNonblocking},
      {"BenchmarkSelectUncontended", "chan_test.go", &SelectUncontended},
      {"BenchmarkSelectSyncContended", "chan_test.go", &SelectSyncContended},
      {"BenchmarkSelectAsyncContended", "chan_test.go", &SelectAsyncContended},
      {"BenchmarkSelectNonblock", "chan_test.go", &SelectNonblock},
      {"BenchmarkChanUncontended", "chan_test.go", &ChanUncontended, kEveryPBusy},
      {"BenchmarkChanContended", "chan_test.go", &ChanContended, kEveryPBusy},
      {"BenchmarkChanSync", "chan_test.go", &ChanSync},
      {"BenchmarkChanProdCons0", "chan_test.go", &ChanProdCons<0>},
      {"BenchmarkChanProdCons10", "chan_test.go", &ChanProdCons<10>},
      {"BenchmarkChanProdCons100", "chan_test.go", &ChanProdCons<100>},
      {"BenchmarkChanProdConsWork0", "chan_test.go", &ChanProdCons<0>},
      {"BenchmarkChanProdConsWork10", "chan_test.go", &ChanProdCons<10>},
      {"BenchmarkChanProdConsWork100", "chan_test.go", &ChanProdCons<100>},
      {"BenchmarkSelectProdCons", "chan_test.go", &SelectProdCons},
      {"BenchmarkChanCreation", "chan_test.go", &ChanCreation},
      {"BenchmarkChanSem", "chan_test.go", &ChanSem, kEveryPBusy},
      {"BenchmarkChanPopular", "chan_test.go", &ChanPopular},
      // closure_test.go: closures 2-4 move one int to the heap per op.
      {"BenchmarkCallClosure", "closure_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkCallClosure1", "closure_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkCallClosure2", "closure_test.go", &OnePerOpInGlobal<8, kNoscan>},
      {"BenchmarkCallClosure3", "closure_test.go", &OnePerOpInGlobal<8, kNoscan>},
      {"BenchmarkCallClosure4", "closure_test.go", &OnePerOpInGlobal<8, kNoscan>},
      // complex_test.go
      {"BenchmarkComplex128DivNormal", "complex_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkComplex128DivNisNaN", "complex_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkComplex128DivDisNaN", "complex_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkComplex128DivNisInf", "complex_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkComplex128DivDisInf", "complex_test.go", &NoActivity, kNoSafePoint},
      // gc_test.go: benchSetType writes heap bits over one setup object.
      {"BenchmarkSetTypePtr", "gc_test.go", &ResetTimerAfter<&SetupScan<8>>, kNoSafePoint},
      {"BenchmarkSetTypePtr8", "gc_test.go", &ResetTimerAfter<&SetupScan<8 * 8>>, kNoSafePoint},
      {"BenchmarkSetTypePtr16", "gc_test.go", &ResetTimerAfter<&SetupScan<16 * 8>>, kNoSafePoint},
      {"BenchmarkSetTypePtr32", "gc_test.go", &ResetTimerAfter<&SetupScan<32 * 8>>, kNoSafePoint},
      {"BenchmarkSetTypePtr64", "gc_test.go", &ResetTimerAfter<&SetupScan<64 * 8>>, kNoSafePoint},
      {"BenchmarkSetTypePtr126", "gc_test.go", &ResetTimerAfter<&SetupScan<126 * 8>>, kNoSafePoint},
      {"BenchmarkSetTypePtr128", "gc_test.go", &ResetTimerAfter<&SetupScan<128 * 8>>, kNoSafePoint},
      {"BenchmarkSetTypePtrSlice", "gc_test.go", &SetTypeSlice<8, 1024>, kNoSafePoint},
      {"BenchmarkSetTypeNode1", "gc_test.go", &ResetTimerAfter<&SetupScan<Node(1)>>, kNoSafePoint},
      {"BenchmarkSetTypeNode1Slice", "gc_test.go", &SetTypeSlice<Node(1), 32>, kNoSafePoint},
      {"BenchmarkSetTypeNode8", "gc_test.go", &ResetTimerAfter<&SetupScan<Node(8)>>, kNoSafePoint},
      {"BenchmarkSetTypeNode8Slice", "gc_test.go", &SetTypeSlice<Node(8), 32>, kNoSafePoint},
      {"BenchmarkSetTypeNode64", "gc_test.go",
       &ResetTimerAfter<&SetupScan<Node(64)>>, kNoSafePoint},
      {"BenchmarkSetTypeNode64Slice", "gc_test.go", &SetTypeSlice<Node(64), 32>, kNoSafePoint},
      {"BenchmarkSetTypeNode64Dead", "gc_test.go",
       &ResetTimerAfter<&SetupScan<Node(64)>>, kNoSafePoint},
      {"BenchmarkSetTypeNode64DeadSlice", "gc_test.go", &SetTypeSlice<Node(64), 32>, kNoSafePoint},
      {"BenchmarkSetTypeNode124", "gc_test.go",
       &ResetTimerAfter<&SetupScan<Node(124)>>, kNoSafePoint},
      {"BenchmarkSetTypeNode124Slice", "gc_test.go", &SetTypeSlice<Node(124), 32>, kNoSafePoint},
      {"BenchmarkSetTypeNode126", "gc_test.go",
       &ResetTimerAfter<&SetupScan<Node(126)>>, kNoSafePoint},
      {"BenchmarkSetTypeNode126Slice", "gc_test.go", &SetTypeSlice<Node(126), 32>, kNoSafePoint},
      {"BenchmarkSetTypeNode128", "gc_test.go",
       &ResetTimerAfter<&SetupScan<Node(128)>>, kNoSafePoint},
      {"BenchmarkSetTypeNode128Slice", "gc_test.go", &SetTypeSlice<Node(128), 32>, kNoSafePoint},
      {"BenchmarkSetTypeNode130", "gc_test.go",
       &ResetTimerAfter<&SetupScan<Node(130)>>, kNoSafePoint},
      {"BenchmarkSetTypeNode130Slice", "gc_test.go", &SetTypeSlice<Node(130), 32>, kNoSafePoint},
      {"BenchmarkSetTypeNode1024", "gc_test.go",
       &ResetTimerAfter<&SetupScan<Node(1024)>>, kNoSafePoint},
      {"BenchmarkSetTypeNode1024Slice", "gc_test.go", &SetTypeSlice<Node(1024), 32>, kNoSafePoint},
      {"BenchmarkAllocation", "gc_test.go", &Allocation},
      // hash_test.go
      {"BenchmarkHash5", "hash_test.go", &Hash<5>},
      {"BenchmarkHash16", "hash_test.go", &Hash<16>},
      {"BenchmarkHash64", "hash_test.go", &Hash<64>},
      {"BenchmarkHash1024", "hash_test.go", &Hash<1024>},
      {"BenchmarkHash65536", "hash_test.go", &Hash<65536>},
      // iface_test.go: TS is 2 bytes, TM 8, TL 16.
      {"BenchmarkEqEfaceConcrete", "iface_test.go", &NoActivity},
      {"BenchmarkEqIfaceConcrete", "iface_test.go", &NoActivity},
      {"BenchmarkNeEfaceConcrete", "iface_test.go", &NoActivity},
      {"BenchmarkNeIfaceConcrete", "iface_test.go", &NoActivity},
      {"BenchmarkConvT2ESmall", "iface_test.go", &OnePerOpInGlobal<2, kNoscan>},
      {"BenchmarkConvT2EUintptr", "iface_test.go", &OnePerOpInGlobal<8, kNoscan>},
      {"BenchmarkConvT2ELarge", "iface_test.go", &OnePerOpInGlobal<16, kNoscan>},
      {"BenchmarkConvT2ISmall", "iface_test.go", &OnePerOpInGlobal<2, kNoscan>},
      {"BenchmarkConvT2IUintptr", "iface_test.go", &OnePerOpInGlobal<8, kNoscan>},
      {"BenchmarkConvT2ILarge", "iface_test.go", &OnePerOpInGlobal<16, kNoscan>},
      {"BenchmarkConvI2E", "iface_test.go", &SetupNoscan<8>},
      {"BenchmarkConvI2I", "iface_test.go", &SetupNoscan<8>},
      {"BenchmarkAssertE2T", "iface_test.go", &SetupNoscan<8>},
      {"BenchmarkAssertE2TLarge", "iface_test.go", &SetupNoscan<16>},
      {"BenchmarkAssertE2I", "iface_test.go", &SetupNoscan<8>},
      {"BenchmarkAssertI2T", "iface_test.go", &SetupNoscan<8>},
      {"BenchmarkAssertI2I", "iface_test.go", &SetupNoscan<8>},
      {"BenchmarkAssertI2E", "iface_test.go", &SetupNoscan<8>},
      {"BenchmarkAssertE2E", "iface_test.go", &SetupNoscan<8>, kNoSafePoint},
      {"BenchmarkAssertE2T2", "iface_test.go", &SetupNoscan<8>},
      {"BenchmarkAssertE2T2Blank", "iface_test.go", &SetupNoscan<8>, kNoSafePoint},
      {"BenchmarkAssertI2E2", "iface_test.go", &SetupNoscan<8>},
      {"BenchmarkAssertI2E2Blank", "iface_test.go", &SetupNoscan<8>, kNoSafePoint},
      {"BenchmarkAssertE2E2", "iface_test.go", &SetupNoscan<8>},
      {"BenchmarkAssertE2E2Blank", "iface_test.go", &SetupNoscan<8>, kNoSafePoint},
      // malloc_test.go
      {"BenchmarkMalloc8", "malloc_test.go", &OnePerOp<8, kNoscan>},
      {"BenchmarkMalloc16", "malloc_test.go", &OnePerOp<16, kNoscan>},
      {"BenchmarkMallocTypeInfo8", "malloc_test.go", &OnePerOp<8, kScan>},
      {"BenchmarkMallocTypeInfo16", "malloc_test.go", &OnePerOp<16, kScan>},
      {"BenchmarkMallocLargeStruct", "malloc_test.go",
       &OnePerOp<2 * 16 * kSliceHeaderBytes, kScan>},
      {"BenchmarkGoroutineSelect", "malloc_test.go", &GoroutineSelect},
      {"BenchmarkGoroutineBlocking", "malloc_test.go", &GoroutineBlocking},
      {"BenchmarkGoroutineForRange", "malloc_test.go", &GoroutineBlocking},
      {"BenchmarkGoroutineIdle", "malloc_test.go", &GoroutineIdle},
      // map_test.go
      {"BenchmarkMapPop100", "map_test.go", &MapPop<100>},
      {"BenchmarkMapPop1000", "map_test.go", &MapPop<1000>},
      {"BenchmarkMapPop10000", "map_test.go", &MapPop<10000>},
      // mapspeed_test.go: maps without a hint stay on the stack below 9 keys.
      {"BenchmarkHashStringSpeed", "mapspeed_test.go",
       &ResetTimerAfter<&HintedMap<MapBucketBytes(kStringHeaderBytes, 8), kScan, 10, 8>>},
      {"BenchmarkHashBytesSpeed", "mapspeed_test.go",
       &ResetTimerAfter<&HintedMap<MapBucketBytes(17, 8), kNoscan, 0, 0>>},
      {"BenchmarkHashInt32Speed", "mapspeed_test.go",
       &ResetTimerAfter<&HintedMap<MapBucketBytes(4, 8), kNoscan, 0, 0>>},
      {"BenchmarkHashInt64Speed", "mapspeed_test.go",
       &ResetTimerAfter<&HintedMap<MapBucketBytes(8, 8), kNoscan, 0, 0>>},
      {"BenchmarkHashStringArraySpeed", "mapspeed_test.go",
       &ResetTimerAfter<&HintedMap<MapBucketBytes(2 * kStringHeaderBytes, 8), kScan, 20, 10>>},
      {"BenchmarkMegMap", "mapspeed_test.go", &ResetTimerAfter<&MegMap>},
      {"BenchmarkMegOneMap", "mapspeed_test.go", &ResetTimerAfter<&RepeatedStrings<2, kMiB>>},
      {"BenchmarkMegEqMap", "mapspeed_test.go", &ResetTimerAfter<&RepeatedStrings<2, kMiB>>},
      {"BenchmarkMegEmptyMap", "mapspeed_test.go", &ResetTimerAfter<&RepeatedStrings<1, kMiB>>},
      {"BenchmarkSmallStrMap", "mapspeed_test.go", &ResetTimerAfter<&SetupNoscan<2, 7>>},
      {"BenchmarkMapStringKeysEight_16", "mapspeed_test.go",
       &ResetTimerAfter<&MapStringKeysEight<16>>},
      {"BenchmarkMapStringKeysEight_32", "mapspeed_test.go",
       &ResetTimerAfter<&MapStringKeysEight<32>>},
      {"BenchmarkMapStringKeysEight_64", "mapspeed_test.go",
       &ResetTimerAfter<&MapStringKeysEight<64>>},
      {"BenchmarkMapStringKeysEight_1M", "mapspeed_test.go",
       &ResetTimerAfter<&MapStringKeysEight<kMiB>>},
      {"BenchmarkIntMap", "mapspeed_test.go", &ResetTimerAfter<&NoActivity>},
      {"BenchmarkRepeatedLookupStrMapKey32", "mapspeed_test.go",
       &ResetTimerAfter<&RepeatedLookup<32>>},
      {"BenchmarkRepeatedLookupStrMapKey1M", "mapspeed_test.go",
       &ResetTimerAfter<&RepeatedLookup<kMiB>>},
      {"BenchmarkNewEmptyMap", "mapspeed_test.go", &NoActivity},
      {"BenchmarkNewSmallMap", "mapspeed_test.go", &NoActivity},
      {"BenchmarkMapIter", "mapspeed_test.go", &ResetTimerAfter<&NoActivity>},
      {"BenchmarkMapIterEmpty", "mapspeed_test.go", &ResetTimerAfter<&NoActivity>},
      {"BenchmarkSameLengthMap", "mapspeed_test.go",
       &ResetTimerAfter<&SetupNoscan<3 + 100 + 3, 2>>},
      {"BenchmarkBigKeyMap", "mapspeed_test.go", &NoActivity},
      {"BenchmarkBigValMap", "mapspeed_test.go", &NoActivity},
      {"BenchmarkSmallKeyMap", "mapspeed_test.go", &NoActivity},
      {"BenchmarkComplexAlgMap", "mapspeed_test.go", &NoActivity},
      // memmove_test.go: bmMemmove makes two n-byte slices, bmMemclr and
      // bmGoMemclr one; the fat values are stack arrays.
      {"BenchmarkMemmove0", "memmove_test.go", &SetupNoscan<0, 2>, kNoSafePoint},
      {"BenchmarkMemmove1", "memmove_test.go", &SetupNoscan<1, 2>, kNoSafePoint},
      {"BenchmarkMemmove2", "memmove_test.go", &SetupNoscan<2, 2>, kNoSafePoint},
      {"BenchmarkMemmove3", "memmove_test.go", &SetupNoscan<3, 2>, kNoSafePoint},
      {"BenchmarkMemmove4", "memmove_test.go", &SetupNoscan<4, 2>, kNoSafePoint},
      {"BenchmarkMemmove5", "memmove_test.go", &SetupNoscan<5, 2>, kNoSafePoint},
      {"BenchmarkMemmove6", "memmove_test.go", &SetupNoscan<6, 2>, kNoSafePoint},
      {"BenchmarkMemmove7", "memmove_test.go", &SetupNoscan<7, 2>, kNoSafePoint},
      {"BenchmarkMemmove8", "memmove_test.go", &SetupNoscan<8, 2>, kNoSafePoint},
      {"BenchmarkMemmove9", "memmove_test.go", &SetupNoscan<9, 2>, kNoSafePoint},
      {"BenchmarkMemmove10", "memmove_test.go", &SetupNoscan<10, 2>, kNoSafePoint},
      {"BenchmarkMemmove11", "memmove_test.go", &SetupNoscan<11, 2>, kNoSafePoint},
      {"BenchmarkMemmove12", "memmove_test.go", &SetupNoscan<12, 2>, kNoSafePoint},
      {"BenchmarkMemmove13", "memmove_test.go", &SetupNoscan<13, 2>, kNoSafePoint},
      {"BenchmarkMemmove14", "memmove_test.go", &SetupNoscan<14, 2>, kNoSafePoint},
      {"BenchmarkMemmove15", "memmove_test.go", &SetupNoscan<15, 2>, kNoSafePoint},
      {"BenchmarkMemmove16", "memmove_test.go", &SetupNoscan<16, 2>, kNoSafePoint},
      {"BenchmarkMemmove32", "memmove_test.go", &SetupNoscan<32, 2>, kNoSafePoint},
      {"BenchmarkMemmove64", "memmove_test.go", &SetupNoscan<64, 2>, kNoSafePoint},
      {"BenchmarkMemmove128", "memmove_test.go", &SetupNoscan<128, 2>, kNoSafePoint},
      {"BenchmarkMemmove256", "memmove_test.go", &SetupNoscan<256, 2>, kNoSafePoint},
      {"BenchmarkMemmove512", "memmove_test.go", &SetupNoscan<512, 2>, kNoSafePoint},
      {"BenchmarkMemmove1024", "memmove_test.go", &SetupNoscan<1024, 2>, kNoSafePoint},
      {"BenchmarkMemmove2048", "memmove_test.go", &SetupNoscan<2048, 2>, kNoSafePoint},
      {"BenchmarkMemmove4096", "memmove_test.go", &SetupNoscan<4096, 2>, kNoSafePoint},
      {"BenchmarkMemclr5", "memmove_test.go", &SetupNoscan<5>},
      {"BenchmarkMemclr16", "memmove_test.go", &SetupNoscan<16>},
      {"BenchmarkMemclr64", "memmove_test.go", &SetupNoscan<64>},
      {"BenchmarkMemclr256", "memmove_test.go", &SetupNoscan<256>},
      {"BenchmarkMemclr4096", "memmove_test.go", &SetupNoscan<4096>},
      {"BenchmarkMemclr65536", "memmove_test.go", &SetupNoscan<65536>},
      {"BenchmarkGoMemclr5", "memmove_test.go", &SetupNoscan<5>, kNoSafePoint},
      {"BenchmarkGoMemclr16", "memmove_test.go", &SetupNoscan<16>, kNoSafePoint},
      {"BenchmarkGoMemclr64", "memmove_test.go", &SetupNoscan<64>, kNoSafePoint},
      {"BenchmarkGoMemclr256", "memmove_test.go", &SetupNoscan<256>, kNoSafePoint},
      {"BenchmarkClearFat8", "memmove_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkClearFat12", "memmove_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkClearFat16", "memmove_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkClearFat24", "memmove_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkClearFat32", "memmove_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkClearFat40", "memmove_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkClearFat48", "memmove_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkClearFat56", "memmove_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkClearFat64", "memmove_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkClearFat128", "memmove_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkClearFat256", "memmove_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkClearFat512", "memmove_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkClearFat1024", "memmove_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkCopyFat8", "memmove_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkCopyFat12", "memmove_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkCopyFat16", "memmove_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkCopyFat24", "memmove_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkCopyFat32", "memmove_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkCopyFat64", "memmove_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkCopyFat128", "memmove_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkCopyFat256", "memmove_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkCopyFat512", "memmove_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkCopyFat1024", "memmove_test.go", &NoActivity, kNoSafePoint},
      // mfinal_test.go
      {"BenchmarkFinalizer", "mfinal_test.go", &Finalizer, kEveryPBusy},
      {"BenchmarkFinalizerRun", "mfinal_test.go", &FinalizerRun, kEveryPBusy},
      // norace_test.go: RunParallel with parallelism 1 or 4.
      {"BenchmarkSyscall", "norace_test.go", &IdleWorkers<1>, kEveryPBusy},
      {"BenchmarkSyscallWork", "norace_test.go", &IdleWorkers<1>, kEveryPBusy},
      {"BenchmarkSyscallExcess", "norace_test.go", &IdleWorkers<4>, kEveryPBusy},
      {"BenchmarkSyscallExcessWork", "norace_test.go", &IdleWorkers<4>, kEveryPBusy},
      // proc_test.go
      {"BenchmarkPingPongHog", "proc_test.go", &PingPongHog},
      {"BenchmarkStackGrowth", "proc_test.go", &StackGrowth<10>, kEveryPBusy},
      {"BenchmarkStackGrowthDeep", "proc_test.go", &StackGrowth<1024>, kEveryPBusy},
      {"BenchmarkCreateGoroutines", "proc_test.go", &CreateGoroutines},
      {"BenchmarkCreateGoroutinesParallel", "proc_test.go", &CreateGoroutinesParallel},
      {"BenchmarkCreateGoroutinesCapture", "proc_test.go", &CreateGoroutinesCapture},
      {"BenchmarkClosureCall", "proc_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkMatmult", "proc_test.go", &Matmult},
      // runtime_test.go: Defer and Defer10 recycle pooled defer records.
      {"BenchmarkIfaceCmp100", "runtime_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkIfaceCmpNil100", "runtime_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkDefer", "runtime_test.go", &NoActivity},
      {"BenchmarkDefer10", "runtime_test.go", &NoActivity},
      {"BenchmarkDeferMany", "runtime_test.go", &DeferMany, kNoSafePoint},
      // stack_test.go
      {"BenchmarkStackCopy", "stack_test.go", &StackCopy},
      // string_test.go: short strings use stack buffers.
      {"BenchmarkCompareStringEqual", "string_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkCompareStringIdentical", "string_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkCompareStringSameLength", "string_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkCompareStringDifferentLength", "string_test.go", &NoActivity, kNoSafePoint},
      {"BenchmarkCompareStringBigUnaligned", "string_test.go", &CompareStringBig<5>, kNoSafePoint},
      {"BenchmarkCompareStringBig", "string_test.go", &CompareStringBig<0>, kNoSafePoint},
      {"BenchmarkRuneIterate", "string_test.go", &SetupNoscan<100>},
      {"BenchmarkRuneIterate2", "string_test.go", &SetupNoscan<100>},
  };
  return *kTable;
}

absl::StatusOr<std::vector<const Go15Benchmark*>> PickGo15Benchmarks(const std::string& pattern) {
  regex_t re;
  if (const int rc = regcomp(&re, pattern.c_str(), REG_EXTENDED | REG_NOSUB); rc != 0) {
    char why[256];
    regerror(rc, &re, why, sizeof why);
    return absl::InvalidArgumentError(
        absl::StrCat("--workloads=", pattern, ": not a valid (POSIX extended) regex: ", why));
  }
  std::vector<const Go15Benchmark*> out;
  for (const Go15Benchmark& b : Go15RuntimeBenchmarks()) {
    if (regexec(&re, b.name, 0, nullptr, 0) == 0) out.push_back(&b);
  }
  regfree(&re);
  if (out.empty()) {
    return absl::NotFoundError(absl::StrCat("--workloads=", pattern, ": matches none of the ",
                                            Go15RuntimeBenchmarks().size(), " benchmarks"));
  }
  return out;
}

}  // namespace thp
