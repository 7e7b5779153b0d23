// The ported Go 1.21 runtime (go1.21.0 = master 21ff9be0eb) as a workload
// uses it, with the public shape of the Go 1.5 port's thp::Runtime
// (mheap/go15/runtime.h) so that one trace replayer can drive either:
// Create, Allocate, AllocateTransient(Run), AllocateHeld/DropHeldTo, Drop,
// NewStack/FreeStack, goroutines (goroutines.h), GC.
// Wired in mallocinit/gcinit's order: the memory layer variant, the page
// heap, the pacer (GOGC, GOMEMLIMIT), the sweeper and central lists, the
// mcaches, the stack allocator, the GC model and the background scavenger.
//
// The background scavenger is an event-driven goroutine (bg_scavenger.h):
// the sweep that drains readies it (sysmon then wakes it: SysmonCheck) and
// finishsweep_m wakes it directly.
//
// RunUntil (background.h) runs the background scavenger, sysmon's forced GC
// and the background sweeper as virtual time passes.
// RuntimeOptions::touch_memory writes every span handed out.
#ifndef THP_MHEAP_GO121_RUNTIME_H_
#define THP_MHEAP_GO121_RUNTIME_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "mheap/heap_runtime/live_handles.h"
#include "absl/status/statusor.h"
#include "mheap/go121/background.h"
#include "mheap/go121/goroutines.h"
#include "mheap/go121/mcache.h"
#include "mheap/go121/mem_linux.h"
#include "mheap/go121/mgc.h"
#include "mheap/go121/mgcpacer.h"
#include "mheap/go121/mgcsweep.h"
#include "mheap/go121/mheap.h"
#include "mheap/go121/stack.h"
#include "runtime_port/base/clock.h"
#include "runtime_port/kernel/kernel.h"
#include "scavenger/go121/bg_scavenger.h"

namespace thp {
namespace go121 {

struct RuntimeOptions {
  std::string variant = "hugepage_eager";  // go1.21.0's advice (mem_linux.h)
  std::string gogc = "100";          // GOGC ("" = unset, "off")
  int64_t gomemlimit = INT64_MAX;    // GOMEMLIMIT in bytes
  int gomaxprocs = 2;
  // The workload writes the memory it gets: every span the heap hands out
  // (objects or stacks) is written whole through the kernel, so resident
  // and AnonHugePages bytes mean what they mean for a Go program, whose
  // pages become resident when first written (again after a release). Off,
  // only the address space is modelled. Decisions never depend on it.
  bool touch_memory = false;
  // Watches the memory layer from the heap's first call on (not owned; may
  // be null; outlives the runtime): the memory-layer stream's recorder.
  MemLinuxObserver* mem_observer = nullptr;
  // MAP_NORESERVE on sysMap (mem_linux.h's MemOptions): for drivers that
  // map more than the machine has; changes no VMA decision.
  bool map_noreserve = false;
  // sysmon's usleep overshoot (scavenger/go121/sysmon.h).
  int64_t sysmon_usleep_overshoot_ns = 100'000;
};

// readGOGC, but rejecting what Go would silently read as 100.
absl::StatusOr<int32_t> ParseGogc(const std::string& value);

class Runtime final : private RootSet {
 public:
  static absl::StatusOr<std::unique_ptr<Runtime>> Create(Kernel& kernel, const Clock& clock,
                                                         const RuntimeOptions& options);
  ~Runtime() override;

  // A new object of `size` bytes on P p; it stays live until dropped.
  absl::StatusOr<uintptr_t> Allocate(uintptr_t size, bool noscan, int p);
  // An object dropped as soon as it is allocated (live only to a cycle its
  // own allocation starts).
  absl::Status AllocateTransient(uintptr_t size, bool noscan, int p);
  // `count` transient allocations in a row with nothing between them: the
  // decisions of `count` AllocateTransient calls (Malloc's
  // MallocGCTransientRun takes a cached span's free slots in one step).
  // Returns `count`: no allocation here waits for the GC.
  absl::StatusOr<int64_t> AllocateTransientRun(uintptr_t size, bool noscan, int p, int64_t count);
  absl::Status Drop(uintptr_t handle);
  // A stack of objects held without naming them (a loop's retained objects,
  // or a batch dropped all at once): Allocate onto the top, drop from the
  // top back to an earlier height. Roots like any live handle.
  absl::Status AllocateHeld(uintptr_t size, bool noscan, int p);
  size_t held_height() const { return live_.held_height(); }
  void DropHeldTo(size_t height) {
    live_.DropHeldTo(height);
  }
  // The trace's `chain` flag: ignored here, where a cycle takes no time.
  void set_chain_links(bool on) { (void)on; }
  // Goroutine stacks with no g (n a power of two, at least 2 KiB).
  absl::StatusOr<uintptr_t> NewStack(uintptr_t n, int p);
  absl::Status FreeStack(uintptr_t lo, int p);
  // Goroutines (goroutines.h): `go` on P p (newproc1), its stack growing
  // (or shrinking) to n bytes (copystack), its exit on P p (goexit0). A
  // goroutine is named by its index in allgs, reused once it has exited.
  absl::StatusOr<size_t> NewGoroutine(int p);
  absl::Status GrowGoroutine(size_t g, uintptr_t n, int p);
  absl::Status ExitGoroutine(size_t g, int p);
  // Checked, then ignored: a g has no frames here, so neither newstack's
  // growth to a depth nor scanstack's shrinkstack is modelled
  // (goroutines.h).
  absl::Status SetGoroutineStackUse(size_t g, uintptr_t bytes, uintptr_t frame_bytes, int p);
  absl::Status SetGoroutineStackRamp(size_t g, uintptr_t bytes, int64_t period_ns,
                                     uintptr_t frame_bytes, int p);
  // runtime.GC.
  void GC() { gc_->GC(); }
  // runtime.ReadMemStats, go1.21.0 mstats.go: readmemstats_m first runs
  // flushallmcaches (flushmcache on every P: mcache.releaseAll, then
  // stackcache_clear). The world is stopped and, this port's cycles being
  // instantaneous, no cycle runs, so a stack span left empty goes back to
  // the heap at once.
  void ReadMemStats();
  // debug.FreeOSMemory: runtime.GC, then mheap_.scavengeAll.
  void FreeOSMemory();
  // GODEBUG=scavtrace=1: printScavTrace's line (gctrace.h) goes to `w`
  // (empty: none) where Go 1.21 prints it: when the last sweep drains the
  // sweep list (sweepone, before it readies the background scavenger), with
  // the background and allocation-time releases since the last such line;
  // and at the end of scavengeAll (FreeOSMemory), forced, with what it
  // released as eager work.
  void set_scavtrace(std::function<void(const std::string& line)> w) {
    scavtrace_ = std::move(w);
  }
  // What runs while the program computes (idle false) or sleeps (idle
  // true) from the clock's time up to until_ns: the background scavenger,
  // sysmon (scavenger wake, forced GC) and the background sweeper, in
  // virtual-time order; set_clock(t) before each action (background.h).
  void RunUntil(int64_t until_ns, bool idle, const std::function<void(int64_t)>& set_clock) {
    background_->RunUntil(until_ns, idle, set_clock);
  }
  // Scavenge passes (background scavenger runs, allocations that released
  // memory, FreeOSMemory's scavengeAll) and the bytes they released.
  int64_t scavenge_passes() const;
  uint64_t released_bytes_total() const;

  MHeap& heap() { return *heap_; }
  GcController& pacer() { return *pacer_; }
  Sweeper& sweeper() { return *sweeper_; }
  Malloc& malloc() { return *malloc_; }
  GcModel& gc() { return *gc_; }
  StackAllocator& stacks() { return *stacks_; }
  const GoroutineTable& goroutines() const { return *goroutines_; }
  BackgroundScavenger& scavenger() { return *scavenger_; }
  const BackgroundWork& background() const { return *background_; }
  MemLinux& mem() { return *mem_; }
  // Distinct live object addresses, held ones included (tiny objects can
  // share one).
  size_t live_objects() const { return live_.distinct(); }
  int gomaxprocs() const { return options_.gomaxprocs; }

 private:
  Runtime(std::unique_ptr<MemLinux> mem, const Clock& clock, const RuntimeOptions& options,
          int32_t gogc);
  void ForEachLive(const std::function<void(uintptr_t)>& mark) const override;
  // printScavTrace (go1.21.0 mgcscavenge.go).
  void PrintScavTrace(uint64_t released_bg, uint64_t released_eager, bool forced);
  absl::Status CheckP(int p) const;
  absl::Status CheckRunning(size_t g, const char* what) const;

  RuntimeOptions options_;
  std::unique_ptr<MemLinux> mem_;
  std::unique_ptr<MHeap> heap_;
  std::unique_ptr<GcController> pacer_;
  std::unique_ptr<Sweeper> sweeper_;
  std::unique_ptr<GcModel> gc_;
  std::unique_ptr<Malloc> malloc_;
  std::unique_ptr<StackAllocator> stacks_;
  std::unique_ptr<BackgroundScavenger> scavenger_;
  std::unique_ptr<GoroutineTable> goroutines_;
  std::unique_ptr<BackgroundWork> background_;
  int64_t forced_scavenges_ = 0;
  std::function<void(const std::string&)> scavtrace_;
  // pages.scav.releasedBg and releasedEager as of the last scavtrace line.
  uint64_t released_bg_printed_ = 0;
  uint64_t released_eager_printed_ = 0;
  uint64_t forced_released_ = 0;
  LiveHandles live_;  // what the workload holds: the mark's roots
  absl::btree_map<uintptr_t, uintptr_t> stacks_live_;  // lo -> size
};

}  // namespace go121
}  // namespace thp

#endif  // THP_MHEAP_GO121_RUNTIME_H_
