// The one seam between the ported runtime and the Linux kernel.
//
// Everything the Go runtime's mem_linux.go asks of the kernel (mmap, munmap,
// madvise, mincore) plus what this laboratory needs to observe (the VMAs of a
// range with their huge-page flag, the process's VMA count, resident and
// AnonHugePages bytes) goes through `Kernel`. Two implementations exist:
// LinuxKernel (real system calls, /proc read-back) and SimulatedKernel (a
// model that never allocates the memory it describes). A differential test
// holds the second to the first.
//
// Calls return errno values (0 = success) rather than Status: the runtime
// being ported makes its decisions on the raw errno, so the seam keeps it.
#ifndef THP_RUNTIME_PORT_KERNEL_KERNEL_H_
#define THP_RUNTIME_PORT_KERNEL_KERNEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"

namespace thp {

inline constexpr uintptr_t kOsPageSize = 4096;          // _PhysPageSize on amd64
inline constexpr uintptr_t kHugePageSize = uintptr_t{2} << 20;  // hugePageSize on amd64

// The madvise advices the runtime variants use. Values are this project's;
// LinuxAdvice() gives the kernel's numbers.
enum class Advice : uint8_t {
  kDontNeed,     // MADV_DONTNEED (4)
  kHugePage,     // MADV_HUGEPAGE (14)
  kNoHugePage,   // MADV_NOHUGEPAGE (15)
  kCollapse,     // MADV_COLLAPSE (25, Linux 6.1+)
  kTryCollapse,  // MADV_TRY_COLLAPSE (proposed 2024 as 26, never merged)
};
inline constexpr int kNumAdvices = 5;
absl::string_view AdviceName(Advice advice);  // "DONTNEED", "HUGEPAGE", ...
int LinuxAdvice(Advice advice);

// The transparent-huge-page flag of a VMA: neither bit, VM_HUGEPAGE ("hg" in
// smaps VmFlags) or VM_NOHUGEPAGE ("nh"). Linux has no way back to kNone.
enum class HugeFlag : uint8_t { kNone, kHuge, kNoHuge };
absl::string_view HugeFlagName(HugeFlag flag);  // "none", "hugepage", "nohugepage"

enum class Prot : uint8_t { kNone, kRead, kReadWrite };
absl::string_view ProtName(Prot prot);  // "---", "r--", "rw-"

// System-wide transparent_hugepage/enabled mode; decides which faults may
// allocate a huge page.
enum class ThpMode : uint8_t { kAlways, kMadvise, kNever };
absl::string_view ThpModeName(ThpMode mode);

struct Vma {
  uintptr_t start = 0;
  uintptr_t end = 0;
  Prot prot = Prot::kNone;
  HugeFlag huge = HugeFlag::kNone;

  uintptr_t size() const { return end - start; }
  friend bool operator==(const Vma& a, const Vma& b) {
    return a.start == b.start && a.end == b.end && a.prot == b.prot && a.huge == b.huge;
  }
  friend bool operator!=(const Vma& a, const Vma& b) { return !(a == b); }
};
std::string VmaToString(const Vma& vma);

struct Residency {
  uint64_t resident_bytes = 0;     // pages of the range present in memory
  uint64_t anon_huge_bytes = 0;    // PMD-mapped huge pages (smaps AnonHugePages)
  friend bool operator==(const Residency& a, const Residency& b) {
    return a.resident_bytes == b.resident_bytes && a.anon_huge_bytes == b.anon_huge_bytes;
  }
};

struct AddressRange {
  uintptr_t lo = 0;
  uintptr_t hi = 0;
};

// The process's VMA count and how many of its VMAs overlap a set of ranges.
struct VmaTally {
  int64_t map_count = 0;  // MapCount()
  int64_t in_ranges = 0;  // VMAs overlapping at least one range, each counted once
};

// What one MadviseBatch call did. Each range gets what a madvise of it
// alone would have given it; `errors` lists the ones that failed.
struct RangeError {
  size_t index = 0;  // into the batch's ranges
  int err = 0;
  friend bool operator==(const RangeError& a, const RangeError& b) {
    return a.index == b.index && a.err == b.err;
  }
};
struct BatchResult {
  // System calls that carried the advice: process_madvise calls, or, when
  // the kernel refused the batch call, one madvise per range.
  int64_t syscalls = 0;
  std::vector<RangeError> errors;  // in range order; empty when every range succeeded
  // 0 if the ranges went in process_madvise calls; otherwise the errno with
  // which this kernel refused that call for this advice (ENOSYS: no such
  // call; EINVAL/EPERM: a kernel before 6.13 that takes only a few advices,
  // or none from a process for itself) and the ranges went one madvise each.
  int refused = 0;

  // The first failed range's errno; 0 if none failed.
  int err() const { return errors.empty() ? 0 : errors.front().err; }
};

// UIO_MAXIOV (= IOV_MAX): the most iovecs one process_madvise takes; more
// is EINVAL before any advice is applied.
inline constexpr size_t kMaxIovecs = 1024;
// MAX_RW_COUNT (INT_MAX rounded down to a page): import_iovec shortens the
// iovecs of one call to this many bytes in all, so a longer batch is
// advised in several calls.
inline constexpr uintptr_t kMaxRwCount = uintptr_t{0x7ffff000};

struct MmapResult {
  uintptr_t addr = 0;  // valid when err == 0
  int err = 0;
};

enum MapFlag : uint32_t {
  kMapFixed = 1u << 0,      // MAP_FIXED: replace whatever is there
  kMapNoReserve = 1u << 1,  // MAP_NORESERVE: no commit accounting (VM_ACCOUNT unset)
};

class Kernel {
 public:
  virtual ~Kernel() = default;

  // "linux" or "sim".
  virtual absl::string_view Name() const = 0;
  // False for advices this kernel does not implement (MADV_TRY_COLLAPSE on a
  // real kernel; COLLAPSE under the 2015 profile).
  virtual bool Supports(Advice advice) const = 0;

  // Private anonymous mmap. `hint` 0 lets the kernel choose; a non-zero hint
  // without kMapFixed is used if that range is free. Page-aligned lengths only.
  virtual MmapResult Mmap(uintptr_t hint, uintptr_t len, Prot prot, uint32_t flags) = 0;
  virtual int Munmap(uintptr_t addr, uintptr_t len) = 0;
  virtual int Madvise(uintptr_t addr, uintptr_t len, Advice advice) = 0;
  // Writes every 4 KiB page of the range, so residency is real. The range
  // must be mapped read-write; otherwise an errno is returned and nothing
  // faults (EFAULT for a range that is not writable, ENOMEM for a hole).
  virtual int Touch(uintptr_t addr, uintptr_t len) = 0;
  // True if no page of the range is mapped (Go's addrspace_free via mincore).
  virtual bool RangeUnmapped(uintptr_t addr, uintptr_t len) = 0;

  // The VMAs overlapping [lo, hi), in address order, unclipped.
  virtual std::vector<Vma> Vmas(uintptr_t lo, uintptr_t hi) = 0;
  // The process's mm->map_count, the number vm.max_map_count limits
  // (/proc/self/maps lines minus the [vsyscall] gate line).
  virtual int64_t MapCount() = 0;
  // Resident bytes of exactly [lo, hi); AnonHugePages of the VMAs overlapping it.
  virtual Residency ResidencyOf(uintptr_t lo, uintptr_t hi) = 0;
  // Resident bytes of exactly [lo, hi), without the AnonHugePages read-back
  // (which costs a whole /proc/self/smaps read on the real kernel): what a
  // per-2 MiB-region scan asks hundreds of times a pass. The default asks
  // ResidencyOf.
  virtual uint64_t ResidentBytes(uintptr_t lo, uintptr_t hi);
  // MapCount() and the VMAs overlapping `ranges` (sorted, disjoint) in one
  // look at the mappings. The default asks Vmas() per range.
  virtual VmaTally TallyVmas(const std::vector<AddressRange>& ranges);

  // `advice` on each of `ranges` (each non-empty; any order), in as few
  // system calls as this kernel allows: process_madvise(2) on the process
  // itself, kMaxIovecs ranges and kMaxRwCount bytes at most a call, where
  // the kernel takes that advice from a process for itself (Linux 6.13+,
  // "mm/madvise: unrestrict process_madvise() for current process"). A
  // failed range does not stop the ones after it, as it would not stop a
  // separate madvise. The default makes one Madvise per range and reports
  // refused = ENOSYS.
  virtual BatchResult MadviseBatch(const std::vector<AddressRange>& ranges, Advice advice);
};

// One process_madvise(2) call over `n` (1..kMaxIovecs) ranges as the
// kernel's vector_madvise runs it: the ranges in order, each like a
// madvise, stopping at the first that fails; returns the bytes of the
// ranges done before it (the call's return value) or, if none was done,
// minus that range's errno.
using VectoredMadviseCall = absl::FunctionRef<int64_t(const AddressRange* ranges, size_t n)>;

// MadviseBatch over a vectored call: sends up to kMaxIovecs ranges a call;
// where a call stops short (a failed range, or the kMaxRwCount cap) the next
// one starts at the first byte not done, so a failed range is sent again
// alone at the head of a call to learn its errno, and then skipped. Sending
// a failed range again applies its advice twice, which is harmless for the
// advices batched (DONTNEED; HUGEPAGE/NOHUGEPAGE on a VMA that already has
// the flag is a no-op on Linux 6). Shared by the real and simulated
// kernels, so both count the same calls.
BatchResult DriveVectoredMadvise(const std::vector<AddressRange>& ranges, VectoredMadviseCall call);

// Conveniences named after what the runtime does with them.
// A PROT_NONE reservation, at `hint` if that range is free.
inline MmapResult Reserve(Kernel& k, uintptr_t hint, uintptr_t len) {
  return k.Mmap(hint, len, Prot::kNone, 0);
}
// MAP_FIXED read-write mapping over [addr, addr+len).
inline int MapFixed(Kernel& k, uintptr_t addr, uintptr_t len, bool noreserve = false) {
  return k.Mmap(addr, len, Prot::kReadWrite, kMapFixed | (noreserve ? uint32_t{kMapNoReserve} : 0u)).err;
}

// errno name, e.g. "EAGAIN"; "0" for success.
std::string ErrnoName(int err);

// Rounding helpers on byte addresses.
constexpr uintptr_t RoundDown(uintptr_t x, uintptr_t a) { return x & ~(a - 1); }
constexpr uintptr_t RoundUp(uintptr_t x, uintptr_t a) { return (x + a - 1) & ~(a - 1); }

}  // namespace thp

#endif  // THP_RUNTIME_PORT_KERNEL_KERNEL_H_
