// Fuzz target for the heaps, in the workload language: the input decodes
// into a heap-event trace (bench/workloads/trace_format.h) and the trace
// runs through a whole ported runtime (allocation through mcache and
// mcentral, stacks, goroutines, the GC's sweep, the scavenger) with every
// check after every event (checked_replay.h: the heap's CheckInvariants,
// the simulated kernel's CheckInvariants, and on the Go 1.5 heap the
// reference page model fed from its span allocs and frees).
// It runs either heap's runtime (the same trace, the same replayer), so it
// lives in mheap/testing, beside neither heap.
//
// Input: the first byte picks the heap and the mem_linux variant, one of
// CheckedReplayConfigs() (mod their number: the Go 1.5 heap's variants
// first, then the Go 1.21 heap's); the rest decodes as
// fuzz_trace_decoder.h documents (one op byte and its operands per
// event; any bytes make a valid trace).
// Every decoded trace is also printed and parsed back, so what a failure
// prints is exactly what ran.
//
// When a check fails, the message is followed on stderr by the trace up to
// the failing event. The workflow from a fuzz failure to a regression test:
//   1. bazel-bin/mheap/testing/mheap_fuzz <crash file> reprints it;
//   2. save the lines from "thp-trace 1" on as
//      testdata/traces/regress_<what broke>.trace (trim it if you like: the
//      test runs whatever is there; add a '#' comment saying what it
//      guards);
//   3. fix the bug; regress_traces_test replays every regress_*.trace under
//      every variant with the same checks, on every test run.
// Inputs worth keeping as fuzzing seeds go to testdata/fuzz/mheap/
// (replayed by mheap_fuzz_regression_test).
//
// The Go 1.5 heap's page-level fuzzer (mheap/go15/mheap_page_fuzz.cc)
// complements this one: it calls MHeap directly and so reaches states no
// workload can, such as a span of any page count given back at any moment
// (the runtime frees only what a GC's sweep finds dead, in sweep order, and
// small objects only through mcentral's size-class spans) and scavenges
// with a 5 us idle limit between any two operations (a workload reaches the
// scavenger only through sysmon's 5-minute limit or FreeOSMemory). Every
// one of its bytes is a page-heap operation, where most of a trace's events
// stop in the caches above the page heap, so it drives the page heap's
// trim, coalesce and release paths more densely; this one covers what the
// runtime does with them. Its failures are op sequences, not traces: a
// workload that reproduces one is worth writing down as a regress trace by
// hand.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "bench/workloads/trace_format.h"
#include "mheap/testing/checked_replay.h"
#include "mheap/testing/fuzz_trace_decoder.h"
#include "runtime_port/base/check.h"
#include "runtime_port/base/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace thp;
  AbortOnFailedCheck();  // a failed check aborts, so libFuzzer keeps the input
  if (size == 0) return 0;
  static const auto* const configs =
      new std::vector<std::pair<HeapKind, std::string>>(CheckedReplayConfigs());
  const auto& [heap, variant] = (*configs)[data[0] % configs->size()];
  const std::vector<TraceEvent> events =
      DecodeFuzzTrace(data + 1, size - 1, kCheckedReplayGomaxprocs);
  // The decoder writes only valid traces, and the text reads back as the
  // same events.
  const std::string text = TraceText(events, events.size());
  absl::StatusOr<std::vector<TraceEvent>> parsed = ParseTrace(text);
  THP_CHECK(parsed.ok(), "a decoded trace does not parse: " + parsed.status().ToString());
  THP_CHECK(TraceText(*parsed, parsed->size()) == text, "a decoded trace reads back differently");
  ReplayChecked(events, heap, variant);
  return 0;
}
