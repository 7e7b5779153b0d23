// The goroutine table of Go 1.21 (proc.go, stack.go, mgcmark.go of go1.21.0
// = master 21ff9be0eb) as far as it touches the heap: allgs, the free lists
// of dead gs, and each g's stack.
//
// Ported: newproc1's gfget-or-malg (a g struct of unsafe.Sizeof(g{}) = 408
// bytes on linux/amd64, mallocgc'd pointerful in the 416-byte class on the
// creating P, then stackalloc of the starting size) and allgadd (append to
// allgs through growslice; the old array becomes garbage); gfput (a stack
// of any other size than startingStackSize is freed, a standard one kept;
// a P holding 64 dead gs hands all but 31 to the global lists, split into
// gs with and without stacks); gfget (an empty P takes up to 32 from the
// global lists, gs with stacks first; a kept stack of the wrong size is
// freed, a missing one allocated); copystack's allocate-new-then-free-old;
// gdestroy's and newproc1's addScannableStack with the per-P 8 KiB slack;
// and markrootFreeGStacks: every cycle frees the stacks of the dead gs on
// the global list with stacks and moves them to the list without (the
// dead gs cached on Ps keep theirs). g structs are never freed: they and
// the allgs array are GC roots for the life of the process.
//
// newproc1 runs on the system stack, so its mallocs start no GC cycle.
//
// Simplified: a goroutine has no frames, so (1) startingStackSize stays
// fixedStack (2 KiB): gcComputeStartingStackSize (adaptivestackstart=1,
// the 1.21 default) would raise it only if the stacks scanned averaged
// more than 2048 - stackGuard = 1120 bytes in use; (2) scanstack's
// shrinkstack of live gs (halving a stack less than a quarter used) is not
// modelled; (3) markrootFreeGStacks frees with no P (stackfree straight to
// the pools, where Go's mark worker goes through its P's stack cache, which
// mark termination's stackcache_clear empties into the same pools).
#ifndef THP_MHEAP_GO121_GOROUTINES_H_
#define THP_MHEAP_GO121_GOROUTINES_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "mheap/go121/mcache.h"
#include "mheap/go121/mgc.h"
#include "mheap/go121/mgcpacer.h"
#include "mheap/go121/stack.h"

namespace thp {
namespace go121 {

// unsafe.Sizeof(runtime.g{}) in go1.21 on linux/amd64 (sizeof_test.go).
inline constexpr uintptr_t kGStructBytes = 408;
// gfput hands gs to the global lists when a P holds this many...
inline constexpr size_t kGFreeLocalMax = 64;
// ...until it holds fewer than this; gfget refills an empty P up to it.
inline constexpr size_t kGFreeBatch = 32;
// maxStackScanSlack.
inline constexpr int64_t kMaxStackScanSlack = 8 << 10;

class GoroutineTable {
 public:
  using GIndex = size_t;  // index into allgs

  GoroutineTable(Malloc& malloc, GcModel& gc, StackAllocator& stacks, GcController& pacer,
                 int nprocs);
  GoroutineTable(const GoroutineTable&) = delete;
  GoroutineTable& operator=(const GoroutineTable&) = delete;

  // newproc1 on P p; the g is running when this returns.
  GIndex NewProc(int p);
  // copystack: running g's stack becomes `bytes` (a power of two, at least
  // 2 KiB) on P p.
  void CopyStack(GIndex g, uintptr_t bytes, int p);
  // goexit0 (gdestroy, gfput): running g dies on P p.
  void GoExit(GIndex g, int p);
  // markrootFreeGStacks; call while the GC runs.
  void FreeGStacks();
  // The g structs and the allgs array, for the GC.
  void ForEachRoot(const std::function<void(uintptr_t)>& mark) const;

  bool IsRunning(GIndex g) const { return g < gs_.size() && gs_[g].running; }
  size_t allglen() const { return gs_.size(); }
  uintptr_t allgs_array() const { return allgs_array_; }
  size_t allgs_cap() const { return allgs_cap_; }
  uintptr_t g_struct(GIndex g) const { return gs_[g].addr; }
  uintptr_t stack_lo(GIndex g) const { return gs_[g].stack_lo; }
  uintptr_t stack_bytes(GIndex g) const { return gs_[g].stack_bytes; }
  size_t local_free(int p) const { return pfree_[static_cast<size_t>(p)].size(); }
  size_t global_free_stack() const { return sched_stack_.size(); }
  size_t global_free_nostack() const { return sched_nostack_.size(); }
  uintptr_t starting_stack_size() const { return starting_stack_size_; }
  int64_t max_stack_scan_delta(int p) const { return stack_scan_delta_[static_cast<size_t>(p)]; }

 private:
  struct G {
    uintptr_t addr = 0;         // the g struct
    uintptr_t stack_lo = 0;     // 0: no stack
    uintptr_t stack_bytes = 0;  // stack.hi - stack.lo
    bool running = false;
  };
  bool GfGet(int p, GIndex* g);
  void GfPut(int p, GIndex g);
  void AllgAdd(int p);
  // gcControllerState.addScannableStack on P p.
  void AddScannableStack(int p, int64_t amount);

  Malloc& malloc_;
  GcModel& gc_;
  StackAllocator& stacks_;
  GcController& pacer_;
  uintptr_t starting_stack_size_ = kFixedStack;
  std::vector<G> gs_;  // allgs, in allgadd order
  uintptr_t allgs_array_ = 0;
  size_t allgs_cap_ = 0;
  // gLists, back() is the head: pp.gFree, sched.gFree.stack and .noStack.
  std::vector<std::vector<GIndex>> pfree_;
  std::vector<GIndex> sched_stack_;
  std::vector<GIndex> sched_nostack_;
  std::vector<int64_t> stack_scan_delta_;  // pp.maxStackScanDelta
};

}  // namespace go121
}  // namespace thp

#endif  // THP_MHEAP_GO121_GOROUTINES_H_
