#include "mheap/go15/testing/checked_replay.h"

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "absl/strings/str_format.h"
#include "bench/workloads/trace_replayer.h"
#include "mheap/go15/testing/page_model_observer.h"
#include "runtime_port/base/check.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {

std::string TraceText(const std::vector<TraceEvent>& events, size_t n) {
  std::string text = "thp-trace 1\n";
  for (size_t i = 0; i < n && i < events.size(); ++i) {
    text += FormatTraceEvent(events[i]);
    text += '\n';
  }
  return text;
}

std::string ReplayChecked(const std::vector<TraceEvent>& events, const std::string& variant) {
  size_t reached = 0;  // events[0, reached) reached the runtime, the failing one included
  ScopedThrowHook print_trace([&](absl::string_view) {
    absl::FPrintF(stderr,
                  "# The trace up to the event that failed (variant %s, GOMAXPROCS %d); keep it\n"
                  "# as testdata/traces/regress_<name>.trace (mheap/go15/mheap_fuzz.cc).\n%s",
                  variant, kCheckedReplayGomaxprocs, TraceText(events, reached));
    std::fflush(stderr);
    std::abort();  // libFuzzer keeps the input; a test fails
  });
  SimulatedKernel sim;
  RuntimeOptions options;
  options.variant = variant;
  options.gomaxprocs = kCheckedReplayGomaxprocs;
  options.touch_memory = true;  // the kernel's residency and huge pages are checked too
  absl::StatusOr<std::unique_ptr<TraceReplayer>> r =
      TraceReplayer::Create(sim, options, /*scavenge_debug=*/false, /*gctrace=*/nullptr);
  THP_CHECK(r.ok(), r.status().ToString());
  TraceReplayer& replayer = **r;
  MHeap& heap = replayer.runtime().heap();
  PageModelObserver model(heap);
  heap.set_observer(&model);
  auto check = [&] {
    heap.CheckInvariants(/*deep=*/true);
    sim.CheckInvariants();
    const std::string err = model.Check(heap);
    THP_CHECK(err.empty(), "reference page model: " + err);
  };
  check();
  for (size_t i = 0; i < events.size();) {
    const TraceEvent& e = events[i];
    absl::Status st;
    if (e.kind == TraceEvent::kBench) {
      reached = ++i;
      continue;
    }
    if (e.kind == TraceEvent::kLoop) {
      size_t end = i + 1;
      while (end < events.size() && events[end].kind != TraceEvent::kEnd) ++end;
      THP_CHECK(end < events.size(), "a loop without its end");
      reached = end + 1;
      const std::vector<TraceEvent> body(events.begin() + i + 1, events.begin() + end);
      st = replayer.ApplyLoop(body, static_cast<int64_t>(e.id), e.ns, e.no_safe_point);
      i = end + 1;
    } else {
      reached = ++i;
      st = replayer.Apply(e);
    }
    THP_CHECK(st.ok(), "the replayer refused an event: " + st.ToString());
    check();
  }
  heap.set_observer(nullptr);
  return absl::StrFormat("%d ns, %d GCs, %d sysmon scavenges, heap_sys %d KiB, %s",
                         replayer.stats().virtual_ns, heap.stats().numgc,
                         replayer.sysmon().scavenges(), heap.stats().heap_sys >> 10,
                         replayer.runtime().mem().counters().Summary());
}

}  // namespace thp
