#include "mheap/go121/runtime.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mheap/go121/gctrace.h"
#include "mheap/go121/sizeclasses.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace go121 {

namespace {
MemOptions MemOptionsOf(const RuntimeOptions& options) {
  MemOptions m;
  m.map_noreserve = options.map_noreserve;
  return m;
}
}  // namespace

absl::StatusOr<int32_t> ParseGogc(const std::string& value) {
  if (value.empty()) return 100;
  if (value == "off") return -1;
  int32_t n = 0;
  if (!absl::SimpleAtoi(value, &n) || n < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("GOGC=", value, ": expected off or a non-negative integer percentage"));
  }
  return n;
}

absl::StatusOr<std::unique_ptr<Runtime>> Runtime::Create(Kernel& kernel, const Clock& clock,
                                                        const RuntimeOptions& options) {
  absl::StatusOr<int32_t> gogc = ParseGogc(options.gogc);
  if (!gogc.ok()) return gogc.status();
  if (options.gomaxprocs < 1 || options.gomaxprocs > 256) {
    return absl::InvalidArgumentError(
        absl::StrCat("GOMAXPROCS=", options.gomaxprocs, ": expected 1 to 256"));
  }
  if (options.sysmon_usleep_overshoot_ns < 0) {
    return absl::InvalidArgumentError("sysmon usleep overshoot: expected >= 0 ns");
  }
  if (options.gomemlimit < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("GOMEMLIMIT=", options.gomemlimit, ": expected a byte count"));
  }
  absl::StatusOr<std::unique_ptr<MemLinux>> mem =
      NewMemLinux(kernel, options.variant, MemOptionsOf(options));
  if (!mem.ok()) return mem.status();
  (*mem)->set_observer(options.mem_observer);
  return std::unique_ptr<Runtime>(new Runtime(*std::move(mem), clock, options, *gogc));
}

// mallocinit, gcinit and procresize, in that order.
Runtime::Runtime(std::unique_ptr<MemLinux> mem, const Clock& clock, const RuntimeOptions& options,
                 int32_t gogc)
    : options_(options), mem_(std::move(mem)) {
  heap_ = std::make_unique<MHeap>(*mem_, clock, options_.gomaxprocs);
  if (options_.touch_memory) {
    MemLinux& m = *mem_;
    heap_->set_on_span_handout([&m](const MSpan& s) {
      const int err = m.Touch(s.base(), s.limit() - s.base());
      THP_CHECK(err == 0, absl::StrFormat("touching span [%#x, %#x): errno %d", s.base(),
                                          s.limit(), err));
    });
  }
  MHeap& heap = *heap_;
  MemLinux& m = *mem_;
  pacer_ = std::make_unique<GcController>(gogc, options_.gomemlimit, [&heap, &m] {
    return MemoryLimitInputs{heap.stats().heap_free, m.mapped_ready()};
  });
  if (options_.gomemlimit != INT64_MAX) heap_->SetMemoryLimit(options_.gomemlimit);
  sweeper_ = std::make_unique<Sweeper>(*heap_, *pacer_);
  const RootSet& roots = *this;
  gc_ = std::make_unique<GcModel>(*heap_, *sweeper_, *pacer_, roots);
  malloc_ = std::make_unique<Malloc>(*heap_, *sweeper_, *pacer_, *gc_, options_.gomaxprocs);
  gc_->set_malloc(malloc_.get());
  stacks_ = std::make_unique<StackAllocator>(*heap_, options_.gomaxprocs);
  gc_->set_stacks(stacks_.get());
  scavenger_ = std::make_unique<BackgroundScavenger>(clock, heap_->BackgroundScavengerHooks());
  BackgroundScavenger& bg = *scavenger_;
  sweeper_->set_on_sweep_drained([this, &bg] {
    // sweepone, go1.21.0 mgcsweep.go: under scavtrace, the scav line with
    // what was released since the last one, then scavenger.ready().
    if (scavtrace_) {
      const uint64_t all_bg = scavenger_->released_total();
      const uint64_t all_eager = heap_->released_eager_total();
      PrintScavTrace(all_bg - released_bg_printed_, all_eager - released_eager_printed_, false);
      released_bg_printed_ = all_bg;
      released_eager_printed_ = all_eager;
    }
    bg.Ready();
  });
  gc_->set_wake_scavenger([&bg] { bg.Wake(); });
  goroutines_ = std::make_unique<GoroutineTable>(*malloc_, *gc_, *stacks_, *pacer_,
                                                 options_.gomaxprocs);
  GoroutineTable& gs = *goroutines_;
  gc_->set_free_g_stacks([&gs] { gs.FreeGStacks(); });
  gc_->set_clock(&clock);
  background_ = std::make_unique<BackgroundWork>(
      clock, *gc_, *sweeper_, *scavenger_, options_.gomaxprocs,
      SysmonOptions{options_.sysmon_usleep_overshoot_ns});
}

void Runtime::ReadMemStats() {
  for (int p = 0; p < malloc_->nprocs(); ++p) {
    malloc_->ReleaseAll(p);
    stacks_->ClearCache(p);
  }
}

void Runtime::FreeOSMemory() {
  GC();
  const uintptr_t released = heap_->ScavengeAll();
  forced_released_ += released;
  ++forced_scavenges_;
  // mheap.scavengeAll: printScavTrace(0, released, true).
  if (scavtrace_) PrintScavTrace(0, released, true);
}

void Runtime::PrintScavTrace(uint64_t released_bg, uint64_t released_eager, bool forced) {
  const HeapStats& st = heap_->stats();
  // The reset mark is read (and cleared) only when the line is not forced.
  const bool reset = !forced && scavenger_->TakeControllerReset();
  scavtrace_(ScavTraceLine(released_bg, released_eager, st.heap_released, st.heap_in_use,
                           st.HeapRetained(), forced, reset));
}

int64_t Runtime::scavenge_passes() const {
  return scavenger_->runs() + heap_->eager_scavenges() + forced_scavenges_;
}

uint64_t Runtime::released_bytes_total() const {
  return scavenger_->released_total() + heap_->released_eager_total() + forced_released_;
}

Runtime::~Runtime() {
  background_.reset();
  goroutines_.reset();
  scavenger_.reset();
  stacks_.reset();
  malloc_.reset();
  gc_.reset();
  sweeper_.reset();
  pacer_.reset();
  heap_.reset();
}

void Runtime::ForEachLive(const std::function<void(uintptr_t)>& mark) const {
  live_.ForEach(mark);
  goroutines_->ForEachRoot(mark);
}

absl::Status Runtime::CheckP(int p) const {
  if (p >= 0 && p < options_.gomaxprocs) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("P ", p, ": expected 0 to ", options_.gomaxprocs - 1));
}

namespace {

// The 1.21 heap's arenas cover 2^48 bytes; a request beyond that fails.
constexpr uintptr_t kMaxAlloc = uintptr_t{1} << 47;

absl::Status CheckSize(uintptr_t size) {
  if (size != 0 && size <= kMaxAlloc) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("allocation of ", size, " bytes: expected 1 byte to 128 TiB"));
}

absl::Status CheckStackSize(uintptr_t n) {
  if (n >= kFixedStack && (n & (n - 1)) == 0 && n <= (uintptr_t{1} << 30)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("stack of ", n, " bytes: expected a power of two from 2 KiB to 1 GiB"));
}

}  // namespace

absl::StatusOr<uintptr_t> Runtime::Allocate(uintptr_t size, bool noscan, int p) {
  if (absl::Status st = CheckP(p); !st.ok()) return st;
  if (absl::Status st = CheckSize(size); !st.ok()) return st;
  const uintptr_t x = malloc_->MallocGC(size, noscan, p);
  live_.Hold(x);  // tiny objects share an address only when malloc combined them
  return x;
}

absl::Status Runtime::AllocateTransient(uintptr_t size, bool noscan, int p) {
  if (absl::Status st = CheckP(p); !st.ok()) return st;
  if (absl::Status st = CheckSize(size); !st.ok()) return st;
  malloc_->MallocGC(size, noscan, p);
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Runtime::AllocateTransientRun(uintptr_t size, bool noscan, int p,
                                                      int64_t count) {
  if (absl::Status st = CheckP(p); !st.ok()) return st;
  if (absl::Status st = CheckSize(size); !st.ok()) return st;
  if (count < 0) {
    return absl::InvalidArgumentError(absl::StrCat("allocation run of ", count, " objects"));
  }
  malloc_->MallocGCTransientRun(size, noscan, p, count);
  return count;
}

absl::Status Runtime::AllocateHeld(uintptr_t size, bool noscan, int p) {
  if (absl::Status st = CheckP(p); !st.ok()) return st;
  if (absl::Status st = CheckSize(size); !st.ok()) return st;
  live_.PushHeld(malloc_->MallocGC(size, noscan, p));
  return absl::OkStatus();
}

absl::Status Runtime::Drop(uintptr_t handle) { return live_.Drop(handle); }

absl::Status Runtime::CheckRunning(size_t g, const char* what) const {
  if (goroutines_->IsRunning(g)) return absl::OkStatus();
  return absl::NotFoundError(absl::StrCat(what, " of goroutine ", g, ": not running"));
}

absl::StatusOr<uintptr_t> Runtime::NewStack(uintptr_t n, int p) {
  if (absl::Status st = CheckP(p); !st.ok()) return st;
  if (absl::Status st = CheckStackSize(n); !st.ok()) return st;
  heap_->set_current_p(p);
  const uintptr_t lo = stacks_->Alloc(n, p);
  stacks_live_[lo] = n;
  return lo;
}

absl::Status Runtime::FreeStack(uintptr_t lo, int p) {
  if (absl::Status st = CheckP(p); !st.ok()) return st;
  auto it = stacks_live_.find(lo);
  if (it == stacks_live_.end()) {
    return absl::NotFoundError(absl::StrFormat("free of stack %#x: not a live stack", lo));
  }
  heap_->set_current_p(p);
  stacks_->Free(lo, it->second, p);
  stacks_live_.erase(it);
  return absl::OkStatus();
}

absl::StatusOr<size_t> Runtime::NewGoroutine(int p) {
  if (absl::Status st = CheckP(p); !st.ok()) return st;
  heap_->set_current_p(p);
  return goroutines_->NewProc(p);
}

absl::Status Runtime::GrowGoroutine(size_t g, uintptr_t n, int p) {
  if (absl::Status st = CheckP(p); !st.ok()) return st;
  if (absl::Status st = CheckStackSize(n); !st.ok()) return st;
  if (absl::Status st = CheckRunning(g, "stack growth"); !st.ok()) return st;
  heap_->set_current_p(p);
  goroutines_->CopyStack(g, n, p);
  return absl::OkStatus();
}

absl::Status Runtime::SetGoroutineStackUse(size_t g, uintptr_t bytes, uintptr_t frame_bytes,
                                           int p) {
  (void)bytes;
  (void)frame_bytes;
  if (absl::Status st = CheckP(p); !st.ok()) return st;
  return CheckRunning(g, "stack use");
}

absl::Status Runtime::SetGoroutineStackRamp(size_t g, uintptr_t bytes, int64_t period_ns,
                                            uintptr_t frame_bytes, int p) {
  (void)bytes;
  (void)period_ns;
  (void)frame_bytes;
  if (absl::Status st = CheckP(p); !st.ok()) return st;
  return CheckRunning(g, "stack ramp");
}

absl::Status Runtime::ExitGoroutine(size_t g, int p) {
  if (absl::Status st = CheckP(p); !st.ok()) return st;
  if (absl::Status st = CheckRunning(g, "exit"); !st.ok()) return st;
  heap_->set_current_p(p);
  goroutines_->GoExit(g, p);
  return absl::OkStatus();
}

}  // namespace go121
}  // namespace thp
