// Model time for bench/thp_cost on the simulated kernel, which does every
// call instantly and never runs out of huge pages. Two costs, each from a
// documented parameter, charged to a counter the workload timings read
// (they never move the virtual clock, so no runtime decision changes):
//  - a huge page the kernel must allocate (a fault in a VM_HUGEPAGE VMA that
//    got a PMD mapping: do_huge_pmd_anonymous_page; a region MADV_COLLAPSE
//    or MADV_TRY_COLLAPSE collapsed: collapse_huge_page) while no free
//    order-9 block is left costs `stall_ns`: the direct compaction and
//    reclaim that transparent_hugepage/defrag=madvise allows there (issue
//    61718 for faults, 63334 for MADV_COLLAPSE). `free_huge_pages` blocks are
//    free at the start; each allocation takes one. MADV_TRY_COLLAPSE is
//    defined not to reclaim, so it never stalls;
//  - each region MADV_COLLAPSE or MADV_TRY_COLLAPSE collapses costs
//    `collapse_ns` more (copying 512 pages into the new huge page).
// Faults that get 4 KiB pages, and every other call, cost nothing here: the
// simulated figures are these costs alone, not a model of a whole kernel.
#ifndef THP_BENCH_THP_COST_SIM_COST_KERNEL_H_
#define THP_BENCH_THP_COST_SIM_COST_KERNEL_H_

#include <cstdint>

#include "runtime_port/kernel/forwarding_kernel.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {

struct SimCostModel {
  // --sim_stall_us: an assumption, not a measurement (the machine cannot be
  // put under memory pressure without changing sysctls): 1 ms, the order of
  // the compaction stalls issue 61718's reporters saw on allocation. Every
  // stall figure scales linearly with it.
  int64_t stall_ns = 1000 * 1000;
  // --sim_collapse_us: 1.7 ms per 2 MiB, what MADV_COLLAPSE took on this
  // project's machine with 20 GiB free (thp_cost --workload=issue63334
  // --kernel=linux, Linux 6.18: 3.4 ms median per 4 MiB chunk, two regions,
  // in three runs), rounded.
  int64_t collapse_ns = 1700 * 1000;
  // --sim_free_huge_pages: 0, order-9 memory already scarce.
  int64_t free_huge_pages = 0;
};

// Wraps a SimulatedKernel; the runtime talks to this one.
class SimCostKernel final : public ForwardingKernel {
 public:
  SimCostKernel(SimulatedKernel& sim, const SimCostModel& model)
      : ForwardingKernel(sim), sim_(sim), model_(model), free_huge_(model.free_huge_pages) {}

  int Madvise(uintptr_t addr, uintptr_t len, Advice advice) override;
  int Touch(uintptr_t addr, uintptr_t len) override;

  // Model nanoseconds charged so far (monotonic).
  int64_t charged_ns() const { return charged_ns_; }
  int64_t stalls() const { return stalls_; }           // huge pages allocated while scarce
  int64_t huge_faults() const { return huge_faults_; }  // faults in VM_HUGEPAGE VMAs that got one
  int64_t collapsed() const { return collapsed_; }      // regions collapsed

 private:
  // Bytes of huge pages within [lo, hi) in VM_HUGEPAGE VMAs (huge_only) or in any.
  uint64_t HugeBytes(uintptr_t lo, uintptr_t hi, bool huge_only);
  // One order-9 allocation: a stall when none is free and `may_stall`.
  void TakeHugePage(bool may_stall);

  SimulatedKernel& sim_;
  const SimCostModel model_;
  int64_t free_huge_;
  int64_t charged_ns_ = 0;
  int64_t stalls_ = 0;
  int64_t huge_faults_ = 0;
  int64_t collapsed_ = 0;
};

}  // namespace thp

#endif  // THP_BENCH_THP_COST_SIM_COST_KERNEL_H_
