#include "bench/calibrate/model_event_order.h"

#include <algorithm>
#include <string>
#include <utility>
#include <variant>

#include "bench/calibrate/cycle_records.h"
#include "mheap/go15/events/event_text.h"

namespace thp {
namespace calibrate {

void ModelEventOrder::Flush() {
  // The records Add was given come in time order (the virtual clock does
  // not go back), and so do the cycles' (they do not overlap); merging the
  // two puts a cycle's records after the others of their instant, with no
  // copy of either. A clock that did go back is sorted, stably.
  const auto by_time = [](const heaplog::HeapEvent& a, const heaplog::HeapEvent& b) {
    return a.time_ns < b.time_ns;
  };
  if (!std::is_sorted(pending_.begin(), pending_.end(), by_time)) {
    std::stable_sort(pending_.begin(), pending_.end(), by_time);
  }
  if (!std::is_sorted(cycles_.begin(), cycles_.end(), by_time)) {
    std::stable_sort(cycles_.begin(), cycles_.end(), by_time);
  }
  auto c = cycles_.begin();
  for (const heaplog::HeapEvent& e : pending_) {
    for (; c != cycles_.end() && c->time_ns < e.time_ns; ++c) sink_(benchmarks_ - 1, *c);
    sink_(benchmarks_ - 1, e);
  }
  for (; c != cycles_.end(); ++c) sink_(benchmarks_ - 1, *c);
  pending_.clear();
  cycles_.clear();
}

void ModelEventOrder::StartBenchmark(int64_t now_ns, absl::string_view name, int procs) {
  if (benchmarks_ > 0) Flush();
  ++benchmarks_;
  heaplog::BenchStart b;
  b.procs = static_cast<uint64_t>(procs);
  b.name = std::string(name);
  Add(now_ns, b);
}

void ModelEventOrder::Add(int64_t now_ns, const heaplog::EventBody& body) {
  if (benchmarks_ == 0 || (keep_ && !std::holds_alternative<heaplog::BenchStart>(body) &&
                           !keep_(body))) {
    return;
  }
  heaplog::HeapEvent e;
  e.time_ns = now_ns;
  e.body = body;
  pending_.push_back(std::move(e));
}

void ModelEventOrder::AddCycle(const GcCycle& c) {
  if (benchmarks_ == 0) return;
  for (const heaplog::HeapEvent& e : CycleRecords(c)) {
    if (!keep_ || keep_(e.body)) cycles_.push_back(e);
  }
}

void ModelEventText::Write(const heaplog::HeapEvent& e) {
  const std::string line = heaplog::FormatEvent(e, heaplog::TimeFormat::kAbsolute);
  if (std::fprintf(out_, "%s\n", line.c_str()) < 0) ok_ = false;
}

bool ModelEventText::Finish() {
  if (std::fflush(out_) != 0) ok_ = false;
  return ok_;
}

}  // namespace calibrate
}  // namespace thp
