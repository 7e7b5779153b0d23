// Behaviour profiles of the simulated kernel: which Linux era it imitates.
//
//  linux6    What this project's machines run (Linux 6.x): MADV_HUGEPAGE /
//            MADV_NOHUGEPAGE on a VMA that already has the flag is a no-op
//            returning 0; MADV_COLLAPSE exists (6.1); a VMA without an
//            anon_vma merges with any neighbour; process_madvise takes any
//            advice from a process for itself (6.13).
//  linux2015 A 2015 kernel (3.x/4.x) as Go 1.5 met it: HUGEPAGE on an already
//            VM_HUGEPAGE VMA (or NOHUGEPAGE on VM_NOHUGEPAGE) returns EINVAL
//            and stops the walk, leaving the rest of the range unchanged
//            (hugepage_madvise in mm/huge_memory.c, whose already-set check
//            Jason J. Herne's "mm: Loosen MADV_NOHUGEPAGE to enable Qemu
//            postcopy on s390", linux-mm, Nov 2015, relaxed; the sys_madvise
//            loop in mm/madvise.c stops at the first error); no
//            MADV_COLLAPSE; is_mergeable_anon_vma's 2012 form, under which a
//            faulted VMA does not merge into an unfaulted neighbour (only the
//            reverse); no process_madvise (5.10), so MadviseBatch falls back
//            to one madvise per range (ENOSYS).
// Both: a split at map_count >= max_map_count fails with ENOMEM (split_vma,
// mm/mmap.c in 2015, mm/vma.c in 6.x), which madvise reports as EAGAIN
// (mm/madvise.c: madvise_behavior in 2015, madvise_vma_behavior in 6.x).
#ifndef THP_RUNTIME_PORT_KERNEL_KERNEL_PROFILE_H_
#define THP_RUNTIME_PORT_KERNEL_KERNEL_PROFILE_H_

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace thp {

struct KernelProfile {
  std::string name;
  // HUGEPAGE/NOHUGEPAGE on a VMA already carrying that flag: EINVAL, walk stops.
  bool reflag_is_einval = false;
  // MADV_COLLAPSE (and the simulated MADV_TRY_COLLAPSE) are known advices.
  bool has_collapse = true;
  // anon_vma compatibility for merges: true = the 2012..2015 asymmetric rule.
  bool anon_merge_2015 = false;
  // process_madvise(2) on the process itself with any advice (Linux 6.13+);
  // false: the call is ENOSYS.
  bool process_madvise_self = true;
};

KernelProfile Linux6Profile();
KernelProfile Linux2015Profile();

// "linux6" or "linux2015"; anything else is an InvalidArgument error that
// names the value and the accepted ones.
absl::StatusOr<KernelProfile> KernelProfileByName(absl::string_view name);

}  // namespace thp

#endif  // THP_RUNTIME_PORT_KERNEL_KERNEL_PROFILE_H_
