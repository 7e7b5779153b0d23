// The real kernel behind the Kernel seam: mmap/munmap/madvise/mincore system
// calls on this process, read-back from /proc/self/maps and /proc/self/smaps.
//
// Touch uses MADV_POPULATE_WRITE (Linux 5.14+), which takes the same fault
// path as a store to each page but returns an errno for a bad range instead of
// raising SIGSEGV.
//
// MadviseBatch uses process_madvise(2) on a pidfd of this process
// (pidfd_open, Linux 5.3; any advice for the caller itself since Linux 6.13).
// Whether the kernel takes an advice that way is probed once per process
// with an empty iovec (a kernel before 6.13 refuses DONTNEED with EINVAL
// before looking at the vector; before 5.10 the call is ENOSYS); a refused
// advice falls back to one madvise per range. The pidfd is opened on first
// use and dropped in a forked child, whose inherited one names the parent.
// Neither the probe nor pidfd_open is counted in BatchResult::syscalls.
#ifndef THP_RUNTIME_PORT_KERNEL_LINUX_KERNEL_H_
#define THP_RUNTIME_PORT_KERNEL_LINUX_KERNEL_H_

#include <string>

#include <optional>

#include "absl/status/statusor.h"
#include "runtime_port/kernel/kernel.h"

namespace thp {

class LinuxKernel final : public Kernel {
 public:
  absl::string_view Name() const override { return "linux"; }
  bool Supports(Advice advice) const override;

  MmapResult Mmap(uintptr_t hint, uintptr_t len, Prot prot, uint32_t flags) override;
  int Munmap(uintptr_t addr, uintptr_t len) override;
  int Madvise(uintptr_t addr, uintptr_t len, Advice advice) override;
  int Touch(uintptr_t addr, uintptr_t len) override;
  bool RangeUnmapped(uintptr_t addr, uintptr_t len) override;

  std::vector<Vma> Vmas(uintptr_t lo, uintptr_t hi) override;
  int64_t MapCount() override;
  // Resident bytes of exactly [lo, hi) and the AnonHugePages of every
  // anonymous VMA overlapping it, as /proc/self/smaps counts them. Read by
  // ResidencyByScan where the kernel has its ioctls (Linux 6.11+), else by
  // ResidencyBySmaps; the two agree (linux_kernel_test) and differ in cost:
  // smaps formats and walks every VMA of the process, the ioctls only the
  // range's.
  Residency ResidencyOf(uintptr_t lo, uintptr_t hi) override;
  // /proc/self/smaps for the huge pages, mincore(2) for the resident pages.
  Residency ResidencyBySmaps(uintptr_t lo, uintptr_t hi);
  // PROCMAP_QUERY on /proc/self/maps finds the VMAs overlapping [lo, hi);
  // PAGEMAP_SCAN on /proc/self/pagemap reports their present pages and
  // PMD-mapped huge pages (PAGE_IS_HUGE without PAGE_IS_PFNZERO: the huge
  // zero page is not AnonHugePages). nullopt if the kernel lacks either
  // ioctl (from then on), or for a range not in whole 4 KiB pages.
  std::optional<Residency> ResidencyByScan(uintptr_t lo, uintptr_t hi);
  // mincore(2) over the range; a range with an unmapped hole (mincore's
  // ENOMEM) falls back to ResidencyOf, which skips holes.
  uint64_t ResidentBytes(uintptr_t lo, uintptr_t hi) override;
  // One pass over /proc/self/maps through a fixed buffer (no allocation).
  VmaTally TallyVmas(const std::vector<AddressRange>& ranges) override;
  BatchResult MadviseBatch(const std::vector<AddressRange>& ranges, Advice advice) override;
  ~LinuxKernel() override;

 private:
  // /proc/self/maps and /proc/self/pagemap, opened at the first scan; -1
  // until then, or for good once an ioctl was refused.
  int maps_fd_ = -1;
  int pagemap_fd_ = -1;
  bool scan_unsupported_ = false;
};

// The system's /sys/kernel/mm/transparent_hugepage/enabled setting (read
// only; nothing in this project writes /sys).
absl::StatusOr<ThpMode> ReadThpMode();

// vm.max_map_count of this machine.
absl::StatusOr<int64_t> ReadMaxMapCount();

}  // namespace thp

#endif  // THP_RUNTIME_PORT_KERNEL_LINUX_KERNEL_H_
