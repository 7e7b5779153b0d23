#include "mheap/go15/msize.h"

#include "runtime_port/base/units.h"
#include "runtime_port/base/check.h"

namespace thp {

SizeClasses::SizeClasses() {
  // Mirrors initSizes, Go 1.5. Alignment grows with the size (8, then 16,
  // then size/8 from 128, then 256 from 2048); each class's span is the
  // fewest pages that waste at most 1/8; a size whose span holds as many
  // objects in as many pages as the previous class's replaces that class.
  uintptr_t align = 8;
  int nclass = 1;
  for (uintptr_t size = align; size <= kMaxSmallSize; size += align) {
    if ((size & (size - 1)) == 0) {
      if (size >= 2048) {
        align = 256;
      } else if (size >= 128) {
        align = size / 8;
      } else if (size >= 16) {
        align = 16;
      }
    }
    THP_CHECK((align & (align - 1)) == 0, "InitSizes - bug");
    uintptr_t allocsize = kPageSize;
    while (allocsize % size > allocsize / 8) allocsize += kPageSize;
    const uint32_t npages = static_cast<uint32_t>(allocsize >> kPageShift);
    if (nclass > 1 && npages == class_to_allocnpages_[static_cast<size_t>(nclass - 1)] &&
        allocsize / size == allocsize / class_to_size_[static_cast<size_t>(nclass - 1)]) {
      class_to_size_[static_cast<size_t>(nclass - 1)] = static_cast<uint32_t>(size);
      continue;
    }
    THP_CHECK(nclass < kNumSizeClasses, "InitSizes - too many classes");
    class_to_allocnpages_[static_cast<size_t>(nclass)] = npages;
    class_to_size_[static_cast<size_t>(nclass)] = static_cast<uint32_t>(size);
    ++nclass;
  }
  THP_CHECK(nclass == kNumSizeClasses, "InitSizes - bad NumSizeClasses");

  uintptr_t next = 0;
  for (int c = 1; c < kNumSizeClasses; ++c) {
    for (; next < 1024 && next <= class_to_size_[static_cast<size_t>(c)]; next += 8) {
      size_to_class8_[next / 8] = static_cast<int8_t>(c);
    }
    if (next >= 1024) {
      for (; next <= class_to_size_[static_cast<size_t>(c)]; next += 128) {
        size_to_class128_[(next - 1024) / 128] = static_cast<int8_t>(c);
      }
    }
  }
}

uint32_t SizeClasses::ObjectsPerSpan(int c) const {
  return static_cast<uint32_t>(ClassToAllocNPages(c) * kPageSize / ClassToSize(c));
}

int SizeClasses::SizeToClass(uintptr_t size) const {
  THP_CHECK(size >= 1 && size <= kMaxSmallSize, "SizeToClass of a size that is not small");
  if (size <= 1024 - 8) return size_to_class8_[(size + 7) >> 3];
  return size_to_class128_[(size - 1024 + 127) >> 7];
}

uintptr_t SizeClasses::RoundUpSize(uintptr_t size) const {
  if (size < kMaxSmallSize) return ClassToSize(SizeToClass(size));
  if (size + kPageSize < size) return size;
  return RoundUpTo(size, kPageSize);
}

const SizeClasses& GetSizeClasses() {
  static const SizeClasses* table = new SizeClasses();
  return *table;
}

uintptr_t GrowSliceBytes(uintptr_t elem, uintptr_t len, uintptr_t cap, uintptr_t need) {
  uintptr_t newcap = cap;
  if (newcap + newcap < need) {
    newcap = need;
  } else {
    do {
      newcap += len < 1024 ? newcap : newcap / 4;
    } while (newcap < need);
  }
  return GetSizeClasses().RoundUpSize(newcap * elem);
}

}  // namespace thp
