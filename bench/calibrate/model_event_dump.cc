#include "bench/calibrate/model_event_dump.h"

#include <algorithm>

#include "bench/calibrate/cycle_records.h"
#include "mheap/go15/events/event_text.h"

namespace thp {
namespace calibrate {

void ModelEventDump::Flush() {
  // Cycle records were added after the heap records of their instants, so
  // a stable sort by time puts them after those.
  std::stable_sort(pending_.begin(), pending_.end(),
                   [](const heaplog::HeapEvent& a, const heaplog::HeapEvent& b) {
                     return a.time_ns < b.time_ns;
                   });
  for (const heaplog::HeapEvent& e : pending_) {
    const std::string line = heaplog::FormatEvent(e, heaplog::TimeFormat::kAbsolute);
    if (std::fprintf(out_, "%s\n", line.c_str()) < 0) ok_ = false;
  }
  pending_.clear();
}

void ModelEventDump::StartBenchmark(int64_t now_ns, absl::string_view name, int procs) {
  Flush();
  heaplog::BenchStart b;
  b.procs = static_cast<uint64_t>(procs);
  b.name = std::string(name);
  Add(now_ns, b);
}

void ModelEventDump::Add(int64_t now_ns, const heaplog::EventBody& body) {
  heaplog::HeapEvent e;
  e.time_ns = now_ns;
  e.body = body;
  pending_.push_back(std::move(e));
}

void ModelEventDump::AddCycle(const GcCycle& c) {
  for (const heaplog::HeapEvent& e : CycleRecords(c)) Add(e.time_ns, e.body);
}

bool ModelEventDump::Finish() {
  Flush();
  if (std::fflush(out_) != 0) ok_ = false;
  return ok_;
}

}  // namespace calibrate
}  // namespace thp
