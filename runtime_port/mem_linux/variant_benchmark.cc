// google-benchmark of what each memory-layer variant costs in the kernel, on
// the real kernel (LinuxKernel) and on the simulated one (SimulatedKernel:
// linux6 profile, THP mode madvise, vm.max_map_count 65530):
//
//   SysUnusedUsed/<variant>/<kernel>/<shape>  one sysUnused + sysUsed cycle
//       on a range of an 8 MiB region mapped as the heap maps it (sysReserve,
//       then sysMap) and written once after an untimed first cycle. Shapes:
//       `aligned` (one whole huge page), `unaligned` (1 MiB + 8 KiB starting
//       8 KiB into a huge page) and `subhuge` (one 8 KiB Go page). Only the
//       first timed release finds resident pages, so the time is the madvise
//       calls and their VMA work, not page zapping.
//   Scavenge/<variant>/<kernel>  one mHeap_Scavenge pass (Go 1.5's 5-minute
//       limit on the virtual clock) over a heap of 64 spans of mixed sizes
//       with every other one free. Between passes, untimed, the 32 free spans
//       are allocated again (sysUsed, and the Go 1.21 variants' chunk hooks),
//       written, and freed, so each pass releases the same resident memory.
//   ScavengePass/<fixed|fixed_batched>/<kernel>/<n>  the same pass releasing
//       n = 32, 256 or 1024 spans of 1-5 pages (8-40 KiB, so the system
//       calls rather than the zapping dominate): what batching the
//       DONTNEEDs in process_madvise saves fixed per pass.
//
// Counters: madvise calls per iteration by advice in the timed part
// (madv_DONTNEED, madv_HUGEPAGE, ...; ranges advised, batched or not), the
// madvise and process_madvise system calls behind them (syscalls, of them
// process_madvise), and the failed ranges (madv_errors; Go ignores them,
// the label names them); at the end, the VMAs of the
// benchmark's own memory (vmas), how many the timed loop added (vmas_added,
// 0 when repeated flag flips do not grow the VMA list) and the process's
// map_count; for Scavenge also the bytes released per pass (released_KiB)
// and what stays resident in the arena after a pass (resident_KiB).
// The Go 1.21 variants act through the heap's chunk hooks, so their advice
// shows in Scavenge only. try_collapse on the real kernel is reported as an
// error: MADV_TRY_COLLAPSE never reached Linux.
//
//   bazel run -c opt //bench:variant_bench
//   bazel run -c opt //bench:variant_bench -- --benchmark_format=json
//   bazel run -c opt //bench:variant_bench -- --benchmark_filter=/sim/ --benchmark_out=<file>
//
// Every --benchmark_* flag of google-benchmark applies (--benchmark_out
// writes JSON unless --benchmark_out_format says otherwise); any other
// argument is an error (exit status 2). The minimum time per benchmark
// defaults to 0.05 s rather than 0.5 s, so that a full run takes seconds;
// --benchmark_min_time overrides it.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "benchmark/benchmark.h"
#include "mheap/go15/mheap.h"
#include "runtime_port/base/clock.h"
#include "runtime_port/kernel/hintless_window_kernel.h"
#include "runtime_port/kernel/kernel.h"
#include "runtime_port/kernel/linux_kernel.h"
#include "runtime_port/kernel/sim_kernel.h"
#include "runtime_port/mem_linux/huge_page_policy.h"
#include "runtime_port/mem_linux/madvise_counters.h"
#include "runtime_port/mem_linux/mem_linux.h"
#include "scavenger/scavenger.h"

namespace thp {
namespace {

constexpr uintptr_t kMiB = uintptr_t{1} << 20;
constexpr uintptr_t kGoPage = 8192;

// The kernels, in the order they are reported.
constexpr const char* kKernels[] = {"linux", "sim"};

// Where the cycle benchmark's region goes: 32 TiB, as in
// kernel_differential_test, far below where the kernel puts the mappings it
// chooses (glibc's, the benchmark library's) and above ASan's shadow.
constexpr uintptr_t kRegionHint = uintptr_t{0x200000000000};
constexpr uintptr_t kRegionBytes = 8 * kMiB;

struct Shape {
  const char* name;
  uintptr_t offset;  // from the 2 MiB-aligned start of the region
  uintptr_t len;
};
constexpr Shape kShapes[] = {
    {"aligned", 2 * kMiB, 2 * kMiB},
    {"unaligned", 2 * kMiB + kGoPage, kMiB + kGoPage},
    {"subhuge", 4 * kMiB + kGoPage, kGoPage},
};

// Go 1.5's scavengelimit: sysmon releases spans idle for 5 minutes.
constexpr uint64_t kScavengeLimitNs = uint64_t{5} * 60 * 1000 * 1000 * 1000;
// The heap of the scavenge benchmark: span i has kSpanPages[(i / 2) % 8]
// pages, so the free (even) and the kept (odd) spans both have every size,
// small-list and freelarge ones alike.
constexpr int kHeapSpans = 64;
const std::vector<uintptr_t> kSpanPages = {1, 2, 3, 5, 8, 16, 64, 160};
// ScavengePass: spans released per pass, and their sizes.
constexpr int kPassSpans[] = {32, 256, 1024};
const std::vector<uintptr_t> kSmallSpanPages = {1, 2, 3, 5};

// The kernels the drivers run on (bench/harness/kernel_choice.h): the
// runtime's hint-less mappings in a window of their own on either.
absl::StatusOr<std::unique_ptr<Kernel>> NewKernel(const std::string& name) {
  if (name == "linux") {
    return std::unique_ptr<Kernel>(new HintlessWindowKernel(std::make_unique<LinuxKernel>()));
  }
  // The linux6 profile, THP mode madvise, vm.max_map_count 65530 (the
  // simulated kernel's defaults), and this process's own VMAs besides the
  // model's so map_count compares with the real kernel's.
  SimOptions o;
  o.baseline_vmas = LinuxKernel().MapCount();
  return std::unique_ptr<Kernel>(new HintlessWindowKernel(std::make_unique<SimulatedKernel>(o)));
}

void Skip(benchmark::State& state, const absl::Status& status) {
  state.SkipWithError(std::string(status.message()).c_str());
}

// madvise calls by advice, failed calls and system calls, at one moment.
struct MadviseSnapshot {
  std::array<int64_t, kNumAdvices> calls{};
  int64_t errors = 0;
  int64_t syscalls = 0;
  int64_t process_madvise = 0;

  static MadviseSnapshot Of(const MadviseCounters& c) {
    return {c.calls, c.TotalErrors(), c.syscalls, c.process_madvise_calls};
  }
  void Add(const MadviseSnapshot& later, const MadviseSnapshot& earlier) {
    for (int a = 0; a < kNumAdvices; ++a) calls[a] += later.calls[a] - earlier.calls[a];
    errors += later.errors - earlier.errors;
    syscalls += later.syscalls - earlier.syscalls;
    process_madvise += later.process_madvise - earlier.process_madvise;
  }
};

constexpr Advice kAllAdvices[] = {Advice::kDontNeed, Advice::kHugePage, Advice::kNoHugePage,
                                  Advice::kCollapse, Advice::kTryCollapse};
static_assert(sizeof(kAllAdvices) / sizeof(kAllAdvices[0]) == kNumAdvices,
              "every advice gets a counter");

// The counters every benchmark reports. `timed` holds the madvise calls of
// the timed part only; `region` is the memory the benchmark works on.
void ReportCounters(benchmark::State& state, MemLinux& mem, const MadviseSnapshot& timed,
                    uintptr_t region_lo, uintptr_t region_hi, int64_t vmas_before) {
  for (Advice a : kAllAdvices) {
    state.counters[absl::StrCat("madv_", AdviceName(a))] = benchmark::Counter(
        static_cast<double>(timed.calls[static_cast<int>(a)]), benchmark::Counter::kAvgIterations);
  }
  state.counters["madv_errors"] =
      benchmark::Counter(static_cast<double>(timed.errors), benchmark::Counter::kAvgIterations);
  state.counters["syscalls"] =
      benchmark::Counter(static_cast<double>(timed.syscalls), benchmark::Counter::kAvgIterations);
  state.counters["process_madvise"] = benchmark::Counter(static_cast<double>(timed.process_madvise),
                                                         benchmark::Counter::kAvgIterations);
  const int64_t vmas = static_cast<int64_t>(mem.kernel().Vmas(region_lo, region_hi).size());
  state.counters["vmas"] = static_cast<double>(vmas);
  state.counters["vmas_added"] = static_cast<double>(vmas - vmas_before);
  state.counters["map_count"] = static_cast<double>(mem.kernel().MapCount());
  if (timed.errors > 0) {
    // Go ignores madvise errors; name every kind this MemLinux has seen.
    std::vector<std::string> kinds;
    for (const auto& [key, n] : mem.counters().errors) {
      kinds.push_back(absl::StrCat(AdviceName(key.first), "/", ErrnoName(key.second)));
    }
    state.SetLabel(absl::StrCat("madvise errors (ignored as in Go): ", absl::StrJoin(kinds, " ")));
  }
}

// ---- sysUnused + sysUsed ------------------------------------------------

void BM_SysUnusedUsed(benchmark::State& state, const std::string& variant,
                      const std::string& kernel_name, const Shape& shape) {
  absl::StatusOr<std::unique_ptr<Kernel>> kernel = NewKernel(kernel_name);
  if (!kernel.ok()) return Skip(state, kernel.status());
  absl::StatusOr<std::unique_ptr<MemLinux>> made = NewMemLinux(**kernel, variant);
  if (!made.ok()) return Skip(state, made.status());
  MemLinux& mem = **made;

  // sysReserve below 4 GiB is exactly this mmap; calling the kernel directly
  // keeps its errno for the report. The extra huge page lets the mapped part
  // start 2 MiB aligned wherever the kernel put the reservation.
  const uintptr_t reserve_len = kRegionBytes + kHugePageSize;
  const MmapResult r = Reserve(**kernel, kRegionHint, reserve_len);
  if (r.err != 0) {
    return Skip(state, absl::ResourceExhaustedError(absl::StrFormat(
                           "sysReserve(%#x, %d): mmap failed with %s", kRegionHint,
                           reserve_len, ErrnoName(r.err))));
  }
  const uintptr_t base = RoundUp(r.addr, kHugePageSize);
  mem.SysMap(base, kRegionBytes, /*reserved=*/true, nullptr);
  // One untimed cycle first: the VMA splits of the first flag change are
  // not the steady state, and vmas_added measures growth from there.
  const uintptr_t v = base + shape.offset;
  mem.SysUnused(v, shape.len);
  mem.SysUsed(v, shape.len);
  if (const int err = (*kernel)->Touch(base, kRegionBytes); err != 0) {
    mem.SysFree(r.addr, reserve_len, nullptr);
    return Skip(state, absl::ResourceExhaustedError(
                           absl::StrCat("touching the region failed with ", ErrnoName(err))));
  }

  const int64_t vmas_before =
      static_cast<int64_t>((*kernel)->Vmas(r.addr, r.addr + reserve_len).size());
  const MadviseSnapshot start = MadviseSnapshot::Of(mem.counters());
  for (auto _ : state) {
    mem.SysUnused(v, shape.len);
    mem.SysUsed(v, shape.len);
  }
  MadviseSnapshot timed;
  timed.Add(MadviseSnapshot::Of(mem.counters()), start);
  ReportCounters(state, mem, timed, r.addr, r.addr + reserve_len, vmas_before);
  mem.SysFree(r.addr, reserve_len, nullptr);
}

// ---- scavenge pass ------------------------------------------------------

// A heap of `spans` spans (sizes taken in turn from `pages`, each size twice
// in a row), every other one free and idle past the scavenge limit. It
// lives as long as its benchmark, across the runs google-benchmark makes to
// size the iteration count: the port's MHeap never gives its address space
// back, so a heap per run would pile up mappings.
class ScavengeHeap {
 public:
  static absl::StatusOr<std::unique_ptr<ScavengeHeap>> Create(const std::string& variant,
                                                              const std::string& kernel_name,
                                                              int spans,
                                                              const std::vector<uintptr_t>& pages) {
    absl::StatusOr<std::unique_ptr<Kernel>> kernel = NewKernel(kernel_name);
    if (!kernel.ok()) return kernel.status();
    absl::StatusOr<std::unique_ptr<MemLinux>> mem = NewMemLinux(**kernel, variant);
    if (!mem.ok()) return mem.status();
    std::unique_ptr<ScavengeHeap> h(new ScavengeHeap(*std::move(kernel), *std::move(mem)));
    if (absl::Status s = h->Build(spans, pages); !s.ok()) return s;
    return h;
  }

  MemLinux& mem() { return *mem_; }
  uintptr_t arena_start() const { return heap_.layout().arena_start; }
  uintptr_t arena_used() const { return heap_.layout().arena_used; }

  // Allocates the freed spans' sizes again (sysUsed on released ones), writes
  // them as a reused span is written, frees them, and moves the clock past
  // the scavenge limit: the next pass has the same work as the last.
  absl::Status Rearm() {
    std::vector<MSpan*> spans;
    spans.reserve(free_sizes_.size());
    for (PageCount n : free_sizes_) {
      MSpan* s = heap_.Alloc(n, 0, /*large=*/true, /*needzero=*/false);
      if (s == nullptr) return absl::ResourceExhaustedError("the heap cannot grow");
      if (const int err = kernel_->Touch(s->base(), s->npages.bytes()); err != 0) {
        return absl::ResourceExhaustedError(
            absl::StrCat("writing a reused span failed with ", ErrnoName(err)));
      }
      spans.push_back(s);
    }
    for (MSpan* s : spans) heap_.Free(s, true);
    clock_.Advance(static_cast<int64_t>(kScavengeLimitNs) + 1);
    return absl::OkStatus();
  }

  // One mHeap_Scavenge pass as sysmon makes it; the bytes released.
  uintptr_t Pass() {
    return HeapScavenge(heap_, /*k=*/0, static_cast<uint64_t>(clock_.NanoTime()),
                        kScavengeLimitNs, /*trace=*/nullptr);
  }

 private:
  ScavengeHeap(std::unique_ptr<Kernel> kernel, std::unique_ptr<MemLinux> mem)
      : kernel_(std::move(kernel)), mem_(std::move(mem)), heap_(*mem_, clock_, /*nprocs=*/1) {}

  absl::Status Build(int count, const std::vector<uintptr_t>& pages) {
    std::vector<MSpan*> spans;
    for (int i = 0; i < count; ++i) {
      const PageCount n(pages[(i / 2) % pages.size()]);
      MSpan* s = heap_.Alloc(n, 0, /*large=*/true, /*needzero=*/false);
      if (s == nullptr) return absl::ResourceExhaustedError("the heap cannot grow");
      spans.push_back(s);
    }
    for (int i = 0; i < count; i += 2) {
      free_sizes_.push_back(spans[i]->npages);
      heap_.Free(spans[i], true);
    }
    // Release the rest of the arena now, so that every pass releases only
    // the spans Rearm makes idle, and go once round the cycle, so that the
    // benchmark starts from its steady state (the first flag changes split
    // VMAs that later ones only re-flag).
    clock_.Advance(static_cast<int64_t>(kScavengeLimitNs) + 1);
    Pass();
    if (absl::Status s = Rearm(); !s.ok()) return s;
    Pass();
    return absl::OkStatus();
  }

  std::unique_ptr<Kernel> kernel_;
  std::unique_ptr<MemLinux> mem_;
  VirtualClock clock_;
  MHeap heap_;
  std::vector<PageCount> free_sizes_;
};

// The heap of one Scavenge benchmark, built on its first run.
struct LazyScavengeHeap {
  std::string variant, kernel;
  int spans = kHeapSpans;
  std::vector<uintptr_t> pages = kSpanPages;
  absl::StatusOr<std::unique_ptr<ScavengeHeap>> heap = absl::UnknownError("not built");
  bool built = false;

  absl::StatusOr<ScavengeHeap*> Get() {
    if (!built) {
      heap = ScavengeHeap::Create(variant, kernel, spans, pages);
      built = true;
    }
    if (!heap.ok()) return heap.status();
    return heap->get();
  }
};

void BM_Scavenge(benchmark::State& state, LazyScavengeHeap& lazy) {
  absl::StatusOr<ScavengeHeap*> got = lazy.Get();
  if (!got.ok()) return Skip(state, got.status());
  ScavengeHeap& h = **got;
  // The heap is as the last pass left it.
  const int64_t vmas_before =
      static_cast<int64_t>(h.mem().kernel().Vmas(h.arena_start(), h.arena_used()).size());
  if (absl::Status s = h.Rearm(); !s.ok()) return Skip(state, s);
  MadviseSnapshot timed;
  MadviseSnapshot start = MadviseSnapshot::Of(h.mem().counters());
  uint64_t released = 0;
  for (auto _ : state) {
    released += h.Pass();
    state.PauseTiming();
    timed.Add(MadviseSnapshot::Of(h.mem().counters()), start);
    if (absl::Status s = h.Rearm(); !s.ok()) {
      state.ResumeTiming();
      Skip(state, s);
      break;
    }
    start = MadviseSnapshot::Of(h.mem().counters());
    state.ResumeTiming();
  }
  if (state.error_occurred()) return;
  // Back to the state after a pass (Rearm wrote the spans), then report.
  h.Pass();
  ReportCounters(state, h.mem(), timed, h.arena_start(), h.arena_used(), vmas_before);
  state.counters["released_KiB"] = benchmark::Counter(static_cast<double>(released) / 1024,
                                                      benchmark::Counter::kAvgIterations);
  state.counters["resident_KiB"] = static_cast<double>(
      h.mem().kernel().ResidencyOf(h.arena_start(), h.arena_used()).resident_bytes / 1024);
}

void RegisterAll() {
  for (const std::string& variant : HugePagePolicyNames()) {
    for (const char* kernel : kKernels) {
      for (const Shape& shape : kShapes) {
        benchmark::RegisterBenchmark(
            absl::StrCat("SysUnusedUsed/", variant, "/", kernel, "/", shape.name).c_str(),
            [variant, kernel = std::string(kernel), shape](benchmark::State& state) {
              BM_SysUnusedUsed(state, variant, kernel, shape);
            });
      }
    }
  }
  for (const std::string& variant : HugePagePolicyNames()) {
    for (const char* kernel : kKernels) {
      auto lazy = std::make_shared<LazyScavengeHeap>();
      lazy->variant = variant;
      lazy->kernel = kernel;
      benchmark::RegisterBenchmark(absl::StrCat("Scavenge/", variant, "/", kernel).c_str(),
                                   [lazy](benchmark::State& state) { BM_Scavenge(state, *lazy); });
    }
  }
  for (const int n : kPassSpans) {
    for (const char* kernel : kKernels) {
      for (const char* variant : {"fixed", "fixed_batched"}) {
        auto lazy = std::make_shared<LazyScavengeHeap>();
        lazy->variant = variant;
        lazy->kernel = kernel;
        lazy->spans = 2 * n;
        lazy->pages = kSmallSpanPages;
        benchmark::RegisterBenchmark(
            absl::StrCat("ScavengePass/", variant, "/", kernel, "/", n).c_str(),
            [lazy](benchmark::State& state) { BM_Scavenge(state, *lazy); });
      }
    }
  }
}

}  // namespace
}  // namespace thp

int main(int argc, char** argv) {
  // google-benchmark's default of 0.5 s per benchmark would make a full run
  // take about two minutes on two cores, mostly in the untimed re-arming
  // between scavenge passes. A default flag goes first so that the user's
  // own --benchmark_min_time, parsed later, wins. (Benchmark::MinTime would
  // win over the flag and rename every benchmark.)
  static char default_min_time[] = "--benchmark_min_time=0.05";
  std::vector<char*> args(argv, argv + argc);
  args.insert(args.begin() + 1, default_min_time);
  int nargs = static_cast<int>(args.size());
  args.push_back(nullptr);
  benchmark::Initialize(&nargs, args.data());
  // One "error: unrecognized command-line flag" line per leftover argument.
  if (benchmark::ReportUnrecognizedArguments(nargs, args.data())) return 2;
  thp::RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
