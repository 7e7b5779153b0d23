// The Ms Go 1.5.1 made during its runtime benchmarks, as recorded: for each,
// the benchmark and the background GC cycle (its start or its end) at which
// runtime.test's scheduler found no idle M and called newm.
//
// Why recorded: go1.5.1 calls newm from startm when no M is idle (wakep
// after newproc1 or ready, handoffp after a blocking call, notetsleepg or
// sysmon's retake) and from startTheWorldWithSema (a P with work and no M;
// needaddgcproc's spare GC helper), and which of these fires depends on
// what every M is doing at that instant; this port has no scheduler.
// Across the recorded suite's 16,501 cycles it happened three times, the
// second time twice in a row. The log shows spans, not callers: "start"
// and "end" name the GC event the M followed, and how many Ms a burst of
// stack spans is follows from the order-2 stack pool (new_ms.py says how). AssertE2E2's came 148 us after gc_done (its m struct) and
// 287 us (its stacks), so its caller is as likely a later wakep as the
// world's restart; "end" is approximate there. What a new M allocates (new(m), gsignal's g and 32 KiB stack,
// g0's g and 8 KiB stack) and where the heap puts it are the model's
// (mheap/go15/goroutines.h NewM); only the moment is read from the log.
// Ms are never freed, so each pins a stack span or two wherever the heap
// was when it came: in Go, the two Ms of AppendGrowByte's first background
// cycle lie above the pages the small-object benchmarks churn later.
//
// Where it comes from: testdata/go151_heaplog/prefix.hlog.xz, by
// tools/go151/new_ms.py (its comment says how an M shows in the log). The
// recording ran at GOMAXPROCS 2; at other settings the same moments are a
// stand-in. The moments are one draw of a race: the fixed build's partial
// recording (fixed_to_CallClosure3.hlog.xz) made its Ms elsewhere, in
// Append and CallClosure right after a runtime.GC() cycle and in
// AppendGrowByte at its 75th background cycle's end.
#ifndef THP_BENCH_WORKLOADS_GO15_NEW_MS_H_
#define THP_BENCH_WORKLOADS_GO15_NEW_MS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "bench/workloads/trace_format.h"

namespace thp {

struct RecordedNewM {
  std::string benchmark;  // e.g. "BenchmarkAppend"
  int nth_background_cycle;  // counted from the benchmark's start, 1 the first
  bool at_cycle_end;      // false: at the cycle's start
};

// The recorded Ms, in the order Go made them.
const std::vector<RecordedNewM>& Go151NewMs();

// The newm events of `benchmark`'s recorded Ms, for the start of its first
// run (before its first bench label): empty for most benchmarks.
std::vector<TraceEvent> Go151NewMEvents(absl::string_view benchmark);

}  // namespace thp

#endif  // THP_BENCH_WORKLOADS_GO15_NEW_MS_H_
