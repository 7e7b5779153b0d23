#include "bench/workloads/go15_result_line.h"

#include "bench/workloads/go15_launch.h"
#include "runtime_port/base/check.h"

namespace thp {

std::vector<TraceEvent> Go151ResultLineEvents(int gomaxprocs) {
  THP_CHECK(gomaxprocs >= 1, "the result line needs GOMAXPROCS >= 1");
  const uint64_t sizes[] = {kAllPoolsSlotBytes, kPoolLocalBytes * static_cast<uint64_t>(gomaxprocs),
                            kFmtPpBytes};
  std::vector<TraceEvent> out;
  uint64_t id = kResultLineIdBase;
  for (uint64_t bytes : sizes) out.push_back(AllocEvent(id++, bytes, /*noscan=*/false, kLaunchP));
  for (uint64_t i = kResultLineIdBase; i < id; ++i) out.push_back(DropEvent(i));
  return out;
}

}  // namespace thp
