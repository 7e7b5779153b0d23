#include "bench/calibrate/madvise_time.h"

#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event.h"
#include "mheap/go15/events/test_events.h"

namespace thp {
namespace calibrate {
namespace {

using heaplog::At;

heaplog::Madvise Record(Advice advice) {
  heaplog::Madvise m;
  m.v = 0xc820000000;
  m.n = 8192;
  m.advice = static_cast<uint64_t>(LinuxAdvice(advice));
  return m;
}

// A release (NOHUGEPAGE, then DONTNEED) and a reuse (HUGEPAGE): each call
// takes the time since the record before it in its chain.
TEST(MadviseTimer, EachCallTakesTheTimeSinceTheRecordBeforeItInItsChain) {
  MadviseTimer t;
  t.Observe(At(1000, heaplog::SysUnused{0xc820000000, 8192}));
  t.Observe(At(3500, Record(Advice::kNoHugePage)));  // 2500 ns
  t.Observe(At(3600, Record(Advice::kDontNeed)));    // 100 ns
  t.Observe(At(9000, heaplog::SysUnused{0xc820004000, 8192}));
  t.Observe(At(9010, Record(Advice::kNoHugePage)));  // 10 ns
  t.Observe(At(9050, Record(Advice::kDontNeed)));    // 40 ns
  t.Observe(At(20000, heaplog::SysUsed{0xc820000000, 8192}));
  t.Observe(At(20300, Record(Advice::kHugePage)));   // 300 ns
  const MadviseTimes no = t.Times(Advice::kNoHugePage);
  EXPECT_EQ(no.calls, 2u);
  EXPECT_EQ(no.max_ns, 2500);
  EXPECT_EQ(no.total_ns, 2510);
  EXPECT_EQ(no.median_ns, 2500);  // the upper of two
  const MadviseTimes dn = t.Times(Advice::kDontNeed);
  EXPECT_EQ(dn.calls, 2u);
  EXPECT_EQ(dn.total_ns, 140);
  EXPECT_EQ(t.Times(Advice::kHugePage).total_ns, 300);
  EXPECT_EQ(t.Times(Advice::kHugePage).calls, 1u);
  EXPECT_EQ(t.Times(Advice::kCollapse).calls, 0u);  // an advice no call had
}

// A madvise that follows any other record (none of the heap's chains) is
// left out rather than timed from an old chain.
TEST(MadviseTimer, AMadviseOutsideAChainIsNotTimed) {
  MadviseTimer t;
  t.Observe(At(1000, heaplog::SysUnused{0xc820000000, 8192}));
  t.Observe(At(1100, Record(Advice::kNoHugePage)));
  t.Observe(At(5000, heaplog::BenchRun{100}));
  t.Observe(At(900000, Record(Advice::kNoHugePage)));
  EXPECT_EQ(t.Times(Advice::kNoHugePage).calls, 1u);
  EXPECT_EQ(t.Times(Advice::kNoHugePage).max_ns, 100);
}

}  // namespace
}  // namespace calibrate
}  // namespace thp
