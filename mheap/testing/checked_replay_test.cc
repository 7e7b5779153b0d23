// The fuzzer's checks can fail, and a failure prints the trace that
// reproduces it: a refused event, and the page model's two disagreements.
#include "mheap/testing/checked_replay.h"

#include "gtest/gtest.h"
#include "mheap/go15/testing/page_model_observer.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

TEST(CheckedReplayDeathTest, AFailurePrintsTheTraceUpToTheFailingEvent) {
  absl::StatusOr<std::vector<TraceEvent>> events =
      ParseTrace("thp-trace 1\nalloc 1 100000 scan 0\ngc\ndrop 2\nsleep 1000\n");
  ASSERT_TRUE(events.ok());
  // drop 2 names no live object: the replayer refuses it, and what is
  // printed ends with it.
  EXPECT_DEATH(ReplayChecked(*events, HeapKind::kGo15, "fixed"),
               "no live object has that id.*\nthp-trace 1\nalloc 1 100000 scan 0\ngc\ndrop 2\n$");
  EXPECT_DEATH(ReplayChecked(*events, HeapKind::kGo121, "collapse"),
               "heap go121, variant collapse.*\nthp-trace 1\nalloc 1 100000 scan 0\ngc\ndrop 2\n$");
}

TEST(CheckedReplay, TraceTextReadsBackAsTheSameEvents) {
  const std::string text =
      "thp-trace 1\nalloc 1 100000 noscan 3\nloop 4 1000 nosafepoint\nend\nstack 2 8192 1\n"
      "unstack 2 0\ngo 1 2\ngogrow 1 16384 2\ngoexit 1 3\nretain 1\nrelease\nfreeosmemory\n"
      "compute 5\nsleep 6\n";
  absl::StatusOr<std::vector<TraceEvent>> events = ParseTrace(text);
  ASSERT_TRUE(events.ok()) << events.status();
  EXPECT_EQ(TraceText(*events, events->size()), text);
  EXPECT_EQ(TraceText(*events, 2), "thp-trace 1\nalloc 1 100000 noscan 3\nloop 4 1000 nosafepoint\n");
}

// The observer's model disagrees with a heap that hands out a span twice or
// takes one back twice (fed here by hand, as a broken heap would feed it).
TEST(PageModelObserver, CatchesASpanHandedOutOrGivenBackTwice) {
  SimulatedKernel sim;
  absl::StatusOr<std::unique_ptr<MemLinux>> mem = NewMemLinux(sim, "fixed");
  ASSERT_TRUE(mem.ok());
  VirtualClock clock(1);
  MHeap heap(**mem, clock, 1);
  PageModelObserver model(heap);
  heap.set_observer(&model);
  MSpan* s = heap.Alloc(PageCount(3), 0, /*large=*/true, /*needzero=*/true);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(model.Check(heap), "");
  model.OnAllocSpan(s, s->npages, PageCount(0));
  EXPECT_NE(model.error().find("which is not free"), std::string::npos) << model.error();

  PageModelObserver fresh(heap);
  heap.set_observer(&fresh);
  const PageId start = s->start;
  heap.Free(s, true);
  EXPECT_EQ(fresh.Check(heap), "");
  fresh.OnFreeSpan(start, PageCount(3), /*acctinuse=*/true, /*acctidle=*/true, true, *s);
  EXPECT_NE(fresh.Check(heap).find("freed twice"), std::string::npos) << fresh.Check(heap);
  heap.set_observer(nullptr);
}

// A heap whose free pages the model does not know of: CompareFreeRanges
// names the first page that differs.
TEST(PageModelObserver, ComparesFreePagesWithTheHeap) {
  SimulatedKernel sim;
  absl::StatusOr<std::unique_ptr<MemLinux>> mem = NewMemLinux(sim, "none");
  ASSERT_TRUE(mem.ok());
  VirtualClock clock(1);
  MHeap heap(**mem, clock, 1);
  MSpan* s = heap.Alloc(PageCount(2), 0, /*large=*/true, /*needzero=*/true);
  ASSERT_NE(s, nullptr);
  PageModel model = PageModel::Snapshot(heap);  // s in use
  EXPECT_EQ(model.CompareFreeRanges(heap), "");
  heap.Free(s, true);  // the model is not told
  EXPECT_NE(model.CompareFreeRanges(heap).find("heap says free, model says in use"),
            std::string::npos);
}

}  // namespace
}  // namespace thp
