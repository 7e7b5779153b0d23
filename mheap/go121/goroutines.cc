#include "mheap/go121/goroutines.h"

#include "absl/strings/str_format.h"
#include "mheap/go121/sizeclasses.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace go121 {
namespace {

constexpr uintptr_t kPtrSize = 8;

// growslice, go1.21.0, for a []*g of cap old_cap that must hold new_len:
// the new capacity in elements.
size_t GrowPtrSliceCap(size_t old_cap, size_t new_len) {
  size_t newcap = old_cap;
  const size_t doublecap = newcap + newcap;
  if (new_len > doublecap) {
    newcap = new_len;
  } else {
    constexpr size_t kThreshold = 256;
    if (old_cap < kThreshold) {
      newcap = doublecap;
    } else {
      while (newcap > 0 && newcap < new_len) newcap += (newcap + 3 * kThreshold) / 4;
      if (newcap == 0) newcap = new_len;
    }
  }
  return SizeClasses::RoundUpSize(newcap * kPtrSize) / kPtrSize;
}

// newproc1 runs on the g0 stack, where gcStart returns at once.
class SystemStack {
 public:
  explicit SystemStack(GcModel& gc) : gc_(gc) { gc_.set_on_system_stack(true); }
  ~SystemStack() { gc_.set_on_system_stack(false); }
  SystemStack(const SystemStack&) = delete;
  SystemStack& operator=(const SystemStack&) = delete;

 private:
  GcModel& gc_;
};

// gList.pushAll of a gQueue (head first): the queue's head becomes the
// list's head. Lists keep their head at back().
void PushAll(std::vector<size_t>& list, const std::vector<size_t>& queue_head_first) {
  for (auto it = queue_head_first.rbegin(); it != queue_head_first.rend(); ++it) {
    list.push_back(*it);
  }
}

}  // namespace

GoroutineTable::GoroutineTable(Malloc& malloc, GcModel& gc, StackAllocator& stacks,
                               GcController& pacer, int nprocs)
    : malloc_(malloc), gc_(gc), stacks_(stacks), pacer_(pacer),
      pfree_(static_cast<size_t>(nprocs)), stack_scan_delta_(static_cast<size_t>(nprocs), 0) {}

void GoroutineTable::AddScannableStack(int p, int64_t amount) {
  int64_t& delta = stack_scan_delta_[static_cast<size_t>(p)];
  delta += amount;
  if (delta >= kMaxStackScanSlack || delta <= -kMaxStackScanSlack) {
    pacer_.AddScannableStack(delta);
    delta = 0;
  }
}

// gfget, go1.21.0.
bool GoroutineTable::GfGet(int p, GIndex* out) {
  std::vector<GIndex>& local = pfree_[static_cast<size_t>(p)];
  if (local.empty()) {
    while (local.size() < kGFreeBatch) {
      std::vector<GIndex>* from = !sched_stack_.empty() ? &sched_stack_ : &sched_nostack_;
      if (from->empty()) break;
      local.push_back(from->back());
      from->pop_back();
    }
  }
  if (local.empty()) return false;
  const GIndex g = local.back();
  local.pop_back();
  G& gp = gs_[g];
  if (gp.stack_lo != 0 && gp.stack_bytes != starting_stack_size_) {
    stacks_.Free(gp.stack_lo, gp.stack_bytes, p);
    gp.stack_lo = 0;
    gp.stack_bytes = 0;
  }
  if (gp.stack_lo == 0) {
    gp.stack_lo = stacks_.Alloc(starting_stack_size_, p);
    gp.stack_bytes = starting_stack_size_;
  }
  *out = g;
  return true;
}

// gfput, go1.21.0.
void GoroutineTable::GfPut(int p, GIndex g) {
  G& gp = gs_[g];
  if (gp.stack_bytes != starting_stack_size_) {
    stacks_.Free(gp.stack_lo, gp.stack_bytes, p);
    gp.stack_lo = 0;
    gp.stack_bytes = 0;
  }
  std::vector<GIndex>& local = pfree_[static_cast<size_t>(p)];
  local.push_back(g);
  if (local.size() >= kGFreeLocalMax) {
    std::vector<GIndex> stack_q, nostack_q;  // gQueues, head first
    while (local.size() >= kGFreeBatch) {
      const GIndex x = local.back();
      local.pop_back();
      (gs_[x].stack_lo == 0 ? nostack_q : stack_q).push_back(x);
    }
    PushAll(sched_nostack_, nostack_q);
    PushAll(sched_stack_, stack_q);
  }
}

// allgadd, go1.21.0: allgs = append(allgs, gp).
void GoroutineTable::AllgAdd(int p) {
  if (gs_.size() <= allgs_cap_) return;
  const size_t cap = GrowPtrSliceCap(allgs_cap_, gs_.size());
  // mallocgc(capmem, et, true): pointerful. The old array is garbage once
  // the new one is in place.
  allgs_array_ = malloc_.MallocGC(cap * kPtrSize, /*noscan=*/false, p);
  allgs_cap_ = cap;
}

// newproc1, go1.21.0.
GoroutineTable::GIndex GoroutineTable::NewProc(int p) {
  SystemStack on_g0(gc_);
  GIndex g = 0;
  if (!GfGet(p, &g)) {
    // malg(stackMin): new(g), then stackalloc(round2(stackSystem + 2048)).
    G gp;
    gp.addr = malloc_.MallocGC(kGStructBytes, /*noscan=*/false, p);
    gp.stack_lo = stacks_.Alloc(kFixedStack, p);
    gp.stack_bytes = kFixedStack;
    g = gs_.size();
    gs_.push_back(gp);  // a root from here on, while allgs grows
    AllgAdd(p);
  }
  G& gp = gs_[g];
  THP_CHECK(gp.stack_lo != 0, "newproc1: newg missing stack");
  THP_CHECK(!gp.running, "newproc1: new g is not Gdead");
  gp.running = true;
  AddScannableStack(p, static_cast<int64_t>(gp.stack_bytes));
  return g;
}

// copystack, go1.21.0.
void GoroutineTable::CopyStack(GIndex g, uintptr_t bytes, int p) {
  THP_CHECK(IsRunning(g), absl::StrFormat("copystack of g %d: not running", g));
  G& gp = gs_[g];
  const uintptr_t lo = stacks_.Alloc(bytes, p);
  AddScannableStack(p, static_cast<int64_t>(bytes) - static_cast<int64_t>(gp.stack_bytes));
  stacks_.Free(gp.stack_lo, gp.stack_bytes, p);
  gp.stack_lo = lo;
  gp.stack_bytes = bytes;
}

// goexit0 -> gdestroy, go1.21.0.
void GoroutineTable::GoExit(GIndex g, int p) {
  THP_CHECK(IsRunning(g), absl::StrFormat("goexit of g %d: not running", g));
  gs_[g].running = false;
  AddScannableStack(p, -static_cast<int64_t>(gs_[g].stack_bytes));
  GfPut(p, g);
}

// markrootFreeGStacks, go1.21.0.
void GoroutineTable::FreeGStacks() {
  if (sched_stack_.empty()) return;
  std::vector<GIndex> list;
  list.swap(sched_stack_);
  std::vector<GIndex> queue;  // head first
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    G& gp = gs_[*it];
    stacks_.Free(gp.stack_lo, gp.stack_bytes, /*p=*/-1);
    gp.stack_lo = 0;
    gp.stack_bytes = 0;
    queue.push_back(*it);
  }
  PushAll(sched_nostack_, queue);
}

void GoroutineTable::ForEachRoot(const std::function<void(uintptr_t)>& mark) const {
  if (allgs_array_ != 0) mark(allgs_array_);
  for (const G& gp : gs_) mark(gp.addr);
}

}  // namespace go121
}  // namespace thp
