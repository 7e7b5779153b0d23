// What a memory-layer variant asked of the kernel: madvise calls and bytes by
// advice, failures by advice and errno, calls by the runtime site that made
// them, and time spent in the kernel, both in total and as a latency
// distribution per advice (all calls, and those the mirrored Go version makes
// with the heap lock held). Read by the drivers' reports; the runtime itself
// ignores madvise errors.
#ifndef THP_RUNTIME_PORT_MADVISE_COUNTERS_H_
#define THP_RUNTIME_PORT_MADVISE_COUNTERS_H_

#include <array>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/container/btree_map.h"
#include "absl/time/time.h"
#include "runtime_port/huge_page_policy.h"
#include "runtime_port/kernel.h"
#include "runtime_port/latency_histogram.h"

namespace thp {

struct MadviseCounters {
  std::array<int64_t, kNumAdvices> calls{};
  std::array<uint64_t, kNumAdvices> bytes{};
  std::array<absl::Duration, kNumAdvices> kernel_time{};
  // (advice, errno) -> failed calls.
  absl::btree_map<std::pair<Advice, int>, int64_t> errors;
  int64_t mmap_calls = 0;
  int64_t munmap_calls = 0;
  // calls_by_site[site][advice].
  std::array<std::array<int64_t, kNumAdvices>, kNumAdviceSites> calls_by_site{};
  // Wall time of each call by advice. On the simulated kernel this is the
  // model's own run time, which says nothing about a kernel.
  std::array<LatencyHistogram, kNumAdvices> latency;
  // The same for the calls made where the Go version the variant mirrors
  // holds the heap lock (HugePagePolicy::HeapLockHeld).
  std::array<LatencyHistogram, kNumAdvices> heap_locked_latency;

  void Record(Advice advice, AdviceSite site, bool heap_locked, uintptr_t len, int err,
              absl::Duration took);
  int64_t Calls(Advice a) const { return calls[static_cast<int>(a)]; }
  int64_t CallsAt(AdviceSite site, Advice a) const {
    return calls_by_site[static_cast<int>(site)][static_cast<int>(a)];
  }
  // Every heap-locked call, whatever its advice.
  LatencyHistogram HeapLockedLatency() const;
  uint64_t Bytes(Advice a) const { return bytes[static_cast<int>(a)]; }
  int64_t TotalCalls() const;
  int64_t Errors(Advice a, int err) const;
  int64_t TotalErrors() const;
  absl::Duration TotalKernelTime() const;
  // "DONTNEED=12 HUGEPAGE=3 NOHUGEPAGE=4 errors: HUGEPAGE/EAGAIN=1"
  std::string Summary() const;
};

}  // namespace thp

#endif  // THP_RUNTIME_PORT_MADVISE_COUNTERS_H_
