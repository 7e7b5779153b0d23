#include "bench/workloads/go15_new_ms.h"

namespace thp {

const std::vector<RecordedNewM>& Go151NewMs() {
  // tools/go151/new_ms.py on testdata/go151_heaplog/prefix.hlog.xz.
  static const std::vector<RecordedNewM>* const kMs = new std::vector<RecordedNewM>{
      // 4.9 us after the cycle's gc_start; stack pages 67 30
      {"BenchmarkAppend", 1, /*at_cycle_end=*/false},
      // 4.9 us after the cycle's gc_done; stack pages 819 823 (M 1 of 2)
      {"BenchmarkAppendGrowByte", 1, /*at_cycle_end=*/true},
      // 4.9 us after the cycle's gc_done; stack pages 819 823 (M 2 of 2)
      {"BenchmarkAppendGrowByte", 1, /*at_cycle_end=*/true},
      // 287.2 us after the cycle's gc_done; stack pages 77 226
      {"BenchmarkAssertE2E2", 81, /*at_cycle_end=*/true},
  };
  return *kMs;
}

std::vector<TraceEvent> Go151NewMEvents(absl::string_view benchmark) {
  std::vector<TraceEvent> out;
  for (const RecordedNewM& m : Go151NewMs()) {
    if (m.benchmark != benchmark) continue;
    TraceEvent e{};
    e.kind = TraceEvent::kNewM;
    e.id = static_cast<uint64_t>(m.nth_background_cycle);
    e.at_cycle_end = m.at_cycle_end;
    out.push_back(e);
  }
  return out;
}

}  // namespace thp
