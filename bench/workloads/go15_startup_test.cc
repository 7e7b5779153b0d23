// Go 1.5.1's startup heap (go15_startup.h) run through the ported Go 1.5
// heap: its spans land where the recorded run's did, and the first GC frees
// those the recording's first GC freed.
#include "bench/workloads/go15_startup.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bench/workloads/trace_replayer.h"
#include "gtest/gtest.h"
#include "mheap/go15/msize.h"
#include "runtime_port/kernel/sim_kernel.h"

namespace thp {
namespace {

// The spans testdata/go151_heaplog/prefix.hlog.xz shows before its first
// bench_start, as "page:sizeclass/npages" (page from arena_start; "stack"
// for a stack span), in address order.
constexpr char kRecordedAtFirstBench[] =
    "0:21/1 1:stack/4 5:4/1 6:27/1 7:2/1 8:3/1 9:5/1 10:6/1 11:14/1 12:43/1 13:7/1 14:45/2 "
    "16:stack/4 20:1/1 21:32/1 22:stack/4 26:stack/4 30:stack/4 34:stack/4 38:8/1 39:stack/4 "
    "43:22/1 44:30/1 45:36/2 47:42/3 50:48/5 55:20/1 56:18/1 57:26/1 58:28/1 59:34/2 61:10/1 "
    "62:11/1 63:19/1 64:46/3 67:66/4 71:66/4 75:13/1 76:29/1 77:35/1 78:41/2 80:2/1 81:17/1";
// And after its first GC cycle (the first benchmark's runtime.GC()): pages
// 30, 55, 57, 58, 63, 67 and 75-79 were freed.
constexpr char kRecordedAfterFirstGc[] =
    "0:21/1 1:stack/4 5:4/1 6:27/1 7:2/1 8:3/1 9:5/1 10:6/1 11:14/1 12:43/1 13:7/1 14:45/2 "
    "16:stack/4 20:1/1 21:32/1 22:stack/4 26:stack/4 34:stack/4 38:8/1 39:stack/4 "
    "43:22/1 44:30/1 45:36/2 47:42/3 50:48/5 56:18/1 59:34/2 61:10/1 "
    "62:11/1 64:46/3 71:66/4 80:2/1 81:17/1";

TraceEvent Gc() {
  TraceEvent e;
  e.kind = TraceEvent::kGc;
  return e;
}

class Go15StartupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RuntimeOptions o;
    o.variant = "prefix";
    o.gomaxprocs = 2;  // the recording's
    absl::StatusOr<std::unique_ptr<TraceReplayer>> r =
        TraceReplayer::Create(sim_, o, /*scavenge_debug=*/true, nullptr);
    ASSERT_TRUE(r.ok()) << r.status();
    r_ = *std::move(r);
    for (const TraceEvent& e : Go151StartupProgram()) {
      absl::Status st = r_->Apply(e);
      ASSERT_TRUE(st.ok()) << st << " at " << FormatTraceEvent(e);
    }
  }
  // The heap's in-use and stack spans in the recording's notation.
  std::string Spans() { return absl::StrJoin(SpanLayout(r_->runtime().heap()), " "); }

  SimulatedKernel sim_;
  std::unique_ptr<TraceReplayer> r_;
};

TEST_F(Go15StartupTest, SpansLandWhereTheRecordedRunsDidAtTheFirstBenchmark) {
  // The stack span freed before the first benchmark (page 30) is still
  // Go's at bench_start; the model frees it at once (no GC is running).
  std::string want = kRecordedAtFirstBench;
  want.replace(want.find(" 30:stack/4"), 11, "");
  EXPECT_EQ(Spans(), want);
}

TEST_F(Go15StartupTest, TheFirstGcFreesWhatTheRecordedRunsFreed) {
  ASSERT_TRUE(r_->Apply(Gc()).ok());
  EXPECT_EQ(Spans(), kRecordedAfterFirstGc);
}

TEST_F(Go15StartupTest, WhatSurvivesTheFirstGcIsKeptForever) {
  // Many cycles later (each benchmark run starts with one) nothing of the
  // startup has been freed: its objects and goroutines are never let go.
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(r_->Apply(Gc()).ok());
  EXPECT_EQ(Spans(), kRecordedAfterFirstGc);
  EXPECT_EQ(r_->runtime().goroutines().allglen(), 4u);
}

TEST(Go15StartupTable, SmallSpansMatchTheirSizeClasses) {
  const SizeClasses& c = GetSizeClasses();
  int small = 0, stacks = 0;
  for (const StartupSpan& s : Go151StartupSpans()) {
    if (s.kind == StartupSpan::kSmall) {
      ++small;
      EXPECT_EQ(c.ClassToAllocNPages(s.sizeclass), static_cast<uint32_t>(s.npages)) << s.sizeclass;
      EXPECT_LE(s.objects, static_cast<int>(c.ObjectsPerSpan(s.sizeclass))) << s.sizeclass;
      EXPECT_LE(s.live, s.objects);
    } else {
      ++stacks;
    }
  }
  EXPECT_EQ(small, 36);
  EXPECT_EQ(stacks, 7);
}

}  // namespace
}  // namespace thp
