#include "mheap/go15/runtime.h"

#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "runtime_port/base/check.h"

namespace thp {

absl::StatusOr<int> ParseGogc(const std::string& value) {
  if (value.empty()) return 100;
  if (value == "off") return -1;
  int n = 0;
  if (!absl::SimpleAtoi(value, &n) || n < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "GOGC=", value, ": expected off or a non-negative integer percentage"));
  }
  return n;
}

absl::StatusOr<std::unique_ptr<Runtime>> Runtime::Create(Kernel& kernel, const Clock& clock,
                                                        const RuntimeOptions& options) {
  absl::StatusOr<int> gogc = ParseGogc(options.gogc);
  if (!gogc.ok()) return gogc.status();
  if (options.gomaxprocs < 1 || options.gomaxprocs > 256) {
    return absl::InvalidArgumentError(absl::StrCat("GOMAXPROCS=", options.gomaxprocs,
                                                   ": expected 1 to 256"));
  }
  if (!std::isfinite(options.cpu_scale) || options.cpu_scale <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cpu scale ", options.cpu_scale, ": expected a number above 0"));
  }
  MemLinuxOptions mo;
  mo.map_noreserve = options.map_noreserve;
  absl::StatusOr<std::unique_ptr<MemLinux>> mem = NewMemLinux(kernel, options.variant, mo);
  if (!mem.ok()) return mem.status();
  return std::unique_ptr<Runtime>(new Runtime(*std::move(mem), clock, options, *gogc));
}

Runtime::Runtime(std::unique_ptr<MemLinux> mem, const Clock& clock, const RuntimeOptions& options,
                 int gogc)
    : options_(options), mem_(std::move(mem)) {
  mem_->set_observer(options_.mem_observer);  // before the heap's first call
  heap_ = std::make_unique<MHeap>(*mem_, clock, options_.gomaxprocs);
  if (options_.touch_memory) {
    MemLinux& mem = *mem_;
    heap_->set_on_span_handout([&mem](const MSpan& s) {
      const int err = mem.Touch(s.base(), s.end() - s.base());
      THP_CHECK(err == 0, absl::StrFormat("touching span [%#x, %#x): %s", s.base(), s.end(),
                                          ErrnoName(err)));
    });
  }
  stacks_ = std::make_unique<StackAllocator>(*heap_, options_.gomaxprocs);
  const RootSet& roots = *this;  // the live handles are the roots
  gc_ = std::make_unique<GcModel>(*heap_, *stacks_, roots, gogc);
  gc_->set_mark_share_seed(options_.mark_share_seed);
  gc_->set_cpu_scale(options_.cpu_scale);
  malloc_ = std::make_unique<Malloc>(*heap_, *gc_, *gc_, options_.gomaxprocs);
  gc_->set_malloc(malloc_.get());
  goroutines_ = std::make_unique<GoroutineTable>(*malloc_, *gc_, *stacks_, options_.gomaxprocs);
  gc_->set_goroutines(goroutines_.get());
  sudogs_ = std::make_unique<SudogCache>(options_.gomaxprocs);
  gc_->set_clearpools([this] { sudogs_->DropCentral(); });
}

void Runtime::ForEachLive(const std::function<void(uintptr_t)>& mark) const {
  live_.ForEach(mark);
  goroutines_->ForEachRoot(mark);
  sudogs_->ForEachCached(mark);
}

absl::StatusOr<uintptr_t> Runtime::AcquireSudog(int p) {
  if (absl::Status st = CheckP(p); !st.ok()) return st;
  const uintptr_t s = sudogs_->Acquire(p, [this, p] {
    // new(sudog) under acquirem: mallocgc neither starts a cycle nor
    // assists, as on the system stack.
    const SystemStackScope locked(*gc_);
    return malloc_->MallocGC(kSudogBytes, /*noscan=*/false, p);
  });
  live_.Hold(s, /*chain_link=*/false);
  return s;
}

absl::Status Runtime::ReleaseSudog(uintptr_t s, int p) {
  if (absl::Status st = CheckP(p); !st.ok()) return st;
  if (absl::Status st = live_.Drop(s); !st.ok()) return st;
  sudogs_->Release(p, s);
  return absl::OkStatus();
}

absl::Status Runtime::BadP(int p) const {
  return absl::InvalidArgumentError(
      absl::StrCat("P ", p, ": expected 0 to ", options_.gomaxprocs - 1));
}

absl::Status Runtime::BadAllocation(uintptr_t size, int p) const {
  if (absl::Status st = CheckP(p); !st.ok()) return st;
  return absl::InvalidArgumentError(absl::StrCat(
      "allocation of ", size, " bytes: expected 1 byte to 512 GiB (the Go 1.5 arena)"));
}

absl::Status Runtime::AllocateTransient(uintptr_t size, bool noscan, int p) {
  if (absl::Status st = CheckAllocation(size, p); !st.ok()) return st;
  malloc_->MallocGC(size, noscan, p);
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Runtime::AllocateTransientRun(uintptr_t size, bool noscan, int p,
                                                      int64_t count, bool stop_before_refill) {
  if (absl::Status st = CheckAllocation(size, p); !st.ok()) return st;
  return malloc_->MallocGCTransientRun(size, noscan, p, count, stop_before_refill);
}

absl::StatusOr<uintptr_t> Runtime::Allocate(uintptr_t size, bool noscan, int p) {
  if (absl::Status st = CheckAllocation(size, p); !st.ok()) return st;
  const uintptr_t x = malloc_->MallocGC(size, noscan, p);
  live_.Hold(x, chain_links_);  // tiny objects share an address only when malloc combined them
  return x;
}

absl::Status Runtime::Drop(uintptr_t handle) { return live_.Drop(handle); }

absl::Status Runtime::CheckStackSize(uintptr_t n) const {
  if (n < kFixedStack || (n & (n - 1)) != 0 || n > kMaxStackBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "stack of ", n, " bytes: expected a power of two from 2 KiB to 1 GiB"));
  }
  return absl::OkStatus();
}

absl::Status Runtime::CheckRunning(size_t g, absl::string_view what) const {
  if (!goroutines_->IsRunning(g)) {
    return absl::NotFoundError(absl::StrCat(what, " of goroutine ", g, ": not running"));
  }
  return absl::OkStatus();
}

absl::Status Runtime::CheckAtMostMaxStack(absl::string_view what, uintptr_t bytes) {
  if (bytes > kMaxStackBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", bytes, " bytes: expected at most 1 GiB"));
  }
  return absl::OkStatus();
}

absl::StatusOr<uintptr_t> Runtime::NewStack(uintptr_t n, int p) {
  if (absl::Status st = CheckP(p); !st.ok()) return st;
  if (absl::Status st = CheckStackSize(n); !st.ok()) return st;
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
  stacks_->Free(lo, it->second, p);
  stacks_live_.erase(it);
  return absl::OkStatus();
}

absl::StatusOr<size_t> Runtime::NewGoroutine(int p) {
  if (absl::Status st = CheckP(p); !st.ok()) return st;
  return goroutines_->NewProc(p);
}

absl::Status Runtime::GrowGoroutine(size_t g, uintptr_t n, int p) {
  if (absl::Status st = CheckP(p); !st.ok()) return st;
  if (absl::Status st = CheckStackSize(n); !st.ok()) return st;
  if (absl::Status st = CheckRunning(g, "stack growth"); !st.ok()) return st;
  goroutines_->CopyStack(g, n, p);
  return absl::OkStatus();
}

absl::Status Runtime::SetGoroutineStackUse(size_t g, uintptr_t bytes, uintptr_t frame_bytes,
                                           int p) {
  if (absl::Status st = CheckP(p); !st.ok()) return st;
  if (absl::Status st = CheckRunning(g, "stack use"); !st.ok()) return st;
  if (absl::Status st = CheckAtMostMaxStack("stack use of", bytes); !st.ok()) return st;
  if (absl::Status st = CheckAtMostMaxStack("a stack frame of", frame_bytes); !st.ok()) return st;
  goroutines_->SetStackUse(g, bytes, frame_bytes, p);
  return absl::OkStatus();
}

absl::Status Runtime::SetGoroutineStackRamp(size_t g, uintptr_t bytes, int64_t period_ns,
                                            uintptr_t frame_bytes, int p) {
  if (absl::Status st = CheckP(p); !st.ok()) return st;
  if (absl::Status st = CheckRunning(g, "stack ramp"); !st.ok()) return st;
  if (absl::Status st = CheckAtMostMaxStack("stack ramp to", bytes); !st.ok()) return st;
  if (period_ns <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("stack ramp over ", period_ns, " ns: expected a period of at least 1 ns"));
  }
  if (absl::Status st = CheckAtMostMaxStack("a stack frame of", frame_bytes); !st.ok()) return st;
  goroutines_->SetStackRamp(g, bytes, heap_->clock().NanoTime(), period_ns, frame_bytes, p);
  return absl::OkStatus();
}

absl::Status Runtime::ExitGoroutine(size_t g, int p) {
  if (absl::Status st = CheckP(p); !st.ok()) return st;
  if (absl::Status st = CheckRunning(g, "exit"); !st.ok()) return st;
  goroutines_->GoExit(g, p);
  return absl::OkStatus();
}

}  // namespace thp
