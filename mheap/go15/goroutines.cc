#include "mheap/go15/goroutines.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "mheap/go15/msize.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace {

constexpr uintptr_t kPtrSize = 8;

}  // namespace

GoroutineTable::GoroutineTable(Malloc& malloc, GcModel& gc, StackAllocator& stacks, int nprocs)
    : malloc_(malloc), gc_(gc), stacks_(stacks), pfree_(static_cast<size_t>(nprocs)) {}

bool GoroutineTable::GfGet(int p, GIndex* out) {
  std::vector<GIndex>& local = pfree_[static_cast<size_t>(p)];
  if (local.empty()) {
    // Take a batch from the global list, one g at a time (head to head).
    while (local.size() < static_cast<size_t>(kGFreeBatch) && !sched_free_.empty()) {
      local.push_back(sched_free_.back());
      sched_free_.pop_back();
    }
  }
  if (local.empty()) return false;
  const GIndex g = local.back();
  local.pop_back();
  G& gp = gs_[g];
  if (gp.stack_lo == 0) {
    // Its stack was freed (by gfput or by the GC): a fresh fixed-size one.
    gp.stack_lo = stacks_.Alloc(kFixedStack, p);
    gp.stack_bytes = kFixedStack;
  }
  *out = g;
  return true;
}

void GoroutineTable::GfPut(int p, GIndex g) {
  G& gp = gs_[g];
  if (gp.stack_bytes != kFixedStack) {
    stacks_.Free(gp.stack_lo, gp.stack_bytes, p);
    gp.stack_lo = 0;
    gp.stack_bytes = 0;
  }
  std::vector<GIndex>& local = pfree_[static_cast<size_t>(p)];
  local.push_back(g);
  if (local.size() >= static_cast<size_t>(kGFreeLocalMax)) {
    while (local.size() >= static_cast<size_t>(kGFreeBatch)) {
      sched_free_.push_back(local.back());
      local.pop_back();
    }
  }
}

void GoroutineTable::AllgAdd(GIndex g, int p) {
  (void)g;  // gs_ already holds it: it is a root while the array grows
  if (gs_.size() <= allgs_cap_) return;
  // growslice, Go 1.5, for a []*g of len allglen-1 needing one more slot.
  const uintptr_t bytes = GrowSliceBytes(kPtrSize, gs_.size() - 1, allgs_cap_, gs_.size());
  // The old array stays a root until the new one is in place.
  const uintptr_t array = malloc_.MallocGC(bytes, /*noscan=*/false, p);
  allgs_array_ = array;
  allgs_cap_ = bytes / kPtrSize;
}

GoroutineTable::GIndex GoroutineTable::NewProc(int p) {
  // newproc1 runs on the g0 stack (systemstack): startGC does nothing there.
  SystemStackScope on_g0(gc_);
  GIndex g = 0;
  if (!GfGet(p, &g)) {
    // malg(_StackMin), then allgadd.
    const uintptr_t addr = malloc_.MallocGC(kGStructBytes, /*noscan=*/false, p);
    G gp;
    gp.addr = addr;
    gp.stack_lo = stacks_.Alloc(kFixedStack, p);
    gp.stack_bytes = kFixedStack;
    g = gs_.size();
    gs_.push_back(gp);
    AllgAdd(g, p);
  }
  THP_CHECK(gs_[g].stack_lo != 0, "newproc1: newg missing stack");
  THP_CHECK(!gs_[g].running, "newproc1: new g is not Gdead");
  gs_[g].running = true;
  ++live_;
  gs_[g].stack_use = 0;
  gs_[g].frame_bytes = 0;
  gs_[g].ramp = G::Ramp{};
  return g;
}

void GoroutineTable::CopyStack(GIndex g, uintptr_t bytes, int p) {
  THP_CHECK(IsRunning(g), absl::StrFormat("copystack of g %d: not running", g));
  G& gp = gs_[g];
  const uintptr_t lo = stacks_.Alloc(bytes, p);
  stacks_.Free(gp.stack_lo, gp.stack_bytes, p);
  gp.stack_lo = lo;
  gp.stack_bytes = bytes;
}

void GoroutineTable::GoExit(GIndex g, int p) {
  THP_CHECK(IsRunning(g), absl::StrFormat("goexit of g %d: not running", g));
  gs_[g].running = false;
  --live_;
  GfPut(p, g);
}

uintptr_t StackBarrierBytes(uintptr_t stack_bytes) {
  // gcMaxStackBarriers, go1.5.1 mgcmark.go, with firstStackBarrierOffset
  // 1024: one record per doubling of the offset below the stack's size,
  // plus one; a stkbar record is two words.
  uintptr_t records = 1;
  for (uintptr_t offset = 1024; offset < stack_bytes; offset *= 2) ++records;
  return records * 16;
}

void GoroutineTable::SetStackUse(GIndex g, uintptr_t bytes, uintptr_t frame_bytes, int p) {
  THP_CHECK(IsRunning(g), absl::StrFormat("stack use of g %d: not running", g));
  gs_[g].stack_use = bytes;
  gs_[g].frame_bytes = frame_bytes;
  gs_[g].ramp = G::Ramp{};
  GrowToHold(g, bytes, p);
}

void GoroutineTable::GrowToHold(GIndex g, uintptr_t bytes, int p) {
  while (gs_[g].stack_bytes < bytes) CopyStack(g, gs_[g].stack_bytes * 2, p);
}

void GoroutineTable::SetStackRamp(GIndex g, uintptr_t bytes, int64_t start_ns, int64_t period_ns,
                                  uintptr_t frame_bytes, int p) {
  THP_CHECK(IsRunning(g), absl::StrFormat("stack ramp of g %d: not running", g));
  THP_CHECK(period_ns > 0, absl::StrFormat("stack ramp of g %d: period %d ns", g, period_ns));
  gs_[g].stack_use = 0;
  gs_[g].frame_bytes = frame_bytes;
  gs_[g].ramp = G::Ramp{bytes, start_ns, period_ns, p};
  GrowToHold(g, bytes, p);
}

uintptr_t GoroutineTable::UseAt(const G& gp, int64_t now_ns) {
  if (gp.ramp.period_ns == 0) return gp.stack_use;
  // How far into its op the g is; before the loop's start it has not begun.
  const int64_t since = now_ns - gp.ramp.start_ns + gp.ramp.phase_ns;
  const int64_t into = now_ns <= gp.ramp.start_ns ? 0 : since % gp.ramp.period_ns;
  const double depth = static_cast<double>(gp.ramp.bytes) * static_cast<double>(into) /
                       static_cast<double>(gp.ramp.period_ns);
  // At least a byte: 0 would read as a use not known.
  return std::max<uintptr_t>(1, static_cast<uintptr_t>(depth));
}

uint64_t GoroutineTable::StackFrames(int64_t now_ns) const {
  uint64_t frames = 0;
  for (const G& gp : gs_) {
    if (gp.running && gp.frame_bytes > 0) frames += UseAt(gp, now_ns) / gp.frame_bytes;
  }
  return frames;
}

void GoroutineTable::ResumeAfterCycle() {
  for (GIndex g = 0; g < gs_.size(); ++g) {
    G::Ramp& ramp = gs_[g].ramp;
    if (!gs_[g].running || ramp.period_ns == 0) continue;
    GrowToHold(g, ramp.bytes, ramp.p);
    const double place = ramp_phases_.NextUnit();
    ramp.phase_ns = static_cast<int64_t>(place * static_cast<double>(ramp.period_ns));
  }
}

void GoroutineTable::ShrinkStacks(int64_t now_ns) {
  for (G& gp : gs_) {
    if (gp.stack_lo == 0) continue;
    if (!gp.running) {
      stacks_.Free(gp.stack_lo, gp.stack_bytes, /*p=*/-1);
      gp.stack_lo = 0;
      gp.stack_bytes = 0;
      continue;
    }
    // shrinkstack of a live g: never below the fixed size, and only while
    // it uses less than a quarter of what it has, stack.hi - stack.lo
    // (stackalloc puts the stack-barrier records above hi).
    const uintptr_t half = gp.stack_bytes / 2;
    const uintptr_t avail = gp.stack_bytes - StackBarrierBytes(gp.stack_bytes);
    const uintptr_t use = UseAt(gp, now_ns);
    if (use == 0 || half < kFixedStack || use >= avail / 4) continue;
    const uintptr_t lo = stacks_.Alloc(half, /*p=*/-1);
    stacks_.Free(gp.stack_lo, gp.stack_bytes, /*p=*/-1);
    gp.stack_lo = lo;
    gp.stack_bytes = half;
  }
}

void GoroutineTable::NewM(int p) {
  // allocm holds m.locks: startGC does nothing there.
  SystemStackScope locked(gc_);
  M mp;
  mp.m = malloc_.MallocGC(kMStructBytes, /*noscan=*/false, p);
  mp.gsignal = malloc_.MallocGC(kGStructBytes, /*noscan=*/false, p);
  mp.gsignal_stack = stacks_.Alloc(kGSignalStackBytes, p);
  mp.g0 = malloc_.MallocGC(kGStructBytes, /*noscan=*/false, p);
  mp.g0_stack = stacks_.Alloc(kG0StackBytes, p);
  allm_.push_back(mp);
}

void GoroutineTable::ForEachRoot(const std::function<void(uintptr_t)>& mark) const {
  for (const M& mp : allm_) {
    mark(mp.m);
    mark(mp.gsignal);
    mark(mp.g0);
  }
  if (allgs_array_ != 0) mark(allgs_array_);
  for (const G& gp : gs_) mark(gp.addr);
}

}  // namespace thp
