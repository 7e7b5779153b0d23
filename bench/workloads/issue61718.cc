#include "bench/workloads/issue61718.h"

namespace thp {
namespace {

constexpr uint64_t kSizes[] = {3072, 24576, 65536, 262144};
constexpr int64_t kWorkNs = 100000;  // 100 us of mutator work ...
constexpr int kWorkEvery = 64;       // ... every 64 objects
constexpr int64_t kEndNs = 50 * 1000 * 1000;

}  // namespace

std::vector<WorkloadPhase> GrowingHeapWorkload(const GrowingHeapOptions& o) {
  const int ps = o.ps < 1 ? 1 : o.ps;
  const uint64_t target = static_cast<uint64_t>(o.mib) << 20;
  std::vector<TraceEvent> grow;
  uint64_t bytes = 0;
  for (uint64_t k = 0; bytes < target; ++k) {
    TraceEvent e{};
    e.kind = TraceEvent::kAlloc;
    e.id = k + 1;
    e.bytes = kSizes[k % 4];
    e.noscan = k % 2 == 0;
    e.p = static_cast<int>(k % static_cast<uint64_t>(ps));
    grow.push_back(e);
    bytes += e.bytes;
    if (k % kWorkEvery == kWorkEvery - 1) {
      TraceEvent t{};
      t.kind = TraceEvent::kCompute;
      t.ns = kWorkNs;
      grow.push_back(t);
    }
  }
  TraceEvent idle{};
  idle.kind = TraceEvent::kSleep;
  idle.ns = kEndNs;
  return {WorkloadPhase{"grow", std::move(grow)}, WorkloadPhase{"end", {idle}}};
}

}  // namespace thp
