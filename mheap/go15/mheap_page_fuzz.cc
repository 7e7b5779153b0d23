// Fuzz target for the page heap's own operations (mheap/testing/mheap_fuzz.cc,
// the trace-level target, says why both exist). The input is a byte-coded op
// sequence:
// the first byte picks the mem_linux variant, then each op byte (mod 5) is
//   0 alloc    next byte b: 1 + b%32 pages, or (b&0x7f)*8 + 128 if b >= 0xe0
//   1 free     next byte picks a live span
//   2 scavenge everything (FreeOSMemory's scavenge)
//   3 tick     next byte: advance the clock b*100 ns, scavenge what idled 5 us
//   4 stack    next byte: a stack span of 1 + b%16 pages
// Every op is followed by a deep CheckInvariants, which dies on any
// inconsistency, the simulated kernel's CheckInvariants, and the reference
// page model's checks (testing/page_model_observer.h: fed from the heap's
// span allocs and frees, compared page by page). Found inputs are kept in
// testdata/fuzz/mheap_page/ and replayed by mheap_page_fuzz_regression_test
// in every test run.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mheap/go15/mheap.h"
#include "mheap/go15/testing/page_model_observer.h"
#include "runtime_port/base/check.h"
#include "runtime_port/base/fuzz_checks.h"
#include "runtime_port/kernel/sim_kernel.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace thp;
  AbortOnFailedCheck();  // a failed check aborts, so libFuzzer keeps the input
  if (size == 0) return 0;
  const std::vector<std::string> variants = HugePagePolicyNames();
  SimulatedKernel sim;
  absl::StatusOr<std::unique_ptr<MemLinux>> mem =
      NewMemLinux(sim, variants[data[0] % variants.size()]);
  THP_CHECK(mem.ok(), "variant");
  VirtualClock clock(1);
  MHeap heap(**mem, clock, 1);
  PageModelObserver model(heap);
  heap.set_observer(&model);
  std::vector<std::pair<MSpan*, bool>> live;  // span, is a stack
  size_t i = 1;
  auto next = [&]() -> uint8_t { return i < size ? data[i++] : 0; };
  while (i < size) {
    const uint8_t op = next() % 5;
    switch (op) {
      case 0: {
        const uint8_t b = next();
        const uintptr_t pages = b >= 0xe0 ? (b & 0x7f) * 8 + 128 : 1 + b % 32;
        MSpan* s = heap.Alloc(PageCount(pages), 0, /*large=*/true, /*needzero=*/true);
        THP_CHECK(s != nullptr && s->npages == PageCount(pages), "alloc failed");
        live.emplace_back(s, false);
        break;
      }
      case 1: {
        const uint8_t b = next();
        if (live.empty()) break;
        const size_t k = b % live.size();
        auto [s, stack] = live[k];
        live[k] = live.back();
        live.pop_back();
        if (stack) {
          heap.FreeStack(s);
        } else {
          heap.Free(s, true);
        }
        break;
      }
      case 2:
        heap.Scavenge(-1, ~uint64_t{0}, 0);
        break;
      case 3:
        clock.Advance(int64_t{next()} * 100);
        heap.Scavenge(0, static_cast<uint64_t>(clock.NanoTime()), 5000);
        break;
      case 4: {
        MSpan* s = heap.AllocStack(PageCount(1 + next() % 16));
        THP_CHECK(s != nullptr, "stack alloc failed");
        live.emplace_back(s, true);
        break;
      }
    }
    heap.CheckInvariants(/*deep=*/true);
    sim.CheckInvariants();
    const std::string err = model.Check(heap);
    THP_CHECK(err.empty(), "reference page model: " + err);
  }
  heap.set_observer(nullptr);
  return 0;
}
