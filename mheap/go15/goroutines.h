// The goroutine table of Go 1.5 (proc1.go, stack1.go) as far as it touches
// the heap: every g ever made (allgs), the free lists of dead gs (per P and
// global, sched.gfree), and each g's stack. newproc1 takes a dead g from
// gfget or else makes one with malg (a 368-byte g struct, size class 384,
// pointerful, on the creating P's mcache, then a 2 KiB stack) and appends it
// to allgs (a []*g that growslice reallocates when it fills; the old array
// becomes garbage). g structs are never freed: allgs keeps them, so they and
// the allgs array are GC roots for the life of the process. A goroutine that
// exits goes back on its P's free list with its stack if that stack is
// exactly 2 KiB; markroot, at mark termination, frees the stack of every
// dead g (shrinkstack on _Gdead), so the next goroutine that reuses one
// allocates a stack anew.
//
// A live g's stack is shrunk only when the workload says how much of it
// the goroutine uses (SetStackUse, which also grows the stack to hold it,
// or SetStackRamp, a use that rises over each op of a loop):
// markroot's shrinkstack at mark termination halves a stack, once per
// cycle, while that use is under a quarter of it (less its stack-barrier
// records, StackBarrierBytes) and the half is at least 2 KiB. A g whose use
// is not given keeps its stack (the workload knows no depth for it).
//
// Left out: what a g does while it runs. Only newproc1, copystack's
// allocate-new/free-old, goexit0's gfput and the GC's freeing and shrinking
// are modelled.
#ifndef THP_MHEAP_GO15_GOROUTINES_H_
#define THP_MHEAP_GO15_GOROUTINES_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "mheap/go15/mcache.h"
#include "mheap/go15/mgc.h"
#include "mheap/go15/stack.h"
#include "runtime_port/base/splitmix64.h"

namespace thp {

// unsafe.Sizeof(runtime.g{}) in go1.5 on linux/amd64; mallocgc rounds it to
// the 384-byte class.
inline constexpr uintptr_t kGStructBytes = 368;
// unsafe.Sizeof(runtime.m{}) in go1.5.1 on linux/amd64 (runtime2.go, field
// by field); mallocgc rounds it to the 1152-byte class, as the recorded
// log's allocm shows.
inline constexpr uintptr_t kMStructBytes = 1040;
// malg's stack sizes in allocm: the g0 stack (8192 * stackGuardMultiplier,
// which is 1 without the race detector) and mpreinit's gsignal stack on
// linux.
inline constexpr uintptr_t kG0StackBytes = 8192;
inline constexpr uintptr_t kGSignalStackBytes = 32 * 1024;
// The bytes go1.5.1's stackalloc keeps at the top of a stack of
// `stack_bytes` for its stack-barrier records (gcMaxStackBarriers records
// of 16 bytes: 32 on 2 KiB, 48 on 4 KiB, 64 on 8 KiB); stack.hi lies below
// them, so shrinkstack's quarter is of the rest.
uintptr_t StackBarrierBytes(uintptr_t stack_bytes);
// gfput moves gs to the global list when a P holds this many dead ones...
inline constexpr int kGFreeLocalMax = 64;
// ...until it holds fewer than this; gfget refills an empty P up to this.
inline constexpr int kGFreeBatch = 32;
// The seed of the places in their ops at which ramped gs resume after a
// cycle (SetStackRamp), in the order the cycles end. Chosen before any
// result, as kMarkShareSeed was; not a Go thing.
inline constexpr uint64_t kRampPhaseSeed = 0x57ac15;

class GoroutineTable final : public GoroutineRoots {
 public:
  // An index into allgs.
  using GIndex = size_t;

  GoroutineTable(Malloc& malloc, GcModel& gc, StackAllocator& stacks, int nprocs);
  GoroutineTable(const GoroutineTable&) = delete;
  GoroutineTable& operator=(const GoroutineTable&) = delete;

  // Mirrors newproc1, Go 1.5, on P p: a dead g from gfget, or malg's new g
  // and 2 KiB stack plus allgadd. The g is running when this returns. Its
  // allocations start no GC cycle (newproc1 runs on the system stack).
  GIndex NewProc(int p);
  // Mirrors copystack, Go 1.5: running g's stack becomes `bytes` (a power of
  // two of at least 2 KiB): the new stack is allocated on P p, then the old
  // one freed there.
  void CopyStack(GIndex g, uintptr_t bytes, int p);
  // Mirrors goexit0's gfput, Go 1.5: running g dies on P p.
  void GoExit(GIndex g, int p);
  // Running g now uses `bytes` of its stack, as shrinkstack (go1.5.1
  // stack1.go) measures it: its depth (stack.hi - sp) plus _StackLimit,
  // the room a function's stack check leaves. If its stack holds less, it
  // doubles on P p until it holds that (newstack: one copystack per
  // doubling); until the next call a GC finds it at that depth. 0: not
  // known (a new or reused g starts so), never grown or shrunk.
  // With `frame_bytes` (0: not stated), the use is a recursion of frames
  // that size (StackFrames).
  void SetStackUse(GIndex g, uintptr_t bytes, uintptr_t frame_bytes, int p);
  // Running g works in a loop of ops of `period_ns` each on P p, starting
  // at `start_ns`, each op a recursion whose use rises evenly from nothing
  // to `bytes` and falls back at the op's end (the descent takes the op's
  // time, the return next to none). Its stack grows now to hold `bytes`;
  // markroot's shrinkstack reads the use where the op is at mark
  // termination, and a stack it halved under `bytes` doubles back on P p
  // as the world restarts (ResumeAfterCycle: the op goes on down). Until
  // the next SetStackUse or SetStackRamp.
  //
  // Where in its op the g is at a mark termination after the first cycle
  // is drawn (kRampPhaseSeed): as the world restarts, ResumeAfterCycle
  // puts each ramped g at a uniform point of its op, each g on its own.
  // Between two cycles a g runs hundreds of ops whose lengths vary, so
  // the model's clock cannot tell where the next mark termination finds
  // it, nor where it finds one g against another. In Go 1.5.1's recorded
  // run, StackGrowthDeep's two workers were halved together at 15 of its
  // last run's 36 mark terminations, one alone at 12 and neither at 9
  // (go15_stack_ramp_test); a ramp on the clock alone halved both or
  // neither, every time. ASSUMPTION: uniform and independent of the last
  // cycle's.
  void SetStackRamp(GIndex g, uintptr_t bytes, int64_t start_ns, int64_t period_ns,
                    uintptr_t frame_bytes, int p);

  // GoroutineRoots: markroot's shrinkstack during mark termination, go1.5.1
  // mgcmark.go, for every g in allgs in order: a dead g's stack is freed; a
  // live g with a known use under a quarter of its stack (less the
  // stack-barrier records) gets a stack of
  // half the size (copystack: the new one allocated, the old freed). gc
  // runs with m.preemptoff set, so both go straight to the global pool.
  void ShrinkStacks(int64_t now_ns) override;
  // Regrows the stacks of ramped gs (SetStackRamp) that shrinkstack left
  // smaller than their ramp's top.
  void ResumeAfterCycle() override;
  // Over the running gs whose frame size is stated: their use at `now_ns`
  // (the ramp's where one is set) over that size, rounded down.
  uint64_t StackFrames(int64_t now_ns) const override;
  // newproc1 of the GC's own goroutine: NewProc(p), running ever after.
  void StartRuntimeGoroutine(int p) override { NewProc(p); }
  // Mirrors allocm, go1.5.1 proc1.go, on P p (its mallocs start no GC
  // cycle: m.locks is held): new(m); mcommoninit's mpreinit makes gsignal
  // (malg: a g struct, then a 32 KiB stack, a span of its own); then g0
  // (a g struct and an 8 KiB stack from the P's stack cache). Neither g is
  // in allgs; allm keeps the m, and the m its two gs, for good.
  void NewM(int p) override;
  // What NewM made, in order.
  struct M {
    uintptr_t m = 0;
    uintptr_t gsignal = 0;
    uintptr_t gsignal_stack = 0;
    uintptr_t g0 = 0;
    uintptr_t g0_stack = 0;
  };
  const std::vector<M>& allm() const { return allm_; }
  // The g structs, the allgs array and the Ms' objects, for the GC.
  void ForEachRoot(const std::function<void(uintptr_t)>& mark) const;

  bool IsRunning(GIndex g) const { return g < gs_.size() && gs_[g].running; }
  size_t LiveGoroutines() const override { return live_; }
  size_t allglen() const override { return gs_.size(); }
  uintptr_t allgs_array() const { return allgs_array_; }
  size_t allgs_cap() const { return allgs_cap_; }
  uintptr_t g_struct(GIndex g) const { return gs_[g].addr; }
  uintptr_t stack_lo(GIndex g) const { return gs_[g].stack_lo; }
  uintptr_t stack_bytes(GIndex g) const { return gs_[g].stack_bytes; }
  uintptr_t stack_use(GIndex g) const { return gs_[g].stack_use; }
  // SetStackRamp's g's place in its op at the ramp's start, as the last
  // ResumeAfterCycle drew it (0 before any).
  int64_t ramp_phase_ns(GIndex g) const { return gs_[g].ramp.phase_ns; }
  size_t local_free(int p) const { return pfree_[static_cast<size_t>(p)].size(); }
  size_t global_free() const { return sched_free_.size(); }

 private:
  struct G {
    uintptr_t addr = 0;         // the g struct
    uintptr_t stack_lo = 0;     // 0: no stack
    uintptr_t stack_bytes = 0;  // stackAlloc
    uintptr_t stack_use = 0;    // SetStackUse's bytes, 0 while not known
    uintptr_t frame_bytes = 0;  // SetStackUse's or SetStackRamp's, 0 while not stated
    // SetStackRamp's, while period_ns > 0.
    struct Ramp {
      uintptr_t bytes = 0;
      int64_t start_ns = 0;
      int64_t period_ns = 0;
      int p = 0;
      int64_t phase_ns = 0;  // how far into an op the g is at start_ns
    } ramp;
    bool running = false;
  };
  // newstack, Go 1.5: running g's stack doubles on P p (one copystack
  // each) until it holds `bytes`.
  void GrowToHold(GIndex g, uintptr_t bytes, int p);
  // The use shrinkstack finds at now_ns: the ramp's where one is set.
  static uintptr_t UseAt(const G& gp, int64_t now_ns);
  // Mirrors gfget and gfput, Go 1.5.
  bool GfGet(int p, GIndex* g);
  void GfPut(int p, GIndex g);
  // Mirrors allgadd, Go 1.5 (append through growslice on P p).
  void AllgAdd(GIndex g, int p);

  Malloc& malloc_;
  GcModel& gc_;
  StackAllocator& stacks_;
  SplitMix64 ramp_phases_{kRampPhaseSeed};  // ResumeAfterCycle's draws
  std::vector<M> allm_;                     // the Ms NewM made
  std::vector<G> gs_;                       // allgs, in allgadd order
  size_t live_ = 0;                         // the gs in gs_ that are running
  uintptr_t allgs_array_ = 0;               // allgs' backing array (0 while nil)
  size_t allgs_cap_ = 0;
  std::vector<std::vector<GIndex>> pfree_;  // p.gfree, back() is the head
  std::vector<GIndex> sched_free_;          // sched.gfree, back() is the head
};

}  // namespace thp

#endif  // THP_MHEAP_GO15_GOROUTINES_H_
