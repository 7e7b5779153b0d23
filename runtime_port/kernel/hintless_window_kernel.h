// A window of its own for the runtime's hint-less mappings, so the process
// places them as a static Go binary would, on the real kernel as on the
// simulated one.
//
// Go 1.5's sysAlloc (persistentalloc chunks, the allspans array, fixalloc's
// big blocks) calls mmap with no address and lets the kernel choose one:
// top-down below mmap_base, in the highest gap that fits
// (unmapped_area_topdown). In a static Go binary nothing else maps memory
// there, so two chunks placed one after the other touch and merge into one
// VMA. In this C++ harness glibc maps its own memory in the same area
// (malloc arenas, thread stacks), and one of its mappings can land between
// two of the runtime's, which then stay two VMAs: the real kernel counted one
// VMA more than the simulated one did for the same run.
//
// This decorator places every hint-less mmap itself, in an address window
// of its own: top-down in the highest gap that fits between the mappings it
// placed there, with the alignment the kernel would use (a length that is a
// whole number of huge pages is huge-page aligned, Linux 6.7+), by asking
// the kernel for exactly that address (a hint, never MAP_FIXED, so nothing
// is ever replaced). Every other call passes through unchanged. Both kernels
// see the same calls, so real and simulated runs place and merge the
// runtime's mappings alike, and each VMA count stays what it was: nothing is
// reserved, so the window adds no VMA of its own.
//
// Nothing else maps memory there: the kernel searches for addresses top-down
// from mmap_base (near 0x7fff00000000 with or without address-space
// randomisation), tens of TiB above the window, and the window lies between
// two of the arena hints of Go 1.5's mallocinit (i<<40 | 0xc000000000). A
// placement the kernel does not honour is a fatal error naming the range.
#ifndef THP_RUNTIME_PORT_KERNEL_HINTLESS_WINDOW_KERNEL_H_
#define THP_RUNTIME_PORT_KERNEL_HINTLESS_WINDOW_KERNEL_H_

#include <cstdint>
#include <memory>

#include "absl/container/btree_map.h"
#include "runtime_port/kernel/forwarding_kernel.h"
#include "runtime_port/kernel/kernel.h"

namespace thp {

// 384 GiB between Go 1.5's arena hints 0x50c000000000 (whose 544.5 GiB
// reservation ends at 0x514820000000) and 0x51c000000000; above ASan's
// shadow, far below any kernel-chosen address.
inline constexpr uintptr_t kHintlessWindowLo = uintptr_t{0x515000000000};
inline constexpr uintptr_t kHintlessWindowHi = uintptr_t{0x51b000000000};

class HintlessWindowKernel final : public ForwardingKernel {
 public:
  // Places `inner`'s (which it then owns) hint-less mappings in [lo, hi),
  // huge-page aligned bounds.
  explicit HintlessWindowKernel(std::unique_ptr<Kernel> inner, uintptr_t lo = kHintlessWindowLo,
                                uintptr_t hi = kHintlessWindowHi);

  MmapResult Mmap(uintptr_t hint, uintptr_t len, Prot prot, uint32_t flags) override;
  int Munmap(uintptr_t addr, uintptr_t len) override;

  uintptr_t lo() const { return lo_; }
  uintptr_t hi() const { return hi_; }
  Kernel& inner() { return *owned_; }

 private:
  // The highest address in the window where `len` bytes fit between the
  // mappings placed so far, aligned down to `align`; 0 if none.
  uintptr_t FindTopDown(uintptr_t len, uintptr_t align) const;
  // Forgets the placed mappings' part inside [lo, hi).
  void Unplace(uintptr_t lo, uintptr_t hi);

  std::unique_ptr<Kernel> owned_;
  uintptr_t lo_;
  uintptr_t hi_;
  // What this decorator placed in the window and is still mapped, start ->
  // end, disjoint (merged when they touch).
  absl::btree_map<uintptr_t, uintptr_t> placed_;
};

}  // namespace thp

#endif  // THP_RUNTIME_PORT_KERNEL_HINTLESS_WINDOW_KERNEL_H_
