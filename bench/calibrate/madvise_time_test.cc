#include "bench/calibrate/madvise_time.h"

#include "gtest/gtest.h"
#include "mheap/go15/events/heap_event.h"
#include "mheap/go15/events/test_events.h"

namespace thp {
namespace calibrate {
namespace {

using heaplog::At;

heaplog::Madvise Advice(uint64_t advice) {
  heaplog::Madvise m;
  m.v = 0xc820000000;
  m.n = 8192;
  m.advice = advice;
  return m;
}

// A release (NOHUGEPAGE, then DONTNEED) and a reuse (HUGEPAGE): each call
// takes the time since the record before it in its chain.
TEST(MadviseTimer, EachCallTakesTheTimeSinceTheRecordBeforeItInItsChain) {
  MadviseTimer t;
  t.Observe(At(1000, heaplog::SysUnused{0xc820000000, 8192}));
  t.Observe(At(3500, Advice(kMadvNohugepage)));  // 2500 ns
  t.Observe(At(3600, Advice(kMadvDontneed)));    // 100 ns
  t.Observe(At(9000, heaplog::SysUnused{0xc820004000, 8192}));
  t.Observe(At(9010, Advice(kMadvNohugepage)));  // 10 ns
  t.Observe(At(9050, Advice(kMadvDontneed)));    // 40 ns
  t.Observe(At(20000, heaplog::SysUsed{0xc820000000, 8192}));
  t.Observe(At(20300, Advice(kMadvHugepage)));   // 300 ns
  const MadviseTimes no = t.Times(kMadvNohugepage);
  EXPECT_EQ(no.calls, 2u);
  EXPECT_EQ(no.max_ns, 2500);
  EXPECT_EQ(no.total_ns, 2510);
  EXPECT_EQ(no.median_ns, 2500);  // the upper of two
  const MadviseTimes dn = t.Times(kMadvDontneed);
  EXPECT_EQ(dn.calls, 2u);
  EXPECT_EQ(dn.total_ns, 140);
  EXPECT_EQ(t.Times(kMadvHugepage).total_ns, 300);
  EXPECT_EQ(t.Times(kMadvHugepage).calls, 1u);
  EXPECT_EQ(t.Times(99).calls, 0u);
}

// A madvise that follows any other record (none of the heap's chains) is
// left out rather than timed from an old chain.
TEST(MadviseTimer, AMadviseOutsideAChainIsNotTimed) {
  MadviseTimer t;
  t.Observe(At(1000, heaplog::SysUnused{0xc820000000, 8192}));
  t.Observe(At(1100, Advice(kMadvNohugepage)));
  t.Observe(At(5000, heaplog::BenchRun{100}));
  t.Observe(At(900000, Advice(kMadvNohugepage)));
  EXPECT_EQ(t.Times(kMadvNohugepage).calls, 1u);
  EXPECT_EQ(t.Times(kMadvNohugepage).max_ns, 100);
}

}  // namespace
}  // namespace calibrate
}  // namespace thp
