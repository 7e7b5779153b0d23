#include "bench/calibrate/mark_phases.h"

#include "gtest/gtest.h"

namespace thp {
namespace calibrate {
namespace {

heaplog::HeapEvent At(int64_t t, heaplog::EventBody body) {
  heaplog::HeapEvent e;
  e.time_ns = t;
  e.body = std::move(body);
  return e;
}

heaplog::HeapEvent Start(int64_t t, heaplog::GcMode mode, uint64_t heap_live) {
  heaplog::GcStart s;
  s.mode = mode;
  s.heap_live = heap_live;
  return At(t, s);
}

heaplog::HeapEvent MarkTerm(int64_t t, uint64_t heap_live) {
  heaplog::GcMarkTerm m;
  m.heap_live = heap_live;
  return At(t, m);
}

TEST(MarkPhases, ABackgroundCyclesStartToItsMarkTermination) {
  MarkPhaseFinder f;
  EXPECT_FALSE(f.Observe(Start(1000, heaplog::GcMode::kBackground, 4194304)).has_value());
  EXPECT_FALSE(f.Observe(At(1500, heaplog::Alloc{})).has_value());
  const std::optional<MarkPhase> p = f.Observe(MarkTerm(951000, 4489216));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ns, 950000);
  EXPECT_EQ(p->grow_bytes, 294912);
  // Its gc_done, and a second mark termination, end nothing more.
  EXPECT_FALSE(f.Observe(At(960000, heaplog::GcDone{})).has_value());
  EXPECT_FALSE(f.Observe(MarkTerm(970000, 4489216)).has_value());
}

TEST(MarkPhases, ForcedCyclesAndAMarkTerminationWithoutAStartEndNone) {
  MarkPhaseFinder f;
  EXPECT_FALSE(f.Observe(MarkTerm(10, 100)).has_value());
  EXPECT_FALSE(f.Observe(Start(20, heaplog::GcMode::kForceBlock, 100)).has_value());
  EXPECT_FALSE(f.Observe(MarkTerm(30, 100)).has_value());
  // A background start overtaken by a forced one is forgotten.
  EXPECT_FALSE(f.Observe(Start(40, heaplog::GcMode::kBackground, 100)).has_value());
  EXPECT_FALSE(f.Observe(Start(50, heaplog::GcMode::kForce, 100)).has_value());
  EXPECT_FALSE(f.Observe(MarkTerm(60, 200)).has_value());
  // The heap can be smaller at mark termination than at the start.
  EXPECT_FALSE(f.Observe(Start(70, heaplog::GcMode::kBackground, 300)).has_value());
  const std::optional<MarkPhase> p = f.Observe(MarkTerm(90, 200));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ns, 20);
  EXPECT_EQ(p->grow_bytes, -100);
}

}  // namespace
}  // namespace calibrate
}  // namespace thp
