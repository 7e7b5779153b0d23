#include "mheap/go121/sizeclasses.h"

#include "runtime_port/base/check.h"

namespace thp {
namespace go121 {
namespace {

constexpr size_t kSizeToClass8Len = kSmallSizeMax / kSmallSizeDiv + 1;
constexpr size_t kSizeToClass128Len = (kMaxSmallSize - kSmallSizeMax) / kLargeSizeDiv + 1;

struct LookupTables {
  std::array<uint8_t, kSizeToClass8Len> by8{};
  std::array<uint8_t, kSizeToClass128Len> by128{};
};

// Fills the two lookup tables as mksizeclasses.go does: each entry is the
// smallest class whose size holds the entry's size.
LookupTables BuildLookup() {
  LookupTables t;
  auto smallest = [](uintptr_t size) {
    for (int c = 1; c < kNumSizeClasses; ++c) {
      if (SizeClasses::ClassToSize(c) >= size) return static_cast<uint8_t>(c);
    }
    Throw("size class lookup: size above _MaxSmallSize");
  };
  for (size_t i = 1; i < kSizeToClass8Len; ++i) t.by8[i] = smallest(i * kSmallSizeDiv);
  for (size_t i = 0; i < kSizeToClass128Len; ++i) {
    t.by128[i] = smallest(kSmallSizeMax + i * kLargeSizeDiv);
  }
  return t;
}

const LookupTables& Lookup() {
  static const LookupTables* t = new LookupTables(BuildLookup());
  return *t;
}

}  // namespace

// class_to_size and class_to_allocnpages of sizeclasses.go at 21ff9be0eb.
const std::array<uint16_t, kNumSizeClasses> SizeClasses::kClassToSize = {
    0,     8,     16,    24,    32,    48,    64,    80,    96,    112,   128,   144,
    160,   176,   192,   208,   224,   240,   256,   288,   320,   352,   384,   416,
    448,   480,   512,   576,   640,   704,   768,   896,   1024,  1152,  1280,  1408,
    1536,  1792,  2048,  2304,  2688,  3072,  3200,  3456,  4096,  4864,  5376,  6144,
    6528,  6784,  6912,  8192,  9472,  9728,  10240, 10880, 12288, 13568, 14336, 16384,
    18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768};

const std::array<uint8_t, kNumSizeClasses> SizeClasses::kClassToAllocNPages = {
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 2, 1, 2, 1, 3, 2, 3, 1, 3,
    2, 3, 4, 5, 6, 1, 7, 6, 5, 4, 3, 5, 7, 2, 9, 7, 5, 8, 3, 10, 7, 4};

int SizeClasses::SizeToClass(uintptr_t size) {
  THP_CHECK(size <= kMaxSmallSize, "SizeToClass: not a small size");
  if (size <= kSmallSizeMax - 8) {
    return Lookup().by8[(size + kSmallSizeDiv - 1) / kSmallSizeDiv];
  }
  return Lookup().by128[(size - kSmallSizeMax + kLargeSizeDiv - 1) / kLargeSizeDiv];
}

uintptr_t SizeClasses::RoundUpSize(uintptr_t size) {
  if (size < kMaxSmallSize) return ClassToSize(SizeToClass(size));
  return (size + kPageSize - 1) & ~(kPageSize - 1);
}

}  // namespace go121
}  // namespace thp
