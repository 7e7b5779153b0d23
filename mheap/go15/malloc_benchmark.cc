// google-benchmark of the ported malloc path: allocate-and-drop objects of
// 8, 16, 64, 1024 and 32768 bytes and a 100,000-byte large object, with the
// GC model collecting as Go 1.5's pacing dictates (GOGC=100), on the
// simulated kernel with the fixed variant. The real Go 1.5.1 runtime's
// BenchmarkMalloc8/16 on this machine kind are printed as context
// (testdata/go15_runtime_bench_ns_per_op.tsv).
//
//   bazel run -c opt //bench:malloc_bench
//
// No background sweeper turns are given: sweeping happens through
// proportional sweep, reclaim and the central lists, as it does in Go when
// the background sweeper falls behind.
#include <fstream>
#include <vector>
#include <memory>
#include <sstream>
#include <string>

#include "benchmark/benchmark.h"
#include "mheap/go15/runtime.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

void BM_MallocDrop(benchmark::State& state) {
  const uintptr_t size = static_cast<uintptr_t>(state.range(0));
  const bool noscan = state.range(1) != 0;
  SimulatedKernel sim;
  VirtualClock clock;
  RuntimeOptions o;
  o.variant = "fixed";
  o.gomaxprocs = 1;
  absl::StatusOr<std::unique_ptr<Runtime>> rt = Runtime::Create(sim, clock, o);
  if (!rt.ok()) {
    state.SkipWithError(std::string(rt.status().message()).c_str());
    return;
  }
  Malloc& m = (*rt)->malloc();
  for (auto _ : state) {
    // Never registered as live: dropped at once.
    benchmark::DoNotOptimize(m.MallocGC(size, noscan, 0));
  }
  const double iters = static_cast<double>(state.iterations());
  state.counters["gc_cycles"] = static_cast<double>((*rt)->gc().cycles().size());
  state.counters["heap_sys_MiB"] = static_cast<double>((*rt)->heap().stats().heap_sys >> 20);
  state.counters["madvise_per_op"] =
      static_cast<double>((*rt)->mem().counters().TotalCalls()) / iters;
}

BENCHMARK(BM_MallocDrop)
    ->ArgNames({"bytes", "noscan"})
    ->Args({8, 1})
    ->Args({16, 1})
    ->Args({8, 0})
    ->Args({64, 0})
    ->Args({1024, 0})
    ->Args({32768, 0})
    ->Args({100000, 1});

// Page-heap operations alone: LIFO-ish alloc/free of 1..64-page spans with
// a scavenge every 1024 operations; items_per_second is heap ops per second.
void BM_PageHeapOps(benchmark::State& state) {
  SimulatedKernel sim;
  VirtualClock clock;
  absl::StatusOr<std::unique_ptr<MemLinux>> mem = NewMemLinux(sim, "fixed");
  MHeap heap(**mem, clock, 1);
  std::vector<MSpan*> live;
  uint64_t rng = 88172645463325252ull, ops = 0;
  for (auto _ : state) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    if (live.size() < 64 && (rng & 1)) {
      live.push_back(heap.Alloc(PageCount(1 + (rng >> 8) % 64), 0, true, false));
    } else if (!live.empty()) {
      const size_t i = (rng >> 16) % live.size();
      heap.Free(live[i], true);
      live[i] = live.back();
      live.pop_back();
    }
    if (++ops % 1024 == 0) {
      clock.Advance(1000);
      heap.Scavenge(0, static_cast<uint64_t>(clock.NanoTime()), 500);
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PageHeapOps);

// The real runtime's figures for the same machine kind, as context.
void AddGoContext() {
  std::ifstream in("testdata/go15_runtime_bench_ns_per_op.tsv");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string name, n, ns;
    fields >> name >> n >> ns;
    if (name == "BenchmarkMalloc8" || name == "BenchmarkMalloc16" ||
        name == "BenchmarkMallocTypeInfo8" || name == "BenchmarkMallocTypeInfo16") {
      benchmark::AddCustomContext("go1.5.1 " + name + " ns/op", ns);
    }
  }
}

}  // namespace
}  // namespace thp

int main(int argc, char** argv) {
  thp::AddGoContext();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
