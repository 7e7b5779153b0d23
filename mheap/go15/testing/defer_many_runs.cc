#include "mheap/go15/testing/defer_many_runs.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <variant>

#include "mheap/go15/events/heap_event.h"
#include "mheap/go15/events/heap_event_log.h"

namespace thp {

absl::StatusOr<std::vector<DeferManyRun>> RecordedDeferManyRuns(const std::string& path) {
  std::vector<DeferManyRun> runs;
  bool in_defer_many = false;
  std::optional<DeferManyRun> run;  // the run being read, once it allocated
  uint64_t run_n = 0;
  bool background = false;
  std::optional<int64_t> mark_term;  // of the cycle in flight, after the loop's end
  auto close_run = [&](int64_t t) {
    if (in_defer_many && run.has_value() && run->n >= 1000000) {
      run->end_ns = t;
      runs.push_back(*run);
    }
    run.reset();
    run_n = 0;  // allocations until the next bench_run belong to no run
    mark_term.reset();
  };
  const absl::Status st = heaplog::ForEachHeapEvent(path, [&](const heaplog::HeapEvent& e) {
    if (const auto* b = std::get_if<heaplog::BenchStart>(&e.body)) {
      close_run(e.time_ns);
      in_defer_many = b->BaseName() == "BenchmarkDeferMany";
    } else if (const auto* r = std::get_if<heaplog::BenchRun>(&e.body)) {
      close_run(e.time_ns);
      run_n = r->n;
    } else if (std::get_if<heaplog::BenchEnd>(&e.body) != nullptr) {
      close_run(e.time_ns);
    } else if (std::get_if<heaplog::Alloc>(&e.body) != nullptr) {
      // A later allocation: the loop had not ended yet.
      run = DeferManyRun{};
      run->n = run_n;
      run->loop_end_ns = e.time_ns;
      mark_term.reset();
    } else if (const auto* g = std::get_if<heaplog::GcStart>(&e.body)) {
      background = g->mode == heaplog::GcMode::kBackground;
      mark_term.reset();
    } else if (std::get_if<heaplog::GcMarkTerm>(&e.body) != nullptr) {
      if (run.has_value()) {
        mark_term = e.time_ns;
        if (run->first_mark_term_ns < 0) run->first_mark_term_ns = e.time_ns;
      }
    } else if (std::get_if<heaplog::GcDone>(&e.body) != nullptr) {
      if (run.has_value() && mark_term.has_value()) {
        const int64_t stop = e.time_ns - *mark_term;
        if (*mark_term == run->first_mark_term_ns) run->first_stop_ns = stop;
        if (background) run->stopped_ns += stop;
      }
      mark_term.reset();
    }
  });
  if (!st.ok()) return st;
  return runs;
}

}  // namespace thp
