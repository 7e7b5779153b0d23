#include "bench/calibrate/recorded_runs.h"

#include <algorithm>
#include <variant>

namespace thp {
namespace calibrate {

void RecordedRunTimer::Close(int64_t duration_ns) {
  const double n = static_cast<double>(std::max<int64_t>(n_, 1));
  runs_.push_back(RecordedRun{n_, static_cast<double>(std::max<int64_t>(duration_ns, 1)) / n,
                              /*wall=*/true});
  open_ = false;
}

int64_t RecordedRunTimer::RunStart() const { return loop_started_ ? loop_start_ns_ : run_start_ns_; }

void RecordedRunTimer::Observe(const heaplog::HeapEvent& e) {
  if (const auto* r = std::get_if<heaplog::BenchRun>(&e.body)) {
    if (open_) Close(e.time_ns - RunStart());
    open_ = true;
    n_ = static_cast<int64_t>(r->n);
    run_start_ns_ = e.time_ns;
    forced_started_ = false;
    loop_started_ = false;
    return;
  }
  if (!open_) return;
  if (const auto* g = std::get_if<heaplog::GcStart>(&e.body)) {
    if (g->mode == heaplog::GcMode::kForceBlock) forced_started_ = true;
  } else if (std::holds_alternative<heaplog::GcDone>(e.body)) {
    if (forced_started_ && !loop_started_) {
      loop_started_ = true;
      loop_start_ns_ = e.time_ns;
    }
  } else if (const auto* end = std::get_if<heaplog::BenchEnd>(&e.body)) {
    n_ = static_cast<int64_t>(end->n);
    Close(e.time_ns - RunStart());
  }
}

}  // namespace calibrate
}  // namespace thp
