// A simulated Linux memory manager: VMAs in an ordered map plus the
// residency model of sim_page_tables.h. It never allocates the memory it
// describes, so a 128 GiB heap costs kilobytes, and it can run the
// vm.max_map_count limit at any setting.
//
// What it models (after Linux 6.x: do_mmap in mm/mmap.c; split_vma,
// vma_merge_new_range, vma_merge_existing_range and vms_gather_munmap_vmas in
// mm/vma.c; madvise_walk_vmas and vector_madvise in mm/madvise.c; checked
// against the real kernel by kernel_differential_test): private anonymous
// mappings only; VMA attributes prot, THP flag and MAP_NORESERVE (which
// decides VM_ACCOUNT); the anon_vma a VMA gets on its first fault, shared by
// the pieces split from it; merging of adjacent VMAs with equal attributes and
// compatible anon_vmas at mmap and at every flag change; the exact map_count
// comparisons of mmap (>), split (>=) and munmap's hole punch (>=); madvise's
// walk in address order with ENOMEM for holes and EAGAIN for a refused split;
// process_madvise's vector walk (ranges in order, stopping at the first
// failure, the bytes done as the result, at most kMaxIovecs ranges and
// kMaxRwCount bytes a call).
// What it does not model: file and shared mappings, mprotect, khugepaged's
// background collapses, memory pressure (every huge-page allocation succeeds).
#ifndef THP_RUNTIME_PORT_KERNEL_SIM_KERNEL_H_
#define THP_RUNTIME_PORT_KERNEL_SIM_KERNEL_H_

#include <cstdint>

#include "absl/container/btree_map.h"
#include "runtime_port/kernel/kernel.h"
#include "runtime_port/kernel/kernel_profile.h"
#include "runtime_port/kernel/sim_page_tables.h"

namespace thp {

struct SimOptions {
  KernelProfile profile = Linux6Profile();
  ThpMode thp_mode = ThpMode::kMadvise;
  // vm.max_map_count; Linux's default is 65530 (USHRT_MAX - 5).
  int64_t max_map_count = 65530;
  // VMAs the process has outside the model (text, libraries, stacks), so
  // MapCount() and the limit compare like a real process's.
  int64_t baseline_vmas = 0;
  // Kernel-chosen addresses are searched top-down below this address.
  uintptr_t mmap_base = uintptr_t{0x7f0000000000};
  uintptr_t mmap_min_addr = 0x10000;
  uintptr_t task_size = uintptr_t{0x7ffffffff000};
};

class SimulatedKernel final : public Kernel {
 public:
  explicit SimulatedKernel(SimOptions options = SimOptions());

  absl::string_view Name() const override { return "sim"; }
  bool Supports(Advice advice) const override;

  MmapResult Mmap(uintptr_t hint, uintptr_t len, Prot prot, uint32_t flags) override;
  int Munmap(uintptr_t addr, uintptr_t len) override;
  int Madvise(uintptr_t addr, uintptr_t len, Advice advice) override;
  int Touch(uintptr_t addr, uintptr_t len) override;
  bool RangeUnmapped(uintptr_t addr, uintptr_t len) override;
  BatchResult MadviseBatch(const std::vector<AddressRange>& ranges, Advice advice) override;

  std::vector<Vma> Vmas(uintptr_t lo, uintptr_t hi) override;
  int64_t MapCount() override { return options_.baseline_vmas + static_cast<int64_t>(vmas_.size()); }
  Residency ResidencyOf(uintptr_t lo, uintptr_t hi) override;
  uint64_t ResidentBytes(uintptr_t lo, uintptr_t hi) override {
    return pages_.ResidentBytes(lo, hi);
  }
  // Bytes of PMD-mapped huge pages whose 2 MiB region lies within [lo, hi):
  // unlike ResidencyOf (smaps, whole VMAs), exactly the given range.
  uint64_t HugeBytesWithin(uintptr_t lo, uintptr_t hi) const {
    return pages_.HugeBytesWithin(lo, hi);
  }

  // khugepaged's collapse of the one 2 MiB region at `region` (aligned), as
  // every profile's kernel can do it (khugepaged dates from Linux 2.6.38,
  // MADV_COLLAPSE from 6.1): the checks and effect of MADV_COLLAPSE on
  // exactly that region, for a profile without MADV_COLLAPSE. Whether the
  // region qualifies (max_ptes_none) is the caller's rule
  // (khugepaged_emulator.h). Returns an errno: EINVAL if the region is not
  // inside one VMA or MADV_COLLAPSE would refuse it.
  int CollapseRegion(uintptr_t region);

  const SimOptions& options() const { return options_; }
  void set_max_map_count(int64_t n) { options_.max_map_count = n; }
  void set_baseline_vmas(int64_t n) { options_.baseline_vmas = n; }

  // Recomputes what the model promises (VMAs disjoint, ordered, non-empty,
  // page-aligned) and dies with a named message if not.
  void CheckInvariants() const;

 private:
  struct VmaState {
    uintptr_t end = 0;
    Prot prot = Prot::kNone;
    HugeFlag huge = HugeFlag::kNone;
    bool noreserve = false;
    uint64_t anon = 0;  // anon_vma identity; 0 = none yet
  };
  using Map = absl::btree_map<uintptr_t, VmaState>;

  static bool SameAttrs(const VmaState& a, const VmaState& b) {
    return a.prot == b.prot && a.huge == b.huge && a.noreserve == b.noreserve;
  }
  // Whether a VMA with anon_vma `src` may merge into neighbour `target`.
  bool AnonCompatible(uint64_t src, uint64_t target) const;

  // The VMA containing addr, or end().
  Map::iterator Find(uintptr_t addr);
  // Splits the VMA at `it` so that a VMA begins at addr (addr strictly inside)
  // and returns the tail piece. Invalidates all other iterators.
  Map::iterator SplitAt(Map::iterator it, uintptr_t addr);
  // munmap of [lo, hi) after argument checks; `check_hole` applies the
  // map_count test of a hole punch. Returns an errno.
  int UnmapRange(uintptr_t lo, uintptr_t hi);
  // Inserts a new VMA [lo, hi), merging with neighbours (vma_merge_new_range).
  void InsertNew(uintptr_t lo, uintptr_t hi, const VmaState& attrs);
  // Finds a free range for a kernel-chosen address; 0 if none.
  uintptr_t FindFreeTopDown(uintptr_t len, uintptr_t align) const;
  bool RangeFree(uintptr_t lo, uintptr_t hi) const;
  // Sets the THP flag on [lo, hi) inside the VMA at `it`; returns an errno
  // (ENOMEM when a split is refused) and the VMA now covering hi-1 or end().
  int ModifyFlag(Map::iterator it, uintptr_t lo, uintptr_t hi, HugeFlag flag);
  // One process_madvise call (see VectoredMadviseCall in kernel.h).
  int64_t VectoredMadvise(const AddressRange* ranges, size_t n, Advice advice);
  int CollapseInVma(const VmaState& vma, uintptr_t vma_start, uintptr_t lo, uintptr_t hi);
  bool HugeEligible(const VmaState& vma, uintptr_t vma_start, uintptr_t region) const;

  SimOptions options_;
  Map vmas_;
  SimPageTables pages_;
  uint64_t next_anon_ = 1;
};

}  // namespace thp

#endif  // THP_RUNTIME_PORT_KERNEL_SIM_KERNEL_H_
