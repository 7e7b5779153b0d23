// The ported Go 1.5 runtime as a workload uses it: one object holding the
// memory layer variant, the heap, the allocator, the stack allocator and the
// GC model, wired in mallocinit's order, with a checked API. Workloads
// allocate objects and stacks by handle (address), say which handles they
// drop, and ask for runtime.GC; everything else (when cycles run, which spans
// are swept, what the scavenger releases) follows Go 1.5's rules.
//
// Bad input is a failed Status naming the value, never a corrupted heap: an
// allocation size of 0 or beyond the 512 GiB arena, dropping a handle that is
// not live, a GOGC value that is neither "off" nor a non-negative integer.
#ifndef THP_MHEAP_GO15_RUNTIME_H_
#define THP_MHEAP_GO15_RUNTIME_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "mheap/heap_runtime/live_handles.h"
#include "absl/base/optimization.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runtime_port/base/clock.h"
#include "mheap/go15/goroutines.h"
#include "mheap/go15/mcache.h"
#include "mheap/go15/mgc.h"
#include "mheap/go15/mheap.h"
#include "mheap/go15/mark_share.h"
#include "mheap/go15/stack.h"
#include "mheap/go15/sudog_cache.h"
#include "runtime_port/mem_linux/mem_linux.h"

namespace thp {

// The fixed seed of RuntimeOptions::sweep_wait_seed: every run draws the
// same passes in the same order; another seed shows how much one sequence
// of draws moves a figure.
inline constexpr uint64_t kSweepWaitSeed = 0x5eed16;

struct RuntimeOptions {
  std::string variant = "fixed";
  std::string gogc = "100";  // the GOGC environment variable's value ("" = unset)
  int gomaxprocs = 2;
  // GOMEMLIMIT in bytes, read by the Go 1.21 heap only (Go 1.5 has no
  // memory limit; this heap ignores it).
  int64_t gomemlimit = INT64_MAX;
  bool map_noreserve = false;
  // The workload writes the memory it gets: every span the heap hands out
  // (objects or stacks) is touched, so RSS and AnonHugePages mean what they
  // would for a Go program. Off, only the address space is modelled.
  bool touch_memory = false;
  // The seed of the GC model's draws of the program's share of each
  // background mark (mark_share.h).
  uint64_t mark_share_seed = kMarkShareSeed;
  // The seed of the draws of whether a sysmon scavenge pass due inside a
  // sweep reads its clock late or waits for the heap lock
  // (Go15HeapRuntime, mheap/heap_runtime).
  uint64_t sweep_wait_seed = kSweepWaitSeed;
  // How fast the machine runs the runtime's own work against the recorded
  // run's (GcModel::set_cpu_scale): 1 is that run's machine.
  double cpu_scale = 1.0;
  // Watches the memory layer from the heap's first call on (not owned; may
  // be null; outlives the runtime): the memory-layer stream's recorder.
  MemLinuxObserver* mem_observer = nullptr;
};

// Parses GOGC as Go 1.5 reads it ("" -> 100, "off" -> -1), but rejects what
// Go would silently turn into 0 (anything not a non-negative integer).
absl::StatusOr<int> ParseGogc(const std::string& value);

// The largest stack, stack use or frame the runtime takes (1 GiB; Go 1.5
// caps a goroutine's stack at maxstacksize, 1e9 bytes on 64-bit).
inline constexpr uintptr_t kMaxStackBytes = uintptr_t{1} << 30;

class Runtime final : private RootSet {
 public:
  static absl::StatusOr<std::unique_ptr<Runtime>> Create(Kernel& kernel, const Clock& clock,
                                                         const RuntimeOptions& options);

  // A new object of `size` bytes on P `p`; it stays live until dropped.
  absl::StatusOr<uintptr_t> Allocate(uintptr_t size, bool noscan, int p);
  // acquireSudog on P p (sudog_cache.h): a goroutine blocks; the sudog is
  // held until ReleaseSudog.
  absl::StatusOr<uintptr_t> AcquireSudog(int p);
  // releaseSudog on P p: the goroutine holding `s` woke; `s` goes back to
  // the caches.
  absl::Status ReleaseSudog(uintptr_t s, int p);
  // An object the workload lets go of as soon as it has it (Allocate then
  // Drop with nothing between): garbage from birth, except that a GC cycle
  // its own allocation starts still sees it live, as Go's would.
  absl::Status AllocateTransient(uintptr_t size, bool noscan, int p);
  // `count` transient allocations in a row with nothing between them (no
  // time passing, no other event): the decisions of `count` calls of
  // AllocateTransient, made in one step where Go's would not differ.
  // Returns how many it made: fewer than `count` when one leaves the
  // program waiting for the marking cycle's end (GcModel::
  // program_waits_for_mark), the run ending after it, or, with
  // `stop_before_refill`, before the first one that would refill
  // (Malloc::NeedsRefill), which it does not make.
  absl::StatusOr<int64_t> AllocateTransientRun(uintptr_t size, bool noscan, int p, int64_t count,
                                               bool stop_before_refill = false);
  // The workload no longer holds `handle`.
  absl::Status Drop(uintptr_t handle);
  // A stack of objects the workload holds without naming them one by one
  // (a loop's retained objects, or a batch it drops all at once): Allocate
  // onto the top, and drop from the top back to an earlier height. Roots
  // like any live handle.
  absl::Status AllocateHeld(uintptr_t size, bool noscan, int p) {
    if (absl::Status st = CheckAllocation(size, p); !st.ok()) return st;
    live_.PushHeld(malloc_->MallocGC(size, noscan, p), chain_links_);
    return absl::OkStatus();
  }
  // While set, each object Allocate and AllocateHeld make is the next link
  // of a singly linked chain (the trace's `chain` flag), which the GC
  // marks one link at a time (mgc.h, kChainLinkMarkNs).
  void set_chain_links(bool on) { chain_links_ = on; }
  size_t held_height() const { return live_.held_height(); }
  void DropHeldTo(size_t height) {
    live_.DropHeldTo(height);
  }
  // Goroutine stacks (n a power of two, at least 2 KiB) with no g: raw
  // stackalloc and stackfree.
  absl::StatusOr<uintptr_t> NewStack(uintptr_t n, int p);
  absl::Status FreeStack(uintptr_t lo, int p);
  // Goroutines (goroutines.h): `go` on P p (newproc1), its stack growing or
  // shrinking to n bytes (copystack), its exit on P p (goexit0). A goroutine
  // is named by its index in allgs, reused once it has exited.
  absl::StatusOr<size_t> NewGoroutine(int p);
  absl::Status GrowGoroutine(size_t g, uintptr_t n, int p);
  absl::Status ExitGoroutine(size_t g, int p);
  // How much of its stack running goroutine g uses from now on, its stack
  // grown on P p to hold it (GoroutineTable::SetStackUse; 0: not known),
  // a recursion of `frame_bytes` frames (0: not stated).
  absl::Status SetGoroutineStackUse(size_t g, uintptr_t bytes, uintptr_t frame_bytes, int p);
  absl::Status SetGoroutineStackRamp(size_t g, uintptr_t bytes, int64_t period_ns,
                                     uintptr_t frame_bytes, int p);
  // runtime.GC(): a forced cycle that sweeps everything before returning,
  // its world stopped now (a driver that moves the clock lets the stop
  // pass first and calls GcModel::ForceBlockingGC: Go15HeapRuntime).
  void GC() { gc_->StartGC(GcMode::kForceBlock, false); }
  // runtime.ReadMemStats, go1.5.1 mstats.go (what testing's StartTimer and
  // StopTimer call): stopTheWorld takes worldsema, which gc holds from a
  // cycle's start to its sweep's start, so a cycle still marking finishes
  // now (a driver that moves the clock lets its mark run to its end first:
  // Go15HeapRuntime); then readmemstats_m's cache work
  // (GcModel::UpdateMemStats).
  void ReadMemStats() {
    if (gc_->marking()) gc_->FinishMark();
    gc_->UpdateMemStats();
  }

  MHeap& heap() { return *heap_; }
  const MHeap& heap() const { return *heap_; }
  Malloc& malloc() { return *malloc_; }
  GcModel& gc() { return *gc_; }
  StackAllocator& stacks() { return *stacks_; }
  const GoroutineTable& goroutines() const { return *goroutines_; }
  MemLinux& mem() { return *mem_; }
  // Distinct live object addresses (tiny objects can share one).
  size_t live_objects() const { return live_.distinct(); }
  int gomaxprocs() const { return options_.gomaxprocs; }

 private:
  Runtime(std::unique_ptr<MemLinux> mem, const Clock& clock, const RuntimeOptions& options, int gogc);
  void ForEachLive(const std::function<void(uintptr_t)>& mark) const override;
  size_t LiveChainLinks() const override { return live_.chain_links(); }
  // The checks every event passes: inline, with the message built out of
  // line only when one fails (they run once per modelled object).
  absl::Status CheckP(int p) const {
    if (ABSL_PREDICT_TRUE(p >= 0 && p < options_.gomaxprocs)) return absl::OkStatus();
    return BadP(p);
  }
  absl::Status CheckAllocation(uintptr_t size, int p) const {
    if (ABSL_PREDICT_TRUE(p >= 0 && p < options_.gomaxprocs && size != 0 && size <= kArenaBytes)) {
      return absl::OkStatus();
    }
    return BadAllocation(size, p);
  }
  absl::Status BadP(int p) const;
  absl::Status BadAllocation(uintptr_t size, int p) const;
  absl::Status CheckStackSize(uintptr_t n) const;
  absl::Status CheckRunning(size_t g, absl::string_view what) const;
  // `what` ("stack use of") and `bytes`, refused above kMaxStackBytes.
  static absl::Status CheckAtMostMaxStack(absl::string_view what, uintptr_t bytes);

  RuntimeOptions options_;
  std::unique_ptr<MemLinux> mem_;
  std::unique_ptr<MHeap> heap_;
  std::unique_ptr<StackAllocator> stacks_;
  std::unique_ptr<GcModel> gc_;
  std::unique_ptr<Malloc> malloc_;
  std::unique_ptr<GoroutineTable> goroutines_;
  // handle -> how many times it is held; sorted, so marking walks the heap
  // in address order. The goroutine table's g structs and allgs array are
  // roots too.
  LiveHandles live_;  // what the workload holds: the mark's roots
  std::unique_ptr<SudogCache> sudogs_;  // roots too
  bool chain_links_ = false;  // set_chain_links
  absl::btree_map<uintptr_t, uintptr_t> stacks_live_;  // lo -> size
};

}  // namespace thp

#endif  // THP_MHEAP_GO15_RUNTIME_H_
