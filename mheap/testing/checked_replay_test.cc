// The fuzzer's checks can fail, and a failure prints the trace that
// reproduces it (here a refused event; the reference page model's own
// disagreements are pinned by mheap/go15/testing/page_model_observer_test).
#include "mheap/testing/checked_replay.h"

#include "gtest/gtest.h"

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

}  // namespace
}  // namespace thp
