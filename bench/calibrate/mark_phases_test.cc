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

heaplog::HeapEvent Done(int64_t t, uint64_t heap_marked) {
  heaplog::GcDone d;
  d.heap_marked = heap_marked;
  return At(t, d);
}

TEST(MarkPhases, ABackgroundCyclesStartToItsMarkTermination) {
  MarkPhaseFinder f;
  EXPECT_FALSE(f.Observe(Start(1000, heaplog::GcMode::kBackground, 4194304)).has_value());
  EXPECT_FALSE(f.Observe(At(1500, heaplog::Alloc{})).has_value());
  const std::optional<MarkPhase> p = f.Observe(MarkTerm(951000, 4489216));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ns, 950000);
  EXPECT_EQ(p->grow_bytes, 294912);
  EXPECT_EQ(p->since_ns, 0);  // no cycle ended before
  EXPECT_EQ(p->since_bytes, 0);
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

// The program's run before the mark: from the last cycle's end, whatever
// its mode, to the start.
TEST(MarkPhases, TheRunBeforeTheMarkStartsAtTheLastCyclesEnd) {
  MarkPhaseFinder f;
  EXPECT_FALSE(f.Observe(Start(100, heaplog::GcMode::kForceBlock, 600000)).has_value());
  EXPECT_FALSE(f.Observe(MarkTerm(200, 600000)).has_value());
  EXPECT_FALSE(f.Observe(Done(300, 550000)).has_value());
  EXPECT_FALSE(f.Observe(Start(8000300, heaplog::GcMode::kBackground, 4194304)).has_value());
  std::optional<MarkPhase> p = f.Observe(MarkTerm(9000300, 4300000));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->since_ns, 8000000);
  EXPECT_EQ(p->since_bytes, 4194304 - 550000);
  EXPECT_FALSE(f.Observe(Done(9100300, 560000)).has_value());
  EXPECT_FALSE(f.Observe(Start(9100400, heaplog::GcMode::kBackground, 4194304)).has_value());
  p = f.Observe(MarkTerm(9200400, 4200000));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->since_ns, 100);
  EXPECT_EQ(p->since_bytes, 4194304 - 560000);
}

}  // namespace
}  // namespace calibrate
}  // namespace thp
