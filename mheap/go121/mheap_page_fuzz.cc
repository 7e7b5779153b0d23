// Fuzz target for the Go 1.21 page heap's own operations (the trace-level
// fuzzer over both heaps' whole runtimes is mheap/testing/mheap_fuzz.cc).
// The first byte picks the release state and GOMAXPROCS, the rest are (op,
// argument) pairs as heap_driver.h decodes them; every op is followed by
// the heap's recompute-and-compare checker and the simulated kernel's, and
// a failed check aborts so that libFuzzer keeps the input. Inputs worth
// keeping go to testdata/fuzz/go121_mheap/, replayed by
// mheap_page_fuzz_regression_test on every test run.
#include <cstddef>
#include <cstdint>

#include "mheap/go121/heap_driver.h"
#include "runtime_port/base/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using thp::go121::HeapDriver;
  thp::AbortOnFailedCheck();  // a failed check aborts, so libFuzzer keeps the input
  if (size == 0) return 0;
  static const char* const kVariants[] = {"hugepage_eager", "collapse", "none", "disablethp"};
  HeapDriver d(kVariants[data[0] % 4], 1 + (data[0] >> 2) % 4);
  d.Run(data + 1, size - 1);
  return 0;
}
