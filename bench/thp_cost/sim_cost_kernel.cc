#include "bench/thp_cost/sim_cost_kernel.h"

#include <algorithm>
#include <vector>


namespace thp {

uint64_t SimCostKernel::HugeBytes(uintptr_t lo, uintptr_t hi, bool huge_only) {
  lo = lo & ~(kHugePageSize - 1);
  hi = RoundUp(hi, kHugePageSize);
  if (!huge_only) return sim_.HugeBytesWithin(lo, hi);
  uint64_t n = 0;
  for (const Vma& v : sim_.Vmas(lo, hi)) {
    if (v.huge != HugeFlag::kHuge) continue;
    n += sim_.HugeBytesWithin(std::max(lo, v.start), std::min(hi, v.end));
  }
  return n;
}

void SimCostKernel::TakeHugePage(bool may_stall) {
  if (free_huge_ > 0) {
    --free_huge_;
    return;
  }
  if (!may_stall) return;
  ++stalls_;
  charged_ns_ += model_.stall_ns;
}

int SimCostKernel::Madvise(uintptr_t addr, uintptr_t len, Advice advice) {
  if (advice != Advice::kCollapse && advice != Advice::kTryCollapse) {
    return inner_.Madvise(addr, len, advice);
  }
  const uint64_t before = HugeBytes(addr, addr + len, /*huge_only=*/false);
  const int err = inner_.Madvise(addr, len, advice);
  const uint64_t after = HugeBytes(addr, addr + len, /*huge_only=*/false);
  const int64_t regions = after > before ? static_cast<int64_t>((after - before) / kHugePageSize) : 0;
  for (int64_t i = 0; i < regions; ++i) {
    ++collapsed_;
    charged_ns_ += model_.collapse_ns;
    TakeHugePage(/*may_stall=*/advice == Advice::kCollapse);
  }
  return err;
}

int SimCostKernel::Touch(uintptr_t addr, uintptr_t len) {
  const uint64_t before = HugeBytes(addr, addr + len, /*huge_only=*/true);
  const int err = inner_.Touch(addr, len);
  const uint64_t after = HugeBytes(addr, addr + len, /*huge_only=*/true);
  const int64_t faults = after > before ? static_cast<int64_t>((after - before) / kHugePageSize) : 0;
  for (int64_t i = 0; i < faults; ++i) {
    ++huge_faults_;
    TakeHugePage(/*may_stall=*/true);
  }
  return err;
}

}  // namespace thp
