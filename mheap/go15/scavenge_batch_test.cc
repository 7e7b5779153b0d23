// fixed_batched against fixed on a whole heap: the same workload of
// allocations, frees and scavenge passes (sysmon's and FreeOSMemory's)
// leaves the same VMA layout, residency and heap_released on the simulated
// kernel and on the real one, in fewer system calls per pass; and the real
// and simulated kernels agree on fixed_batched's outcome.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "runtime_port/base/clock.h"
#include "mheap/go15/mheap.h"
#include "runtime_port/kernel/linux_kernel.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

// Go 1.5's scavengelimit, 5 minutes.
constexpr uint64_t kLimitNs = uint64_t{300} * 1000 * 1000 * 1000;

// Span sizes in pages. On the real kernel all stay below 2 MiB, so that
// sysUsed never finds a whole huge page to mark HUGEPAGE: with THP in
// madvise mode nothing can then fault or collapse huge pages behind the
// test's back (khugepaged), and residency is exact. The sim also takes
// spans of several huge pages.
const std::vector<uintptr_t> kSmall = {1, 2, 3, 5, 8, 16, 64, 160};
const std::vector<uintptr_t> kWithLarge = {1, 2, 3, 5, 8, 16, 64, 160, 300, 700};

struct HeapOutcome {
  std::vector<std::string> vmas;  // of the arena in use, offsets from arena_start
  Residency residency;
  uint64_t heap_released = 0;
  std::vector<uintptr_t> released;  // per pass
  MadviseCounters counters;
};

HeapOutcome RunWorkload(Kernel& k, const std::string& variant, const std::vector<uintptr_t>& sizes,
                        bool reuse_coalesced) {
  HeapOutcome out;
  absl::StatusOr<std::unique_ptr<MemLinux>> mem = NewMemLinux(k, variant);
  EXPECT_TRUE(mem.ok()) << mem.status();
  if (!mem.ok()) return out;
  VirtualClock clock(1000);
  MHeap heap(**mem, clock, /*nprocs=*/1);
  heap.set_on_span_handout([&k](const MSpan& s) {
    EXPECT_EQ(k.Touch(s.base(), s.npages.bytes()), 0);  // the mutator writes what it gets
  });
  auto alloc = [&](uintptr_t pages) {
    MSpan* s = heap.Alloc(PageCount(pages), 0, /*large=*/true, /*needzero=*/false);
    EXPECT_NE(s, nullptr);
    return s;
  };
  auto sysmon_pass = [&] {
    clock.Advance(static_cast<int64_t>(kLimitNs) + 1);
    out.released.push_back(heap.Scavenge(0, static_cast<uint64_t>(clock.NanoTime()), kLimitNs));
  };
  auto free_os_memory_pass = [&] { out.released.push_back(heap.Scavenge(-1, ~uint64_t{0}, 0)); };

  std::vector<MSpan*> spans;
  for (size_t i = 0; i < 64; ++i) spans.push_back(alloc(sizes[(i / 2) % sizes.size()]));
  // The arena's free tail stays in use, so only the workload's spans move.
  if (const uintptr_t idle = heap.stats().heap_idle / kPageSize; idle > 0) alloc(idle);
  if (::testing::Test::HasFailure()) return out;

  // Every other span freed: released spans separated by live ones.
  for (size_t i = 0; i < spans.size(); i += 2) heap.Free(spans[i], true);
  free_os_memory_pass();
  // Reused (sysUsed), written, freed, released again by sysmon.
  for (size_t i = 0; i < spans.size(); i += 2) spans[i] = alloc(spans[i]->npages.raw());
  for (size_t i = 0; i < spans.size(); i += 2) heap.Free(spans[i], true);
  sysmon_pass();
  // Everything freed: coalesced spans, partly released (released whole).
  for (size_t i = 1; i < spans.size(); i += 2) heap.Free(spans[i], true);
  sysmon_pass();
  if (reuse_coalesced) {
    // Reuse from the coalesced spans (sysUsed over several huge pages), free, release.
    std::vector<MSpan*> again;
    for (size_t i = 0; i < 24; ++i) again.push_back(alloc(sizes[(i * 7) % sizes.size()]));
    for (size_t i = 0; i < again.size(); i += 3) heap.Free(again[i], true);
    free_os_memory_pass();
    for (size_t i = 1; i < again.size(); i += 3) heap.Free(again[i], true);
    sysmon_pass();
  }
  heap.CheckInvariants();

  const HeapLayout& l = heap.layout();
  for (const Vma& v : k.Vmas(l.arena_start, l.arena_used)) {
    const uintptr_t lo = std::max(v.start, l.arena_start), hi = std::min(v.end, l.arena_used);
    out.vmas.push_back(absl::StrCat(lo - l.arena_start, "-", hi - l.arena_start, " ",
                                    ProtName(v.prot), " ", HugeFlagName(v.huge)));
  }
  out.residency = k.ResidencyOf(l.arena_start, l.arena_used);
  out.heap_released = heap.stats().heap_released;
  out.counters = (*mem)->counters();
  return out;
}

void ExpectSameState(const HeapOutcome& a, const HeapOutcome& b) {
  EXPECT_EQ(a.vmas, b.vmas);
  EXPECT_EQ(a.residency, b.residency) << a.residency.resident_bytes << " vs "
                                      << b.residency.resident_bytes;
  EXPECT_EQ(a.heap_released, b.heap_released);
  EXPECT_EQ(a.released, b.released);
}

// fixed_batched leaves what fixed leaves and makes the same advice, range
// by range, in fewer system calls per pass.
void ExpectBatchedMatchesFixed(const HeapOutcome& fixed, const HeapOutcome& batched) {
  ExpectSameState(fixed, batched);
  EXPECT_EQ(batched.counters.calls, fixed.counters.calls);
  EXPECT_EQ(batched.counters.bytes, fixed.counters.bytes);
  EXPECT_EQ(batched.counters.errors, fixed.counters.errors);
  EXPECT_EQ(batched.counters.scavenge_passes, fixed.counters.scavenge_passes);
  EXPECT_EQ(fixed.counters.process_madvise_calls, 0);
  // One process_madvise per pass that released anything (fewer than 1024
  // spans each), plus fixed's flag calls.
  const int64_t released_passes = std::count_if(fixed.released.begin(), fixed.released.end(),
                                                [](uintptr_t r) { return r > 0; });
  EXPECT_EQ(batched.counters.process_madvise_calls, released_passes);
  EXPECT_EQ(batched.counters.scavenge_pass_syscalls,
            fixed.counters.scavenge_pass_syscalls - fixed.counters.Calls(Advice::kDontNeed) +
                released_passes);
}

class FixedBatchedHeapSim : public ::testing::TestWithParam<bool> {};

TEST_P(FixedBatchedHeapSim, SameEndStateAsFixed) {
  const bool large = GetParam();
  SimulatedKernel k1, k2;
  const HeapOutcome fixed = RunWorkload(k1, "fixed", large ? kWithLarge : kSmall, large);
  const HeapOutcome batched = RunWorkload(k2, "fixed_batched", large ? kWithLarge : kSmall, large);
  ASSERT_FALSE(HasFailure());
  ExpectBatchedMatchesFixed(fixed, batched);
  // The workload did exercise fixed's flags and released something.
  EXPECT_GT(fixed.counters.Calls(Advice::kNoHugePage), 0);
  EXPECT_EQ(fixed.counters.Calls(Advice::kHugePage) > 0, large);
  EXPECT_GT(fixed.heap_released, 0u);
  EXPECT_GT(fixed.residency.resident_bytes, 0u);
  // With large spans reused, HUGEPAGE and NOHUGEPAGE VMAs alternate.
  if (large) {
    EXPECT_GT(fixed.vmas.size(), 4u);
  }
}

INSTANTIATE_TEST_SUITE_P(Spans, FixedBatchedHeapSim, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& i) {
                           return i.param ? "WithLarge" : "Small";
                         });

TEST(FixedBatchedHeap, SameEndStateAsFixedOnTheRealKernelAndAsTheSim) {
  LinuxKernel real;
  const HeapOutcome fixed = RunWorkload(real, "fixed", kSmall, false);
  const HeapOutcome batched = RunWorkload(real, "fixed_batched", kSmall, false);
  ASSERT_FALSE(HasFailure());
  if (batched.counters.batch_fallbacks > 0) {
    GTEST_SKIP() << "kernel linux refuses process_madvise(MADV_DONTNEED) on this process; "
                    "batching needs Linux 6.13+";
  }
  ExpectBatchedMatchesFixed(fixed, batched);
  EXPECT_EQ(fixed.counters.Calls(Advice::kHugePage), 0);  // see kSmall
  SimulatedKernel sim;
  ExpectSameState(RunWorkload(sim, "fixed_batched", kSmall, false), batched);
}

}  // namespace
}  // namespace thp
