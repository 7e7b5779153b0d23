// A seeded random walk over the page heap: 1,000,000 alloc / free /
// scavenge steps, CheckInvariants after every one, against a trivially
// correct reference model (one state byte per arena page,
// testing/page_model.h). The model checks
// every span the heap hands out was free and every span it takes back was in
// use; every 1024 steps the free page ranges of the heap and of the model
// are compared in full.
#include <cstdlib>
#include <random>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "mheap/go15/mheap.h"
#include "mheap/go15/testing/page_model.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

struct Live {
  MSpan* span;
  bool stack;
};

// Sanitizer builds walk 200,000 steps per variant (1,400,000 in all).
#if defined(__SANITIZE_ADDRESS__)
constexpr int kDefaultSteps = 200000;
#else
constexpr int kDefaultSteps = 1000000;
#endif

int StepsPerVariant() {
  int n = kDefaultSteps;
  if (const char* env = std::getenv("THP_HEAP_RANDOM_STEPS")) (void)absl::SimpleAtoi(env, &n);
  return n;
}

class HeapRandom : public ::testing::TestWithParam<std::string> {};

TEST_P(HeapRandom, MillionStepsAgreeWithTheReferenceModel) {
  SimulatedKernel sim;
  absl::StatusOr<std::unique_ptr<MemLinux>> mem = NewMemLinux(sim, GetParam());
  ASSERT_TRUE(mem.ok());
  VirtualClock clock(1);
  MHeap heap(**mem, clock, 2);
  PageModel model(heap.layout().arena_start);
  std::mt19937_64 rng(20151202);  // Go 1.5.2's release date
  auto uniform = [&](uint64_t lo, uint64_t hi) { return lo + rng() % (hi - lo); };
  std::vector<Live> live;
  uint64_t live_pages = 0, allocs = 0, frees = 0, scavenges = 0;
  const int steps = StepsPerVariant();
  const absl::Time start = absl::Now();
  for (int step = 0; step < steps; ++step) {
    const uint64_t r = uniform(0, 100);
    std::string err;
    if (r < 46 && live_pages < 12000) {
      const uint64_t kind = uniform(0, 10);
      const uintptr_t pages = kind < 7 ? uniform(1, 9) : kind < 9 ? uniform(9, 128) : uniform(128, 700);
      const bool stack = uniform(0, 20) == 0;
      heap.set_current_p(static_cast<int>(uniform(0, 2)));
      MSpan* s = stack ? heap.AllocStack(PageCount(pages))
                       : heap.Alloc(PageCount(pages), 0, /*large=*/true, /*needzero=*/true);
      ASSERT_NE(s, nullptr) << "step " << step;
      model.GrowTo(heap.layout().arena_used);
      err = model.Take(s);
      live.push_back({s, stack});
      live_pages += pages;
      ++allocs;
    } else if (r < 92 && !live.empty()) {
      const size_t i = uniform(0, live.size());
      Live l = live[i];
      live[i] = live.back();
      live.pop_back();
      live_pages -= l.span->npages.raw();
      err = model.Give(l.span->base(), l.span->end());
      if (l.stack) {
        heap.FreeStack(l.span);
      } else {
        heap.Free(l.span, true);
      }
      ++frees;
    } else if (r < 95) {
      heap.Scavenge(-1, ~uint64_t{0}, 0);  // like FreeOSMemory: everything, whatever its age
      ++scavenges;
    } else {
      clock.Advance(static_cast<int64_t>(uniform(1, 20000)));
      heap.Scavenge(0, static_cast<uint64_t>(clock.NanoTime()), 10000);
      ++scavenges;
    }
    ASSERT_TRUE(err.empty()) << "step " << step << ": " << err;
    heap.CheckInvariants(/*deep=*/step % 4096 == 0);
    ASSERT_EQ(heap.stats().heap_idle, model.FreeBytes()) << "step " << step;
    if (step % 1024 == 0) {
      err = model.CompareFreeRanges(heap);
      ASSERT_TRUE(err.empty()) << "step " << step << ": " << err;
    }
  }
  std::fprintf(stderr,
               "%s: %d steps (%lu allocs, %lu frees, %lu scavenges) in %s; heap_sys %lu MiB, "
               "%s\n",
               GetParam().c_str(), steps, static_cast<unsigned long>(allocs),
               static_cast<unsigned long>(frees), static_cast<unsigned long>(scavenges),
               absl::FormatDuration(absl::Now() - start).c_str(),
               static_cast<unsigned long>(heap.stats().heap_sys >> 20),
               (*mem)->counters().Summary().c_str());
}

INSTANTIATE_TEST_SUITE_P(AllVariants, HeapRandom, ::testing::ValuesIn(HugePagePolicyNames()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace thp
