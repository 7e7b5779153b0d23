// Exact replay of Go 1.5.1's page heap through the port: drives the ported
// MHeap (mheap/go15/mheap.h, not the workload models) with the span
// requests, frees and scavenger passes of a heap-event log recorded from Go
// 1.5.1's own runtime (tools/go151/FORMAT.md), at their recorded times, and
// compares every decision the port makes with the one Go recorded, in
// order. The first that differs stops the replay as a Divergence naming the
// record, the field, both values and the heap around it.
//
// What drives the port (each at its record's time on the VirtualClock):
//   alloc (caller small/large/stack)  MHeap::Alloc / MHeap::AllocStack
//   free, why 1-3                     MHeap::Free(acct = why 2) / FreeStack,
//                                     on the port's span at that page, its
//                                     sweepgen set as Go's sweeper sets it
//   scavenge (k, now, limit)          MHeap::Scavenge(now, limit)
//   gc_sweepgen                       MHeap::CopySpansForGC (gcSweep's
//                                     gcCopySpans), MHeap::AdvanceSweepgen
//   gc_mark_term                      MHeap::CopySpansForGC (gcMark's)
//   heap_init                         the MHeap is made (mallocinit)
// What is compared (record by record, every field unless said):
//   sys_reserve, heap_init (the arena layout and the heap's constants),
//   grow, sys_map, every free (grow and trim frees inside an allocation as
//   the port made them; the merged span of every free), sys_used,
//   alloc_done, sys_unused, scavenge_done, gc_sweepgen, and each madvise's
//   range and advice when the replay runs the variant the log was recorded
//   with (a madvise's result is the kernel's: a different result is tallied,
//   not a divergence). sys_alloc and sys_free are tallied only: their
//   callers off the heap differ (the port's persistentalloc and allspans
//   against all of Go's), and their addresses are the kernel's.
//
// Time: Go's nanotime() inside mHeap_FreeSpanLocked (the stamp of a freed
// span, read before the record's own time) is answered with the value the
// record gives (record time minus unusedsince_age); everything else runs at
// the record's time. An allocation's records are read to its alloc_done
// before the port runs it, so the stamp of its grow's free is known.
//
// Variants: the Go 1.5 heap decides the same whatever the memory layer
// does, so any variant whose heap decisions do not depend on it can replay
// any log ("what would variant V have done with Go 1.5.1's exact heap
// history"); only the madvise calls are then left unchecked. The
// chunk-tracking variants (hugepage_eager, collapse, try_collapse) change
// which spans the scavenger releases and are refused.
#ifndef THP_MHEAP_GO15_REPLAY_HEAP_REPLAY_H_
#define THP_MHEAP_GO15_REPLAY_HEAP_REPLAY_H_

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "mheap/go15/events/heap_event.h"
#include "mheap/go15/mheap.h"
#include "mheap/go15/replay/port_decisions.h"
#include "runtime_port/base/clock.h"
#include "runtime_port/kernel/kernel.h"
#include "runtime_port/mem_linux/mem_linux.h"

namespace thp {
namespace heaplog {

struct ReplayOptions {
  std::string variant = "prefix";  // the memory-layer variant to replay through
  // The build the log was recorded with (its config record's `build`), ""
  // if unknown. madvise calls are compared only when it equals `variant`;
  // a config record naming another build is an error.
  std::string recorded_build;
  int nprocs = 1;  // GOMAXPROCS: persistentalloc chunks only, no heap decision
  // Write every span the heap hands out, as the Go program did: touched
  // memory has an anon_vma, which decides which VMAs the kernel may merge
  // (as vma_repro's workloads do). No decision depends on it.
  bool touch_memory = true;
};

// The first decision where the port and Go differ.
struct Divergence {
  uint64_t record_index = 0;  // 0-based, in the log
  uint64_t offset = 0;        // byte offset of the record (uncompressed)
  std::string kind;           // the recorded record's kind ("alloc_done")
  std::string field;          // the field that differs ("page"; "kind" for a missing or extra call)
  std::string recorded;       // Go's value
  std::string port;           // the port's value
  std::string record;         // the recorded record as text
  std::string context;        // the allocation or scavenge pass it belongs to, if any
  std::string benchmark;      // the benchmark running then
  std::string heap_state;     // DescribeHeapAround at the decision

  // A few lines: where, what, both values, then the heap state.
  std::string Describe() const;
};

struct ReplayCounts {
  int64_t records = 0;
  // Recorded decisions compared with the port's, in all and by kind.
  int64_t decisions = 0;
  std::array<int64_t, kNumKinds> checked{};
  int64_t allocs = 0;
  int64_t frees_applied = 0;  // why 1-3
  int64_t scavenges = 0;
  int64_t gc_cycles = 0;       // gc_sweepgen records
  int64_t benchmarks = 0;
  // madvise calls left unchecked because the variant is not the recorded
  // build: Go's and the port's.
  int64_t madvise_unchecked_go = 0;
  int64_t madvise_unchecked_port = 0;
  // Compared madvise calls whose result (the kernel's) differed.
  int64_t madvise_result_mismatches = 0;
  std::string first_result_mismatch;
  // Go's madvise calls by advice (Linux's number), checked or not.
  std::map<uint64_t, int64_t> go_madvise;
  // Off-heap allocations: Go's sys_alloc/sys_free records (the port's are
  // in PortDecisions).
  SysTally go_sys_alloc, go_sys_free;

  int64_t Checked(Kind k) const { return checked[static_cast<size_t>(k) - 1]; }
};

class HeapReplay {
 public:
  // The memory layer `variant` on `kernel`; `clock` is the runtime's
  // nanotime(), set by the replay. InvalidArgument for an unknown variant
  // or a chunk-tracking one; FailedPrecondition if the kernel lacks an
  // advice the variant needs.
  static absl::StatusOr<std::unique_ptr<HeapReplay>> Create(Kernel& kernel, VirtualClock& clock,
                                                            ReplayOptions options);
  HeapReplay(const HeapReplay&) = delete;
  HeapReplay& operator=(const HeapReplay&) = delete;

  // Applies the next record of the log, in log order. After a divergence
  // it does nothing. An error means the log cannot be replayed exactly
  // (records lost, a config naming another build, a record out of place).
  absl::Status Apply(const HeapEvent& e);
  // The log has been read to its end: an error if a bracket is still open
  // or the heap never started.
  absl::Status Finish();

  bool check_madvise() const { return check_madvise_; }
  const std::optional<Divergence>& divergence() const { return divergence_; }
  const ReplayCounts& counts() const { return counts_; }
  const PortDecisions& port() const { return port_; }
  // The port's heap; nullptr before heap_init.
  const MHeap* heap() const { return heap_.get(); }
  MemLinux& mem() { return *mem_; }
  const std::string& benchmark() const { return benchmark_; }

 private:
  HeapReplay(VirtualClock& clock, ReplayOptions options, std::unique_ptr<MemLinux> mem);

  struct Indexed {
    uint64_t index;
    HeapEvent e;
  };

  absl::Status StartHeap(const Indexed& r);
  absl::Status RunAlloc();
  absl::Status ApplyFree(const Indexed& r);
  absl::Status StartScavenge(const Indexed& r);
  // Compares a recorded decision with the port's next one.
  void Match(const Indexed& r);
  // At the end of a unit of work: the port must have nothing left.
  void ExpectNothingMore(const Indexed& r);
  // Records that only tally or inform (GC, benchmarks, sys_alloc, ...).
  absl::Status Note(const Indexed& r);
  void Diverge(const Indexed& r, std::string field, std::string recorded, std::string port,
               uintptr_t addr, std::vector<uint64_t> sizes);
  bool IsDecision(const HeapEvent& e) const;

  VirtualClock& clock_;
  ReplayOptions options_;
  bool check_madvise_ = false;
  std::unique_ptr<MemLinux> mem_;
  std::unique_ptr<MHeap> heap_;
  PortDecisions port_;
  uint64_t next_index_ = 0;
  std::vector<Indexed> pre_init_;  // sys_reserve records before heap_init
  std::vector<Indexed> bracket_;   // an open alloc ... alloc_done
  std::optional<Indexed> scavenge_;  // an open scavenge pass
  std::string benchmark_ = "(startup)";
  bool ended_ = false;
  std::optional<Divergence> divergence_;
  ReplayCounts counts_;
};

// The log's config record, read from its start (it follows the first few
// dozen records); nullopt if the log has none.
absl::StatusOr<std::optional<Config>> PeekConfig(const std::string& path);

}  // namespace heaplog
}  // namespace thp

#endif  // THP_MHEAP_GO15_REPLAY_HEAP_REPLAY_H_
