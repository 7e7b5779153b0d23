#include "bench/report/thp_cost_result.h"

#include "runtime_port/kernel/kernel.h"

namespace thp {

double TouchCost::NsPerSmallPage() const {
  return bytes == 0 ? 0 : static_cast<double>(total_ns) / (static_cast<double>(bytes) / kOsPageSize);
}

double TouchCost::NsPerHugePage() const {
  return bytes == 0 ? 0
                    : static_cast<double>(total_ns) / (static_cast<double>(bytes) / kHugePageSize);
}

TouchCost TouchCost::Of(const LatencyHistogram& steps, int64_t anon_huge_bytes) {
  TouchCost t;
  t.bytes = steps.count() * static_cast<int64_t>(kHugePageSize);
  t.total_ns = steps.sum_ns();
  t.p50_huge_page_ns = steps.PercentileNs(0.5);
  t.max_huge_page_ns = steps.max_ns();
  t.anon_huge_bytes = anon_huge_bytes;
  return t;
}

}  // namespace thp
