// Allocations a trace marks "systemstack" (mallocgc on the g0 stack, as Go
// 1.5.1's newdefer under systemstack): on either heap they never start a GC
// cycle, whichever of the replayer's paths runs them, and a nosafepoint loop
// may hold them.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "bench/workloads/trace_line_testing.h"
#include "bench/workloads/trace_replayer.h"
#include "gtest/gtest.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

LoopOptions WithoutSafePoint() {
  LoopOptions o;
  o.no_safe_point = true;
  return o;
}

struct Shape {
  const char* name;
  std::vector<std::string> body;  // allocs marked systemstack, and the rest
  int64_t iterations;             // enough to pass the 4 MB trigger twice
};

// Each body shape reaches a different path of the replayer: one transient
// object (a run of transient allocations, or each on its own unbatched), a
// retained one (the held stack, or Apply), a block of two (ApplyBlock, or
// Apply), and a large object (which always checks the trigger).
const std::vector<Shape>& Shapes() {
  static const auto* const kShapes = new std::vector<Shape>{
      {"transient", {"alloc 1 80 scan 0 systemstack", "drop 1"}, 100000},
      {"retained", {"alloc 1 80 scan 0 systemstack", "retain 1"}, 100000},
      {"block",
       {"alloc 1 80 scan 0 systemstack", "alloc 2 48 noscan 1 systemstack", "drop 1", "drop 2"},
       70000},
      {"large", {"alloc 1 40000 noscan 0 systemstack", "drop 1"}, 200},
  };
  return *kShapes;
}

// GC cycles after runtime.GC() and the loop (no time passes in it, so sysmon
// forces nothing), and after one more allocation on a goroutine (large:
// mallocgc checks the trigger).
struct Cycles {
  uint64_t after_loop = 0;
  uint64_t after_goroutine_alloc = 0;
};

Cycles CyclesOf(HeapKind heap, const Shape& shape, bool batched, bool on_system_stack) {
  std::string text = absl::StrCat("thp-trace 1\ngc\nloop ", shape.iterations, " 0\n");
  for (const std::string& e : shape.body) {
    text += (on_system_stack ? e : absl::StrReplaceAll(e, {{" systemstack", ""}})) + "\n";
  }
  text += "end\ncompute 2000000\n";  // a cycle the loop started ends its mark
  absl::StatusOr<std::vector<TraceEvent>> events = ParseTrace(text);
  EXPECT_TRUE(events.ok()) << events.status();
  SimulatedKernel sim;
  absl::StatusOr<std::unique_ptr<TraceReplayer>> r = TraceReplayer::Create(
      sim, RuntimeOptions(), /*scavenge_debug=*/true, nullptr, /*vma_census=*/false, heap);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!events.ok() || !r.ok()) return {};
  (*r)->set_batched_loops(batched);
  absl::Status st = (*r)->Run(*events, nullptr);
  EXPECT_TRUE(st.ok()) << st;
  Cycles c;
  c.after_loop = (*r)->heap_runtime().Figures().gc_cycles;
  TraceEvent alloc{};
  alloc.kind = TraceEvent::kAlloc;
  alloc.id = 99;
  alloc.bytes = 40000;
  alloc.noscan = true;
  st = (*r)->Apply(alloc);
  EXPECT_TRUE(st.ok()) << st;
  ApplyTraceLine(**r, "compute 2000000");  // and so does one this alloc starts
  c.after_goroutine_alloc = (*r)->heap_runtime().Figures().gc_cycles;
  return c;
}

// startGC (go1.5.1 mgc.go) returns at once on g0, as gcStart (go1.21.0)
// does: however far past the trigger the heap grows on the system stack, no
// cycle starts until an allocation on a goroutine finds the trigger passed.
// The same allocations on a goroutine start cycles in the loop.
TEST(TraceSystemStack, AllocationsThereStartNoCycleOnEitherHeapOnAnyPath) {
  for (HeapKind heap : {HeapKind::kGo15, HeapKind::kGo121}) {
    for (const Shape& shape : Shapes()) {
      for (bool batched : {true, false}) {
        SCOPED_TRACE(absl::StrCat(HeapKindName(heap), " ", shape.name,
                                  batched ? " batched" : " one by one"));
        const Cycles g0 = CyclesOf(heap, shape, batched, /*on_system_stack=*/true);
        EXPECT_EQ(g0.after_loop, 1u);  // runtime.GC() alone
        EXPECT_EQ(g0.after_goroutine_alloc, 2u);
        const Cycles user = CyclesOf(heap, shape, batched, /*on_system_stack=*/false);
        EXPECT_GE(user.after_loop, 2u);
      }
    }
  }
}

// Go 1.5.1's BenchmarkDeferMany: b.N defer records made on the system stack
// in a loop with no safe point. The GC sysmon forces 10 ms in (scavenge=1)
// waits for the loop's end, and then finds every record live; no other
// cycle starts, though the heap grows to almost twice the 4 MB trigger.
TEST(TraceSystemStack, AGcForcedInANosafepointLoopOfSuchAllocationsWaitsForItsEnd) {
  absl::StatusOr<std::vector<TraceEvent>> events = ParseTrace(
      "thp-trace 1\ngc\nloop 100000 10000 nosafepoint\nalloc 1 80 scan 0 systemstack\n"
      "retain 1\nend\ncompute 2000000\n");
  ASSERT_TRUE(events.ok()) << events.status();
  SimulatedKernel sim;
  absl::StatusOr<std::unique_ptr<TraceReplayer>> r =
      TraceReplayer::Create(sim, RuntimeOptions(), /*scavenge_debug=*/true, nullptr);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE((*r)->Run(*events, nullptr).ok());
  const std::vector<GcCycle>& cycles = (*r)->runtime().gc().cycles();
  ASSERT_EQ(cycles.size(), 2u);
  EXPECT_EQ(cycles[0].mode, GcMode::kForceBlock);
  EXPECT_EQ(cycles[1].mode, GcMode::kBackground);
  EXPECT_EQ(cycles[1].start_ns - cycles[0].end_ns, 1000000000);  // the loop's end
  EXPECT_GT(cycles[1].heap0, cycles[0].next_gc + cycles[0].next_gc / 2);
  EXPECT_GE(cycles[1].heap2, 100000u * 80);  // every record marked
  (*r)->runtime().heap().CheckInvariants();
}

// ApplyLoop keeps the parser's rule: anything but a systemstack alloc, a
// drop or a retain would reach a safe point.
TEST(TraceSystemStack, ANosafepointLoopRefusesAnAllocationOnAGoroutine) {
  SimulatedKernel sim;
  absl::StatusOr<std::unique_ptr<TraceReplayer>> r =
      TraceReplayer::Create(sim, RuntimeOptions(), /*scavenge_debug=*/true, nullptr);
  ASSERT_TRUE(r.ok()) << r.status();
  TraceEvent alloc{};
  alloc.kind = TraceEvent::kAlloc;
  alloc.id = 1;
  alloc.bytes = 80;
  TraceEvent retain{};
  retain.kind = TraceEvent::kRetain;
  retain.id = 1;
  EXPECT_EQ((*r)->ApplyLoop({alloc, retain}, 10, 1000, WithoutSafePoint()).message(),
            "a loop with no safe point holds only systemstack allocs, drops, retains, "
            "nosafepoint computes and a move (any other event would reach a safe point)");
  EXPECT_EQ((*r)->stats().events, 0);
  alloc.system_stack = true;
  EXPECT_TRUE((*r)->ApplyLoop({alloc, retain}, 10, 1000, WithoutSafePoint()).ok());
  EXPECT_EQ((*r)->stats().events, 20);
}

}  // namespace
}  // namespace thp
