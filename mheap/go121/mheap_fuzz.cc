// Fuzz target for the Go 1.21 heap. The first byte picks the release state
// and GOMAXPROCS, the rest are (op, argument) pairs as heap_driver.h decodes
// them; every op is followed by the heap's recompute-and-compare checker and
// the simulated kernel's, which die on any inconsistency. Inputs worth
// keeping go to testdata/fuzz/go121_mheap/, replayed by
// mheap_fuzz_regression_test on every test run.
#include <cstddef>
#include <cstdint>

#include "mheap/go121/heap_driver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using thp::go121::HeapDriver;
  if (size == 0) return 0;
  static const char* const kVariants[] = {"hugepage_eager", "collapse", "none", "disablethp"};
  HeapDriver d(kVariants[data[0] % 4], 1 + (data[0] >> 2) % 4);
  d.Run(data + 1, size - 1);
  return 0;
}
