// Residency model of the simulated kernel: one entry per 2 MiB region (one
// PMD) that has page-table state, never the memory itself.
//
// A region is absent (pmd_none: no page table), a PTE table with a bitmap of
// the 512 present 4 KiB pages, or a PMD-mapped huge page (all 512 present).
// Rules, as Linux 6.18 behaves on this project's machines (checked by the
// differential test):
//  - A write fault in an absent region allocates a huge page when the region
//    lies wholly inside a THP-eligible VMA; otherwise a PTE table.
//  - Zapping (DONTNEED) part of a huge page splits it into PTEs first; zapping
//    a whole region in one call frees its table (CONFIG_PT_RECLAIM).
//  - A VMA boundary placed inside a huge region splits it (residency stays).
//  - munmap frees the tables of regions no VMA overlaps any more.
#ifndef THP_RUNTIME_PORT_KERNEL_SIM_PAGE_TABLES_H_
#define THP_RUNTIME_PORT_KERNEL_SIM_PAGE_TABLES_H_

#include <bitset>
#include <cstdint>

#include "absl/container/btree_map.h"
#include "runtime_port/kernel/kernel.h"

namespace thp {

class SimPageTables {
 public:
  static constexpr int kPagesPerRegion = kHugePageSize / kOsPageSize;  // 512

  enum class State : uint8_t { kAbsent, kPte, kHuge };

  State StateOf(uintptr_t region_base) const;
  // Present 4 KiB pages of the region (0..512).
  int PresentPages(uintptr_t region_base) const;

  // A write fault at `page` (4 KiB aligned). `huge_eligible` says whether an
  // absent region may get a huge page.
  void Fault(uintptr_t page, bool huge_eligible);
  // Clears the pages of [lo, hi), splitting huge pages it cuts into; frees a
  // region's table when [lo, hi) covers that whole region and `reclaim`.
  void Zap(uintptr_t lo, uintptr_t hi, bool reclaim);
  // A VMA boundary now lies at `addr`: a huge page around it becomes PTEs.
  void SplitHugeAt(uintptr_t addr);
  // Forgets the table of the region (munmap's free_pgtables).
  void FreeTable(uintptr_t region_base);
  // Turns a PTE region with present pages into a huge page (collapse).
  void MakeHuge(uintptr_t region_base);

  // Present bytes of exactly [lo, hi).
  uint64_t ResidentBytes(uintptr_t lo, uintptr_t hi) const;
  // Bytes of huge pages whose region lies within [lo, hi).
  uint64_t HugeBytesWithin(uintptr_t lo, uintptr_t hi) const;

  size_t RegionCount() const { return regions_.size(); }

 private:
  struct Region {
    bool huge = false;
    std::bitset<kPagesPerRegion> present;  // all set when huge
  };
  absl::btree_map<uintptr_t, Region> regions_;  // key: region base address
};

}  // namespace thp

#endif  // THP_RUNTIME_PORT_KERNEL_SIM_PAGE_TABLES_H_
