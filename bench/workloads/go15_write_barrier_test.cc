// The suite's writebarrier marks (go15_suite.cc: OnePerOpInGlobal) against
// what Go 1.5.1 did in its own run (testdata/go151_heaplog/prefix.hlog.xz).
// During a background cycle's concurrent phase Go 1.5.1 marks an object the
// program stores through the write barrier (gcmarkwb_m shades it), and not
// one it only keeps in a local. So in a benchmark whose every op allocates
// one object and drops it, the bytes a background cycle marks beyond what
// the runtime.GC() before its round marked are, per byte the heap grew
// during the phase (gc_start to gc_mark_term), about 1 where the op stores
// its object in a package variable and about 0 where it keeps it in a
// local: the median over the benchmark's background cycles is above 0.5
// exactly for the benchmarks marked, and under 0.1 for the others.
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bench/workloads/go15_suite.h"
#include "bench/workloads/run_program.h"
#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event_log.h"

namespace thp {
namespace {

// Per benchmark, each background cycle's (marked beyond the last forced
// cycle's) / (heap growth during its concurrent phase).
std::map<std::string, std::vector<double>> MarkedPerByteGrown() {
  std::map<std::string, std::vector<double>> out;
  std::vector<double>* current = nullptr;
  bool background = false, forced = false;
  uint64_t heap0 = 0, heap1 = 0, forced_marked = 0;
  bool have_forced = false;
  const absl::Status st = heaplog::ForEachHeapEvent(
      "testdata/go151_heaplog/prefix.hlog.xz", [&](const heaplog::HeapEvent& e) {
        if (const auto* s = std::get_if<heaplog::BenchStart>(&e.body)) {
          current = &out[s->BaseName()];
          have_forced = false;
        } else if (const auto* g = std::get_if<heaplog::GcStart>(&e.body)) {
          background = g->mode == heaplog::GcMode::kBackground;
          forced = g->mode == heaplog::GcMode::kForceBlock;
          heap0 = g->heap_live;
        } else if (const auto* m = std::get_if<heaplog::GcMarkTerm>(&e.body)) {
          heap1 = m->heap_live;
        } else if (const auto* d = std::get_if<heaplog::GcDone>(&e.body)) {
          if (forced) {
            forced_marked = d->heap_marked;
            have_forced = true;
          } else if (background && have_forced && current != nullptr && heap1 > heap0) {
            current->push_back(
                (static_cast<double>(d->heap_marked) - static_cast<double>(forced_marked)) /
                static_cast<double>(heap1 - heap0));
          }
          background = forced = false;
        }
      });
  EXPECT_TRUE(st.ok()) << st;
  return out;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The benchmarks whose op is one allocation dropped at once, run by the
// benchmark's own goroutine (no RunParallel workers), and whether that
// allocation is marked writebarrier.
std::map<std::string, bool> OneObjectPerOp() {
  std::map<std::string, bool> out;
  for (const Go15Benchmark& b : Go15RuntimeBenchmarks()) {
    RunBuilder builder(RunContext{1000, 2});
    b.generate(builder);
    const RunProgram prog = builder.Build(b.name, 100.0);
    const bool goroutines = std::any_of(prog.setup.begin(), prog.setup.end(), [](const TraceEvent& e) {
      return e.kind == TraceEvent::kGo;
    });
    if (goroutines || prog.body.size() != 2 || prog.body[0].kind != TraceEvent::kAlloc ||
        prog.body[1].kind != TraceEvent::kDrop) {
      continue;
    }
    out[b.name] = prog.body[0].write_barrier;
  }
  return out;
}

TEST(Go15WriteBarrier, MarkedExactlyWhereGo151MarkedWhatTheConcurrentPhaseAllocated) {
  const std::map<std::string, std::vector<double>> log = MarkedPerByteGrown();
  int stored = 0, local = 0;
  for (const auto& [name, marked] : OneObjectPerOp()) {
    const auto it = log.find(name);
    ASSERT_NE(it, log.end()) << name;
    ASSERT_GE(it->second.size(), 20u) << name << ": too few background cycles with growth";
    const double m = Median(it->second);
    if (marked) {
      ++stored;
      EXPECT_GT(m, 0.5) << name << " is marked writebarrier; Go marked " << m << " per byte grown";
    } else {
      ++local;
      EXPECT_LT(m, 0.1) << name << " is not marked; Go marked " << m << " per byte grown";
    }
  }
  EXPECT_EQ(stored, 9);  // CallClosure2-4, ConvT2E* and ConvT2I*
  EXPECT_EQ(local, 5);   // Malloc8, Malloc16, MallocTypeInfo8, MallocTypeInfo16, MallocLargeStruct
}

}  // namespace
}  // namespace thp
