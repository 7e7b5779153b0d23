#include "bench/calibrate/model_event_order.h"

#include <algorithm>
#include <string>
#include <utility>

#include "bench/calibrate/cycle_records.h"
#include "mheap/go15/events/event_text.h"

namespace thp {
namespace calibrate {

void ModelEventOrder::Flush() {
  // Cycle records were added after the heap records of their instants, so
  // a stable sort by time puts them after those.
  std::stable_sort(pending_.begin(), pending_.end(),
                   [](const heaplog::HeapEvent& a, const heaplog::HeapEvent& b) {
                     return a.time_ns < b.time_ns;
                   });
  for (const heaplog::HeapEvent& e : pending_) sink_(benchmarks_ - 1, e);
  pending_.clear();
}

void ModelEventOrder::StartBenchmark(int64_t now_ns, absl::string_view name, int procs) {
  if (benchmarks_ > 0) Flush();
  pending_.clear();
  ++benchmarks_;
  heaplog::BenchStart b;
  b.procs = static_cast<uint64_t>(procs);
  b.name = std::string(name);
  Add(now_ns, b);
}

void ModelEventOrder::Add(int64_t now_ns, const heaplog::EventBody& body) {
  if (benchmarks_ == 0) return;
  heaplog::HeapEvent e;
  e.time_ns = now_ns;
  e.body = body;
  pending_.push_back(std::move(e));
}

void ModelEventOrder::AddCycle(const GcCycle& c) {
  for (const heaplog::HeapEvent& e : CycleRecords(c)) Add(e.time_ns, e.body);
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
