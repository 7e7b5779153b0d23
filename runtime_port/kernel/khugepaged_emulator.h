// An emulation of khugepaged with transparent_hugepage/enabled=always, for
// measuring the RSS bloat of Go issue 8832 without touching /sys: tests and
// tools never change the machine's THP settings (this machine runs
// "madvise", under which the real khugepaged ignores the runtime's heap).
//
// The kernel behaviour it mirrors (mm/khugepaged.c: hpage_collapse_scan_pmd,
// called khugepaged_scan_pmd in older kernels, with the defaults that
// khugepaged_init sets): khugepaged walks the mms registered with it; for each
// PMD-aligned 2 MiB region lying wholly inside one THP-eligible VMA it counts
// the PTEs that are none (or map the zero page) and, when that count is at
// most max_ptes_none (default HPAGE_PMD_NR - 1 = 511), copies the region into
// a freshly allocated huge page. Absent pages become zero-filled and
// resident, so one present 4 KiB page can become 2 MiB of RSS: the bloat of
// issue 8832 (kernel bugzilla 93111), which MADV_DONTNEED alone cannot
// prevent.
//
// The rule, applied by Scan() to every 2 MiB-aligned region wholly inside the
// ranges it is given, in address order. A region is collapsed iff:
//   1. no VMA overlapping it is VM_NOHUGEPAGE (not even partly: the flag Go
//      1.5's sysUnused sets), and
//   2. exactly one VMA covers all of it (no VMA boundary, no hole inside),
//      that VMA is read-write (private anonymous: all the runtime maps), and
//      its flag is none or VM_HUGEPAGE (both are eligible in "always" mode),
//      and
//   3. it has at least one present page, not all 512 are present, and the
//      absent ones number at most max_ptes_none.
// Regions with all 512 pages present are left alone: khugepaged would
// collapse a PTE-mapped one too, but that changes AnonHugePages, not RSS,
// and on the real kernel a region already PMD-mapped cannot be told from one
// mapped by 512 PTEs without root (pagemap has no THP bit), so advising them
// would mix no-op calls into the collapse latencies.
//
// The rule is evaluated here, through the Kernel seam (Vmas, ResidentBytes),
// so it is the same on both kernels; only the collapse differs:
//  - real kernel: madvise(MADV_COLLAPSE) on the region (Linux 6.1+). It
//    ignores the sysfs settings, max_ptes_none included, and respects
//    VM_NOHUGEPAGE; rule 3's threshold is therefore applied by the emulator
//    before the call, not by the kernel.
//  - simulated kernel: the same advice on the sim's page tables, or, for a
//    profile without MADV_COLLAPSE (linux2015), SimulatedKernel::CollapseRegion
//    passed in as the collapser.
// A collapse counts as done when the region reads back fully resident.
//
// Not modelled: khugepaged's pacing (pages_to_scan = 4096 per
// scan_sleep_millisecs = 10 s, so 8 regions every 10 s): Scan() does a full
// pass at once, i.e. it shows the state the real daemon creeps towards (8832's
// RSS took minutes to climb back). Its requirement that some page be young
// or referenced (the scan's SCAN_LACK_REFERENCED_PAGE outcome; the exact
// condition varies by kernel version): pages the workload wrote and nothing
// reclaimed count as referenced. max_ptes_swap and
// max_ptes_shared: the heap is private and nothing is swapped. Allocation
// failure of the huge page: the real kernel reports it as an errno, the sim
// never fails.
#ifndef THP_RUNTIME_PORT_KERNEL_KHUGEPAGED_EMULATOR_H_
#define THP_RUNTIME_PORT_KERNEL_KHUGEPAGED_EMULATOR_H_

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runtime_port/kernel/kernel.h"

namespace thp {

// PTEs per PMD on x86-64 (HPAGE_PMD_NR) and khugepaged's default
// max_ptes_none (HPAGE_PMD_NR - 1).
inline constexpr int kPtesPerPmd = static_cast<int>(kHugePageSize / kOsPageSize);
inline constexpr int kDefaultMaxPtesNone = kPtesPerPmd - 1;

// What Scan() decided for one region, in the order the rule tests them.
enum class RegionVerdict : uint8_t {
  kNoHugePage,      // rule 1: a VMA over it is VM_NOHUGEPAGE
  kNotInOneVma,     // rule 2: a VMA boundary or a hole inside it
  kNotWritable,     // rule 2: inside one VMA that is not read-write
  kEmpty,           // rule 3: no present page
  kFull,            // rule 3: all 512 pages present already
  kTooSparse,       // rule 3: more than max_ptes_none pages absent
  kCollapsed,       // collapsed: now one resident huge page
  kCollapseFailed,  // eligible, but the kernel did not collapse it (see err)
};
inline constexpr int kNumRegionVerdicts = 8;
absl::string_view RegionVerdictName(RegionVerdict v);  // "nohugepage", "collapsed", ...

struct RegionScan {
  uintptr_t base = 0;
  RegionVerdict verdict = RegionVerdict::kEmpty;
  // Present 4 KiB pages before the scan (-1: not read, rules 1-2 decided).
  int present = -1;
  int err = 0;  // the collapser's errno (kCollapsed, kCollapseFailed)
};

struct KhugepagedOptions {
  int max_ptes_none = kDefaultMaxPtesNone;  // 0..511
  // Collapses one eligible 2 MiB region, returning an errno. Empty:
  // madvise(region, 2 MiB, MADV_COLLAPSE) on the kernel.
  std::function<int(uintptr_t region)> collapse;
  // A monotonic wall clock in ns to time each collapse with; empty: not
  // timed (the simulated kernel's collapses take no time worth reporting).
  std::function<int64_t()> wall_ns;
};

struct KhugepagedTotals {
  int64_t scans = 0;
  std::array<int64_t, kNumRegionVerdicts> verdicts{};  // by RegionVerdict, all scans
  uint64_t bytes_added = 0;     // resident bytes the collapses added
  std::vector<int64_t> collapse_ns;  // each collapser call, when timed
  absl::btree_map<int, int64_t> collapse_errors;  // errno -> calls
  int64_t count(RegionVerdict v) const { return verdicts[static_cast<size_t>(v)]; }
};

class KhugepagedEmulator {
 public:
  // An InvalidArgument error naming max_ptes_none if it is outside 0..511,
  // or if no collapser is given and the kernel has no MADV_COLLAPSE.
  static absl::StatusOr<KhugepagedEmulator> Create(Kernel& kernel, KhugepagedOptions options);

  // One full pass over the 2 MiB regions wholly inside `ranges` (sorted,
  // disjoint), collapsing those the rule selects. Returns every region's
  // verdict in address order.
  std::vector<RegionScan> Scan(const std::vector<AddressRange>& ranges);

  const KhugepagedTotals& totals() const { return totals_; }
  const KhugepagedOptions& options() const { return options_; }

 private:
  KhugepagedEmulator(Kernel& kernel, KhugepagedOptions options)
      : kernel_(&kernel), options_(std::move(options)) {}
  RegionScan ScanRegion(uintptr_t r, const std::vector<Vma>& vmas, size_t* first);

  Kernel* kernel_;
  KhugepagedOptions options_;
  KhugepagedTotals totals_;
};

}  // namespace thp

#endif  // THP_RUNTIME_PORT_KERNEL_KHUGEPAGED_EMULATOR_H_
