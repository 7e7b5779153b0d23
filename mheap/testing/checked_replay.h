// One trace, replayed under every check a heap has: the events run through
// the TraceReplayer (bench/workloads/trace_replayer.h: the whole ported
// runtime, Go 1.5's with sysmon or Go 1.21's with its background work, on
// the virtual clock) on a SimulatedKernel, and after every event (a loop:
// after its last iteration)
//   - the heap's MHeap::CheckInvariants (Go 1.5's deep),
//   - SimulatedKernel::CheckInvariants,
//   - on the Go 1.5 heap, the reference page model (page_model.h), fed from
//     the heap's own span allocs and frees (page_model_observer.h): every
//     span handed out was free, every span given back was in use, the free
//     pages agree page by page and with heap_idle.
// A failure of any of them, an event the replayer refuses, or a Go fatal
// error prints the message and then the trace up to the event that failed,
// in the trace format, to stderr, and aborts: the printed trace is the
// regression test (save it as testdata/traces/regress_<name>.trace; the
// fuzzer's header says more). mheap_fuzz and regress_traces_test share it.
#ifndef THP_MHEAP_TESTING_CHECKED_REPLAY_H_
#define THP_MHEAP_TESTING_CHECKED_REPLAY_H_

#include <string>
#include <utility>
#include <vector>

#include "bench/workloads/trace_format.h"
#include "mheap/heap_runtime/heap_runtime.h"

namespace thp {

// GOMAXPROCS of a checked replay (a trace's P operands are below it).
inline constexpr int kCheckedReplayGomaxprocs = 4;

// The variants each heap runs (a checked replay's choices): every one on
// the Go 1.5 heap; on the Go 1.21 heap all but fixed_batched, which batches
// the Go 1.5 scavenger's passes.
std::vector<std::string> CheckedReplayVariants(HeapKind heap);
// Every (heap, variant) pair: the Go 1.5 heap's, then the Go 1.21 heap's.
std::vector<std::pair<HeapKind, std::string>> CheckedReplayConfigs();

// Replays `events` (a parsed trace: bench labels are skipped, loop ... end
// runs as a loop) on `heap` under mem_linux variant `variant`, with the
// checks above;
// returns only if every check held, with a one-line summary of what the
// run reached (virtual time, GC cycles, sysmon's scavenges, heap_sys, the
// memory layer's madvise counts) for a test to print.
std::string ReplayChecked(const std::vector<TraceEvent>& events, HeapKind heap,
                          const std::string& variant);

// The text of a trace holding events[0, n), header first, each line
// FormatTraceEvent's (ParseTrace reads it back).
std::string TraceText(const std::vector<TraceEvent>& events, size_t n);

}  // namespace thp

#endif  // THP_MHEAP_TESTING_CHECKED_REPLAY_H_
