// Go 1.5.1's run-queue decisions (proc1.go), each pinned on a small case.
#include "bench/workloads/go15_runq.h"

#include <deque>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace thp {
namespace {

using G = Go15RunQueues::G;

TEST(Go15RunQueues, RunqPutNextDisplacesTheOldRunnextToTheRingTail) {
  Go15RunQueues rq(2);
  rq.RunqPut(0, 1, /*next=*/true);
  rq.RunqPut(0, 2, /*next=*/true);
  rq.RunqPut(0, 3, /*next=*/true);
  EXPECT_EQ(rq.runnext(0), 3);
  EXPECT_EQ(rq.runq(0), (std::deque<G>{1, 2}));
  bool inherit = false;
  EXPECT_EQ(rq.RunqGet(0, &inherit), 3);  // runnext first, with the time slice
  EXPECT_TRUE(inherit);
  EXPECT_EQ(rq.RunqGet(0, &inherit), 1);  // then the ring, oldest first
  EXPECT_FALSE(inherit);
}

TEST(Go15RunQueues, AFullRingSendsItsOlderHalfAndTheNewGToTheGlobalQueue) {
  Go15RunQueues rq(2);
  for (G g = 0; g < 256; ++g) rq.RunqPut(0, g, /*next=*/false);
  EXPECT_TRUE(rq.global().empty());
  rq.RunqPut(0, 256, /*next=*/false);
  ASSERT_EQ(rq.global().size(), 129u);
  EXPECT_EQ(rq.global().front(), 0);
  EXPECT_EQ(rq.global()[127], 127);
  EXPECT_EQ(rq.global().back(), 256);
  ASSERT_EQ(rq.runq(0).size(), 128u);
  EXPECT_EQ(rq.runq(0).front(), 128);
}

TEST(Go15RunQueues, GlobRunqGetTakesItsShareAndMovesTheRestToTheRing) {
  Go15RunQueues rq(2);
  for (G g = 0; g < 257; ++g) rq.RunqPut(0, g, /*next=*/false);  // 129 to the global queue
  // findrunnable's globrunqget(p, 0) on P 1: 129/2 + 1 = 65 gs.
  EXPECT_EQ(rq.GlobRunqGet(1, 0), 0);
  EXPECT_EQ(rq.runq(1).size(), 64u);
  EXPECT_EQ(rq.runq(1).front(), 1);
  EXPECT_EQ(rq.global().size(), 64u);
  // schedule's fairness check takes one.
  EXPECT_EQ(rq.GlobRunqGet(1, 1), 65);
  EXPECT_EQ(rq.runq(1).size(), 64u);
}

TEST(Go15RunQueues, StealTakesTheOlderHalfRoundedUpAndRunsTheNewestOfIt) {
  Go15RunQueues rq(2);
  for (G g = 10; g < 15; ++g) rq.RunqPut(0, g, /*next=*/false);
  rq.RunqPut(0, 99, /*next=*/true);
  EXPECT_EQ(rq.RunqSteal(1, 0), 12);  // 10, 11, 12 taken; 12 runs
  EXPECT_EQ(rq.runq(1), (std::deque<G>{10, 11}));
  EXPECT_EQ(rq.runq(0), (std::deque<G>{13, 14}));
  EXPECT_EQ(rq.runnext(0), 99);  // runnext is not stolen
  Go15RunQueues only_next(2);
  only_next.RunqPut(0, 7, /*next=*/true);
  EXPECT_EQ(only_next.RunqSteal(1, 0), Go15RunQueues::kNone);
}

TEST(Go15RunQueues, ScheduleLooksAtTheGlobalQueueEverySixtyFirstTick) {
  Go15RunQueues rq(2);
  // 257 puts on P 0: 129 go global, 128 stay on the ring.
  for (G g = 0; g < 257; ++g) rq.RunqPut(0, g, /*next=*/false);
  // schedtick 0: the global head first.
  EXPECT_EQ(rq.Schedule(0), 0);
  EXPECT_EQ(rq.schedtick(0), 1u);
  // Ticks 1..60 take the ring.
  for (int i = 0; i < 60; ++i) EXPECT_EQ(rq.Schedule(0), 128 + i) << i;
  EXPECT_EQ(rq.schedtick(0), 61u);
  EXPECT_EQ(rq.Schedule(0), 1);  // tick 61: the global queue again
  // A g from runnext inherits the slice: no tick.
  rq.RunqPut(0, 500, /*next=*/true);
  EXPECT_EQ(rq.Schedule(0), 500);
  EXPECT_EQ(rq.schedtick(0), 62u);
}

TEST(Go15RunQueues, FindrunnableTriesTheGlobalQueueThenSteals) {
  Go15RunQueues rq(2);
  rq.RunqPut(0, 1, /*next=*/false);
  rq.RunqPut(0, 2, /*next=*/false);
  EXPECT_EQ(rq.Schedule(1), 1);  // nothing local or global on P 1: it steals 1 of 2
  EXPECT_EQ(rq.runq(0), (std::deque<G>{2}));
  EXPECT_TRUE(rq.runq(1).empty());
  Go15RunQueues idle(2);
  idle.RunqPut(0, 3, /*next=*/true);
  EXPECT_EQ(idle.Schedule(1), Go15RunQueues::kNone);  // only a runnext: P 1 idles
  EXPECT_EQ(idle.schedtick(1), 0u);
}

// A P running the benchmark goroutine has counted it (execute), so a g it
// then runs from runnext leaves its tick at 1 and no look at the global
// queue comes; at tick 0 every such schedule would look.
TEST(Go15RunQueues, ExecuteCountsTheGoroutineAPRunsBeforeItsFirstSchedule) {
  int looks = 0;
  Go15RunQueues rq(1);
  rq.set_on_global_get([&looks](int, int64_t) { ++looks; });
  rq.Execute(0);
  for (G g = 1; g <= 3; ++g) {
    rq.RunqPut(0, g, /*next=*/true);
    EXPECT_EQ(rq.Schedule(0), g);
  }
  EXPECT_EQ(rq.schedtick(0), 1u);
  EXPECT_EQ(looks, 0);
  Go15RunQueues fresh(1);
  fresh.set_on_global_get([&looks](int, int64_t) { ++looks; });
  for (G g = 1; g <= 3; ++g) {
    fresh.RunqPut(0, g, /*next=*/true);
    EXPECT_EQ(fresh.Schedule(0), g);
  }
  EXPECT_EQ(looks, 3);
}

// Every change to the global queue is told, and every look at it, even one
// that finds it empty (Go's queue may hold forcegc.g there).
TEST(Go15RunQueues, GlobalQueueTrafficIsReported) {
  Go15RunQueues rq(2);
  std::vector<std::string> told;
  rq.set_on_global_put([&told](int64_t n) { told.push_back("put " + std::to_string(n)); });
  rq.set_on_global_get([&told](int p, int64_t n) {
    told.push_back("get " + std::to_string(p) + " " + std::to_string(n));
  });
  EXPECT_EQ(rq.Schedule(1), Go15RunQueues::kNone);  // tick 0, then findrunnable: two empty looks
  for (G g = 0; g < 257; ++g) rq.RunqPut(0, g, /*next=*/false);
  EXPECT_EQ(rq.Schedule(0), 0);  // tick 0: one from the global head
  EXPECT_EQ(rq.Schedule(0), 128);  // tick 1: the ring, no look
  EXPECT_EQ(told, (std::vector<std::string>{"get 1 0", "get 1 0", "put 129", "get 0 1"}));
}

}  // namespace
}  // namespace thp
