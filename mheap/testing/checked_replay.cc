#include "mheap/testing/checked_replay.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>

#include "absl/strings/str_format.h"
#include "bench/workloads/trace_replayer.h"
#include "mheap/heap_runtime/go121_heap_runtime.h"
#include "mheap/go15/testing/page_model_observer.h"
#include "runtime_port/base/check.h"
#include "runtime_port/kernel/sim_kernel.h"
#include "runtime_port/mem_linux/huge_page_policy.h"

namespace thp {

std::string TraceText(const std::vector<TraceEvent>& events, size_t n) {
  std::string text = "thp-trace 1\n";
  for (size_t i = 0; i < n && i < events.size(); ++i) {
    text += FormatTraceEvent(events[i]);
    text += '\n';
  }
  return text;
}

std::vector<std::string> CheckedReplayVariants(HeapKind heap) {
  std::vector<std::string> names = HugePagePolicyNames();
  if (heap == HeapKind::kGo121) {
    names.erase(std::remove(names.begin(), names.end(), "fixed_batched"), names.end());
  }
  return names;
}

std::vector<std::pair<HeapKind, std::string>> CheckedReplayConfigs() {
  std::vector<std::pair<HeapKind, std::string>> configs;
  for (HeapKind heap : {HeapKind::kGo15, HeapKind::kGo121}) {
    for (std::string& v : CheckedReplayVariants(heap)) configs.emplace_back(heap, std::move(v));
  }
  return configs;
}

std::string ReplayChecked(const std::vector<TraceEvent>& events, HeapKind heap,
                          const std::string& variant) {
  size_t reached = 0;  // events[0, reached) reached the runtime, the failing one included
  ScopedThrowHook print_trace([&](absl::string_view) {
    absl::FPrintF(stderr,
                  "# The trace up to the event that failed (heap %s, variant %s, GOMAXPROCS %d);\n"
                  "# keep it as testdata/traces/regress_<name>.trace (mheap/testing/mheap_fuzz.cc).\n"
                  "%s",
                  HeapKindName(heap), variant, kCheckedReplayGomaxprocs,
                  TraceText(events, reached));
    std::fflush(stderr);
    std::abort();  // libFuzzer keeps the input; a test fails
  });
  SimulatedKernel sim;
  RuntimeOptions options;
  options.variant = variant;
  options.gomaxprocs = kCheckedReplayGomaxprocs;
  options.touch_memory = true;  // the kernel's residency and huge pages are checked too
  absl::StatusOr<std::unique_ptr<TraceReplayer>> r = TraceReplayer::Create(
      sim, options, /*scavenge_debug=*/false, /*gctrace=*/nullptr, /*vma_census=*/true, heap);
  THP_CHECK(r.ok(), r.status().ToString());
  TraceReplayer& replayer = **r;
  std::function<void()> check_heap;
  std::unique_ptr<PageModelObserver> model;
  if (heap == HeapKind::kGo15) {
    MHeap& h = replayer.runtime().heap();
    model = std::make_unique<PageModelObserver>(h);
    h.set_observer(model.get());
    check_heap = [&h, &model] {
      h.CheckInvariants(/*deep=*/true);
      const std::string err = model->Check(h);
      THP_CHECK(err.empty(), "reference page model: " + err);
    };
  } else {
    const go121::MHeap& h =
        static_cast<Go121HeapRuntime&>(replayer.heap_runtime()).runtime().heap();
    check_heap = [&h] { h.CheckInvariants(); };
  }
  auto check = [&] {
    check_heap();
    sim.CheckInvariants();
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
      st = replayer.ApplyLoop(body, static_cast<int64_t>(e.id), e.ns,
                              LoopOptionsOf(e));
      i = end + 1;
    } else {
      reached = ++i;
      st = replayer.Apply(e);
    }
    THP_CHECK(st.ok(), "the replayer refused an event: " + st.ToString());
    check();
  }
  if (heap == HeapKind::kGo15) replayer.runtime().heap().set_observer(nullptr);
  const HeapFigures f = replayer.heap_runtime().Figures();
  return absl::StrFormat("%d ns, %d GCs, %d scavenger passes, heap_sys %d KiB, %s",
                         replayer.stats().virtual_ns, f.gc_cycles, f.scavenge_passes,
                         f.heap_sys >> 10, replayer.heap_runtime().counters().Summary());
}

}  // namespace thp
