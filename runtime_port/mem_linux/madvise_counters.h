// What a memory-layer variant asked of the kernel: madvise calls and bytes by
// advice, failures by advice and errno, calls by the runtime site that made
// them, and time spent in the kernel, both in total and as a latency
// distribution per advice (all calls, and those the mirrored Go version makes
// with the heap lock held). Read by the drivers' reports; the runtime itself
// ignores madvise errors.
//
// `calls` counts ranges advised, whether each went in its own madvise or as
// one iovec of a process_madvise batch, so that the tables of a batching
// variant compare with its unbatched twin; `syscalls` counts the system
// calls themselves, and the scavenge-pass counters give syscalls per pass.
// A batch is one latency sample (its calls together), filed under its site.
#ifndef THP_RUNTIME_PORT_MEM_LINUX_MADVISE_COUNTERS_H_
#define THP_RUNTIME_PORT_MEM_LINUX_MADVISE_COUNTERS_H_

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/time/time.h"
#include "runtime_port/mem_linux/huge_page_policy.h"
#include "runtime_port/kernel/kernel.h"
#include "runtime_port/base/latency_histogram.h"

namespace thp {

struct MadviseCounters {
  std::array<int64_t, kNumAdvices> calls{};  // ranges advised
  std::array<uint64_t, kNumAdvices> bytes{};
  std::array<absl::Duration, kNumAdvices> kernel_time{};
  // (advice, errno) -> failed ranges.
  absl::btree_map<std::pair<Advice, int>, int64_t> errors;
  int64_t mmap_calls = 0;
  int64_t munmap_calls = 0;
  // calls_by_site[site][advice].
  std::array<std::array<int64_t, kNumAdvices>, kNumAdviceSites> calls_by_site{};
  // The part of calls_by_site made with the heap lock held. For the Go 1.5
  // layer a site is all or nothing (the policy's table); the Go 1.21 heap
  // passes its lock's actual state, call by call.
  std::array<std::array<int64_t, kNumAdvices>, kNumAdviceSites> heap_locked_calls_by_site{};
  // Wall time of each call by advice. On the simulated kernel this is the
  // model's own run time, which says nothing about a kernel.
  std::array<LatencyHistogram, kNumAdvices> latency;
  // The same for the calls made where the Go version the variant mirrors
  // holds the heap lock (HugePagePolicy::HeapLockHeld).
  std::array<LatencyHistogram, kNumAdvices> heap_locked_latency;

  // madvise and process_madvise system calls made.
  int64_t syscalls = 0;
  int64_t process_madvise_calls = 0;  // of `syscalls`
  // Batches the kernel would not take in process_madvise calls.
  int64_t batch_fallbacks = 0;
  // MemLinux::BeginScavengePass calls, and the syscalls made inside passes.
  int64_t scavenge_passes = 0;
  int64_t scavenge_pass_syscalls = 0;

  // One madvise of [addr, addr+len).
  void Record(Advice advice, AdviceSite site, bool heap_locked, uintptr_t len, int err,
              absl::Duration took);
  // One Kernel::MadviseBatch of `ranges`.
  void RecordBatch(Advice advice, AdviceSite site, bool heap_locked,
                   const std::vector<AddressRange>& ranges, const BatchResult& r,
                   absl::Duration took);
  int64_t Calls(Advice a) const { return calls[static_cast<int>(a)]; }
  int64_t CallsAt(AdviceSite site, Advice a) const {
    return calls_by_site[static_cast<int>(site)][static_cast<int>(a)];
  }
  int64_t HeapLockedCallsAt(AdviceSite site, Advice a) const {
    return heap_locked_calls_by_site[static_cast<int>(site)][static_cast<int>(a)];
  }
  // Every heap-locked call, whatever its advice.
  LatencyHistogram HeapLockedLatency() const;
  uint64_t Bytes(Advice a) const { return bytes[static_cast<int>(a)]; }
  int64_t TotalCalls() const;
  int64_t Errors(Advice a, int err) const;
  int64_t TotalErrors() const;
  absl::Duration TotalKernelTime() const;
  // "DONTNEED=12 HUGEPAGE=3 NOHUGEPAGE=4 errors: HUGEPAGE/EAGAIN=1", with
  // " process_madvise=2" after the advices when there were batches.
  std::string Summary() const;
};

}  // namespace thp

#endif  // THP_RUNTIME_PORT_MEM_LINUX_MADVISE_COUNTERS_H_
