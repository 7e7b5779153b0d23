// Go 1.5's size classes (msize.go), generated at start-up by the same rule
// initSizes uses, never typed in: 67 classes, the pages each class's span
// takes, and the size-to-class lookup tables mallocgc uses.
#ifndef THP_MHEAP_GO15_MSIZE_H_
#define THP_MHEAP_GO15_MSIZE_H_

#include <array>
#include <cstddef>
#include <cstdint>

namespace thp {

inline constexpr int kNumSizeClasses = 67;
inline constexpr uintptr_t kMaxSmallSize = 32768;
inline constexpr uintptr_t kTinySize = 16;
inline constexpr int kTinySizeClass = 2;

class SizeClasses {
 public:
  // Runs the initSizes rule; fatal if it does not produce 67 classes.
  SizeClasses();

  uint32_t ClassToSize(int c) const { return class_to_size_[static_cast<size_t>(c)]; }
  uint32_t ClassToAllocNPages(int c) const { return class_to_allocnpages_[static_cast<size_t>(c)]; }
  uint32_t ObjectsPerSpan(int c) const;
  // The class of a small object (1 <= size <= 32768), as mallocgc looks it up.
  int SizeToClass(uintptr_t size) const;
  // Mirrors roundupsize, Go 1.5: the size actually allocated.
  uintptr_t RoundUpSize(uintptr_t size) const;

 private:
  std::array<uint32_t, kNumSizeClasses> class_to_size_{};
  std::array<uint32_t, kNumSizeClasses> class_to_allocnpages_{};
  std::array<int8_t, 1024 / 8 + 1> size_to_class8_{};
  std::array<int8_t, (kMaxSmallSize - 1024) / 128 + 1> size_to_class128_{};
};

// The process-wide table (built once).
const SizeClasses& GetSizeClasses();

// Mirrors growslice's capacity rule, Go 1.5 (slice.go): the bytes allocated
// when a slice of `len` elements of `elem` bytes and capacity `cap` must hold
// `need`: double the capacity while len < 1024, else add a quarter, until it
// fits; then roundupsize.
uintptr_t GrowSliceBytes(uintptr_t elem, uintptr_t len, uintptr_t cap, uintptr_t need);

}  // namespace thp

#endif  // THP_MHEAP_GO15_MSIZE_H_
