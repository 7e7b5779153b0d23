// The trace format: every event round-trips through its line, and bad
// lines are errors naming their line number.
#include "bench/workloads/trace_format.h"

#include <cstdio>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace thp {
namespace {

// Every malformed alloc line gets the same message, naming the line.
constexpr char kAllocForm[] =
    "expected alloc <id> <bytes> scan|noscan <p> [systemstack] [writebarrier] [finalizer] [chain] "
    "[work <units>], units from 1 to 2^32";
constexpr char kLoopForm[] =
    "trace line 2: expected loop <iterations> <ns> [nosafepoint|allocsafepoints] [everypbusy] "
    "[pmove <k> [psteal <w0>,<w1>,... [pstay <w0>,<w1>,...]]], iterations and k at most 1e11 "
    "(k at least 1), ns at most 1e14, 1 to 64 weights of at most 1e11, not all 0";

void ExpectAllocLinesRejected(std::initializer_list<const char*> lines) {
  for (const char* bad : lines) {
    EXPECT_EQ(ParseTrace(absl::StrCat("thp-trace 1\n", bad, "\n")).status().message(),
              absl::StrCat("trace line 2: ", kAllocForm, ": \"", bad, "\""));
  }
}

TEST(Trace, EveryEventRoundTrips) {
  const char* lines[] = {"alloc 7 4096 noscan 1", "alloc 8 80 scan 0 systemstack",
                         "alloc 9 16 noscan 0 writebarrier", "alloc 10 80 scan 1 systemstack writebarrier", "alloc 11 80 scan 0 work 12", "drop 7", "stack 3 8192 0", "unstack 3 0",
                         "gc", "freeosmemory", "compute 2000000", "sleep 10000000",
                         "bench BenchmarkMalloc8 100", "loop 100 33", "loop 100 33 nosafepoint", "loop 100 33 allocsafepoints", "loop 100 33 everypbusy",
                         "loop 100 33 nosafepoint everypbusy", "loop 100 33 pmove 1600",
                         "loop 100 33 nosafepoint everypbusy pmove 1", "loop 100 33 pmove 1600 psteal 3,0,100000000000", "loop 100 33 pmove 982 psteal 288,1929 pstay 2994396,2007,0", "end", "move", "retain 4", "release", "release 20",
                         "go 5 1", "gogrow 5 65536 1", "goexit 5 0", "globrunqput 129",
                         "globrunqget 1 0", "globrunqget 0 65", "newm 1 start", "newm 81 end",
                         "readmemstats", "gouse 0 4700 0", "gouse 5 0 1",
                         "gouse 5 1066512 1 ramp 58331", "gouse 5 1066512 1 ramp 58331 frame 1040",
                         "gouse 6 8388632 0 frame 24", "compute 145 nosafepoint",
                         "sudog 11 1", "unsudog 11 0", "go 5 1 work 0", "goexit 5 0 work 3"};
  for (const char* l : lines) {
    bool is_event = false;
    absl::StatusOr<TraceEvent> e = ParseTraceLine(l, 1, &is_event);
    ASSERT_TRUE(e.ok()) << e.status();
    EXPECT_TRUE(is_event);
    EXPECT_EQ(FormatTraceEvent(*e), l);
  }
}

TEST(Trace, BadLinesNameTheirLineNumber) {
  EXPECT_EQ(ParseTrace("thp-trace 1\ngc\nalloc 1 64 maybe 0\n").status().message(),
            absl::StrCat("trace line 3: ", kAllocForm, ": \"alloc 1 64 maybe 0\""));
  EXPECT_EQ(ParseTrace("# hi\nthp-trace 2\n").status().message(),
            "trace line 2: expected the header \"thp-trace 1\": \"thp-trace 2\"");
  EXPECT_NE(ParseTrace("thp-trace 1\nmunmap 5\n").status().message().find("unknown event"),
            std::string::npos);
  EXPECT_FALSE(ParseTrace("").ok());
  EXPECT_EQ(ParseTrace("thp-trace 1\nloop 3 10\nloop 2 10\n").status().message(),
            "trace line 3: inside the loop opened on line 2 (loops hold no loop or bench lines): "
            "\"loop 2 10\"");
  EXPECT_EQ(ParseTrace("thp-trace 1\nloop 3 10\ngc\n").status().message(),
            "trace line 2: loop without an end");
  EXPECT_EQ(ParseTrace("thp-trace 1\nloop 3 10 safe\nend\n").status().message(),
            absl::StrCat(kLoopForm, ": \"loop 3 10 safe\""));
  // Each flag once, in that order.
  for (const char* line : {"loop 3 10 everypbusy nosafepoint", "loop 3 10 everypbusy everypbusy",
                           "loop 3 10 nosafepoint nosafepoint", "loop 3 10 pmove 2 everypbusy",
                           "loop 3 10 pmove 2 pmove 2"}) {
    EXPECT_FALSE(ParseTrace(absl::StrCat("thp-trace 1\n", line, "\nend\n")).ok()) << line;
  }
  // allocsafepoints: not with nosafepoint, everypbusy or pmove.
  for (const char* line : {"loop 3 10 nosafepoint allocsafepoints", "loop 3 10 allocsafepoints nosafepoint",
                           "loop 3 10 allocsafepoints allocsafepoints"}) {
    EXPECT_EQ(ParseTrace(absl::StrCat("thp-trace 1\n", line, "\nend\n")).status().message(),
              absl::StrCat(kLoopForm, ": \"", line, "\""));
  }
  for (const char* line : {"loop 3 10 allocsafepoints everypbusy", "loop 3 10 allocsafepoints pmove 2"}) {
    EXPECT_EQ(ParseTrace(absl::StrCat("thp-trace 1\n", line, "\nend\n")).status().message(),
              absl::StrCat("trace line 2: allocsafepoints goes with neither everypbusy nor pmove: \"",
                           line, "\""));
  }
  // go and goexit may state their work, 0 to 2^32.
  for (const char* line : {"go 1 0 work", "go 1 0 work -1", "goexit 1 0 work 4294967297",
                           "goexit 1 0 wrk 1", "go 1 0 work 1 2"}) {
    EXPECT_FALSE(ParseTrace(absl::StrCat("thp-trace 1\n", line, "\n")).ok()) << line;
  }
  // move: once, in a loop with pmove.
  EXPECT_EQ(ParseTrace("thp-trace 1\nmove\n").status().message(),
            "trace line 2: move outside a loop with pmove: \"move\"");
  EXPECT_EQ(ParseTrace("thp-trace 1\nloop 3 10\nmove\nend\n").status().message(),
            "trace line 3: move outside a loop with pmove: \"move\"");
  EXPECT_EQ(ParseTrace("thp-trace 1\nloop 3 10 pmove 1\nmove\nmove\nend\n").status().message(),
            "trace line 4: a second move in the loop opened on line 2 (the first on line 3): "
            "\"move\"");
  EXPECT_EQ(ParseTrace("thp-trace 1\nloop 3 10 pmove 1\nmove now\nend\n").status().message(),
            "trace line 3: expected move alone: \"move now\"");
  EXPECT_TRUE(ParseTrace("thp-trace 1\nloop 3 10 pmove 1\nmove\nend\nloop 3 10 pmove 1\nmove\n"
                         "end\n")
                  .ok());
  // The marker is no event: a nosafepoint loop may hold it.
  TraceEvent move{};
  move.kind = TraceEvent::kMove;
  EXPECT_FALSE(ReachesSafePoint(move));
  EXPECT_TRUE(ParseTrace("thp-trace 1\nloop 3 10 nosafepoint pmove 1\nmove\nend\n").ok());
  // pmove takes a count of iterations from 1 to 1e11.
  for (const char* line : {"loop 3 10 pmove", "loop 3 10 pmove 0", "loop 3 10 pmove -1",
                           "loop 3 10 pmove x", "loop 3 10 pmove 100000000001"}) {
    EXPECT_EQ(ParseTrace(absl::StrCat("thp-trace 1\n", line, "\nend\n")).status().message(),
              absl::StrCat(kLoopForm, ": \"", line, "\""));
  }
  // psteal: after pmove, 1 to kMaxStealWeights weights of at most 1e11,
  // not all 0; a loop with it holds no move line.
  for (const char* line :
       {"loop 3 10 psteal 1", "loop 3 10 pmove 2 psteal", "loop 3 10 pmove 2 psteal 0",
        "loop 3 10 pmove 2 psteal 0,0", "loop 3 10 pmove 2 psteal 1,,2", "loop 3 10 pmove 2 psteal -1",
        "loop 3 10 pmove 2 psteal 1,x", "loop 3 10 pmove 2 psteal 100000000001",
        "loop 3 10 pmove 2 psteal 1 psteal 1", "loop 3 10 psteal 1 pmove 2",
        // pstay: after psteal, the same kind of list.
        "loop 3 10 pmove 2 pstay 1", "loop 3 10 pmove 2 psteal 1 pstay",
        "loop 3 10 pmove 2 psteal 1 pstay 0,0",
        "loop 3 10 pmove 2 psteal 1 pstay 1,x", "loop 3 10 pmove 2 psteal 1 pstay 100000000001",
        "loop 3 10 pmove 2 pstay 1 psteal 1", "loop 3 10 pmove 2 psteal 1 pstay 1 pstay 1"}) {
    EXPECT_EQ(ParseTrace(absl::StrCat("thp-trace 1\n", line, "\nend\n")).status().message(),
              absl::StrCat(kLoopForm, ": \"", line, "\""));
  }
  std::string many = "loop 3 10 pmove 2 psteal 1";
  for (size_t i = 1; i < kMaxStealWeights; ++i) many += ",0";
  EXPECT_TRUE(ParseTrace(absl::StrCat("thp-trace 1\n", many, "\nend\n")).ok());
  EXPECT_FALSE(ParseTrace(absl::StrCat("thp-trace 1\n", many, ",0\nend\n")).ok());
  EXPECT_EQ(
      ParseTrace("thp-trace 1\nloop 3 10 pmove 1 psteal 1,2\ngo 1 0\nmove\ngoexit 1 0\nend\n")
          .status()
          .message(),
      "trace line 4: a move in the loop opened on line 2, which has psteal (its draws place each "
      "move's exits): \"move\"");
  EXPECT_EQ(ParseTrace("thp-trace 1\nloop 3 10 nosafepoint\ngc\nend\n").status().message(),
            "trace line 3: inside the nosafepoint loop opened on line 2 (such a loop holds only "
            "systemstack allocs, drops, retains, nosafepoint computes and a move: any other event "
            "would reach a safe point): \"gc\"");
  EXPECT_TRUE(ParseTrace("thp-trace 1\nloop 3 10 nosafepoint\nend\n").ok());
  EXPECT_EQ(ParseTrace("thp-trace 1\nend\n").status().message(),
            "trace line 2: end without a loop: \"end\"");
  EXPECT_EQ(ParseTrace("thp-trace 1\ngc\n\ngo 1\n").status().message(),
            "trace line 4: expected go <id> <p> [work <units>], units from 0 to 2^32: \"go 1\"");
  EXPECT_EQ(ParseTrace("thp-trace 1\ngogrow 1 4096\n").status().message(),
            "trace line 2: expected gogrow <id> <bytes> <p>: \"gogrow 1 4096\"");
  EXPECT_EQ(ParseTrace("thp-trace 1\ngoexit 1 -1\n").status().message(),
            "trace line 2: expected goexit <id> <p> [work <units>], units from 0 to 2^32: "
            "\"goexit 1 -1\"");
  EXPECT_EQ(ParseTrace("thp-trace 1\nsudog 1\n").status().message(),
            "trace line 2: expected sudog <id> <p>: \"sudog 1\"");
  EXPECT_EQ(ParseTrace("thp-trace 1\nunsudog 1 0 0\n").status().message(),
            "trace line 2: expected unsudog <id> <p>: \"unsudog 1 0 0\"");
  EXPECT_EQ(ParseTrace("thp-trace 1\nglobrunqput\n").status().message(),
            "trace line 2: expected globrunqput <n>, n at most 1e11: \"globrunqput\"");
  EXPECT_EQ(ParseTrace("thp-trace 1\nglobrunqget 256 1\n").status().message(),
            "trace line 2: expected globrunqget <p> <n>, n at most 1e11: \"globrunqget 256 1\"");
  for (const char* bad : {"release 0", "release x", "release 1 2", "release 100000000001"}) {
    EXPECT_EQ(ParseTrace(absl::StrCat("thp-trace 1\n", bad, "\n")).status().message(),
              absl::StrCat("trace line 2: expected release or release <n>, n from 1 to 1e11: \"",
                           bad, "\""));
  }
  EXPECT_EQ(ParseTrace("thp-trace 1\nreadmemstats 1\n").status().message(),
            "trace line 2: expected readmemstats alone: \"readmemstats 1\"");
  for (const char* bad :
       {"gouse 1 4096", "gouse 1 -5 0", "gouse 1 4096 256", "gouse 1 4096 0 ramp",
        "gouse 1 4096 0 ramp 0", "gouse 1 4096 0 slope 10", "gouse 1 4096 0 ramp 100000000000001",
        "gouse 1 4096 0 ramp 10 x", "gouse 1 4096 0 frame", "gouse 1 4096 0 frame 0",
        "gouse 1 4096 0 frame 1073741825", "gouse 1 4096 0 frame 24 ramp 10",
        "gouse 1 4096 0 frame 24 frame 24"}) {
    EXPECT_EQ(ParseTrace(absl::StrCat("thp-trace 1\n", bad, "\n")).status().message(),
              absl::StrCat("trace line 2: expected gouse <id> <bytes> <p> [ramp <ns>] [frame "
                           "<bytes>], ns from 1 to 1e14, frame bytes from 1 to 2^30: \"",
                           bad, "\""));
  }
  for (const char* bad : {"compute", "compute 5 safe", "compute 5 nosafepoint x",
                          "compute nosafepoint", "compute 100000000000001 nosafepoint"}) {
    EXPECT_EQ(ParseTrace(absl::StrCat("thp-trace 1\n", bad, "\n")).status().message(),
              absl::StrCat("trace line 2: expected compute <ns> [nosafepoint], ns at most 1e14: \"",
                           bad, "\""));
  }
  EXPECT_EQ(ParseTrace("thp-trace 1\nsleep 5 nosafepoint\n").status().message(),
            "trace line 2: expected sleep <ns>, at most 1e14: \"sleep 5 nosafepoint\"");
  for (const char* bad : {"newm 0 end", "newm 1", "newm 1 middle", "newm 1000001 start"}) {
    EXPECT_EQ(ParseTrace(absl::StrCat("thp-trace 1\n", bad, "\n")).status().message(),
              absl::StrCat("trace line 2: expected newm <n> start|end, n from 1 to 1e6: \"", bad,
                           "\""));
  }
}

// "systemstack" is an optional last word of alloc: traces written before it
// existed read as they did, and any other word is refused with the form.
TEST(Trace, AnAllocMayBeMarkedAsMadeOnTheSystemStack) {
  absl::StatusOr<std::vector<TraceEvent>> events =
      ParseTrace("thp-trace 1\nalloc 1 80 scan 0 systemstack\nalloc 2 80 scan 0\n"
                 "alloc 3 8 noscan 1\tsystemstack  # a comment\n");
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 3u);
  EXPECT_TRUE((*events)[0].system_stack);
  EXPECT_FALSE((*events)[1].system_stack);
  EXPECT_TRUE((*events)[2].system_stack);
  EXPECT_TRUE((*events)[2].noscan);
  EXPECT_EQ((*events)[2].p, 1);
  ExpectAllocLinesRejected({"alloc 1 80 scan 0 sysstack",
                            "alloc 1 80 scan 0 systemstack systemstack",
                            "alloc 1 80 scan systemstack", "alloc 1 80 systemstack scan 0"});
}

// "writebarrier" follows systemstack where both are given; each at most
// once.
TEST(Trace, AnAllocMayBeMarkedAsStoredThroughAWriteBarrier) {
  absl::StatusOr<std::vector<TraceEvent>> events =
      ParseTrace("thp-trace 1\nalloc 1 16 noscan 0 writebarrier\nalloc 2 80 scan 0\n"
                 "alloc 3 80 scan 1 systemstack writebarrier\n");
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 3u);
  EXPECT_TRUE((*events)[0].write_barrier);
  EXPECT_FALSE((*events)[0].system_stack);
  EXPECT_FALSE((*events)[1].write_barrier);
  EXPECT_TRUE((*events)[2].write_barrier);
  EXPECT_TRUE((*events)[2].system_stack);
  ExpectAllocLinesRejected({"alloc 1 80 scan 0 writebarrier systemstack",
                            "alloc 1 80 scan 0 writebarrier writebarrier",
                            "alloc 1 80 scan writebarrier"});
}

// "finalizer" comes last; it prints back as it was read.
TEST(Trace, AnAllocMayCarryAFinalizer) {
  const std::string text =
      "thp-trace 1\nalloc 1 8 noscan 0 finalizer\nalloc 2 80 scan 1 systemstack writebarrier finalizer\n"
      "alloc 3 80 scan 0\n";
  absl::StatusOr<std::vector<TraceEvent>> events = ParseTrace(text);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 3u);
  EXPECT_TRUE((*events)[0].finalizer);
  EXPECT_FALSE((*events)[0].write_barrier);
  EXPECT_TRUE((*events)[1].finalizer);
  EXPECT_TRUE((*events)[1].write_barrier);
  EXPECT_FALSE((*events)[2].finalizer);
  EXPECT_EQ(FormatTraceEvent((*events)[0]), "alloc 1 8 noscan 0 finalizer");
  EXPECT_EQ(FormatTraceEvent((*events)[1]), "alloc 2 80 scan 1 systemstack writebarrier finalizer");
  ExpectAllocLinesRejected({"alloc 1 80 scan 0 finalizer writebarrier",
                            "alloc 1 80 scan 0 finalizer finalizer",
                            "alloc 1 80 scan 0 finaliser"});
}

// "chain" comes after every other flag; it prints back as it was read.
TEST(Trace, AnAllocMayBeAChainLink) {
  const std::string text =
      "thp-trace 1\nalloc 1 80 scan 0 chain\nalloc 2 80 scan 1 systemstack writebarrier finalizer chain\n"
      "alloc 3 80 scan 0\n";
  absl::StatusOr<std::vector<TraceEvent>> events = ParseTrace(text);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 3u);
  EXPECT_TRUE((*events)[0].chain);
  EXPECT_FALSE((*events)[0].system_stack);
  EXPECT_TRUE((*events)[1].chain);
  EXPECT_TRUE((*events)[1].finalizer);
  EXPECT_FALSE((*events)[2].chain);
  EXPECT_EQ(FormatTraceEvent((*events)[0]), "alloc 1 80 scan 0 chain");
  EXPECT_EQ(FormatTraceEvent((*events)[1]),
            "alloc 2 80 scan 1 systemstack writebarrier finalizer chain");
  ExpectAllocLinesRejected({"alloc 1 80 scan 0 chain finalizer", "alloc 1 80 scan 0 chain chain",
                            "alloc 1 80 scan 0 chained"});
}

// "work <units>" comes last; it prints back only when it is not 1.
TEST(Trace, AnAllocMayStateItsWork) {
  const std::string text =
      "thp-trace 1\nalloc 1 80 scan 0 work 7\nalloc 2 80 scan 1 chain work 4294967296\n"
      "alloc 3 80 scan 0 work 1\n";
  absl::StatusOr<std::vector<TraceEvent>> events = ParseTrace(text);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].work, 7u);
  EXPECT_EQ((*events)[1].work, kMaxAllocWork);
  EXPECT_TRUE((*events)[1].chain);
  EXPECT_EQ((*events)[2].work, 1u);
  EXPECT_EQ(FormatTraceEvent((*events)[0]), "alloc 1 80 scan 0 work 7");
  EXPECT_EQ(FormatTraceEvent((*events)[1]), "alloc 2 80 scan 1 chain work 4294967296");
  EXPECT_EQ(FormatTraceEvent((*events)[2]), "alloc 3 80 scan 0");
  ExpectAllocLinesRejected({"alloc 1 80 scan 0 work", "alloc 1 80 scan 0 work 0",
                            "alloc 1 80 scan 0 work 4294967297", "alloc 1 80 scan 0 work x",
                            "alloc 1 80 scan 0 work 2 chain", "alloc 1 80 scan 0 work 2 work 2"});
}

// A loop whose only preemption points are its allocs may hold allocs of
// every kind, drops, retains and nosafepoint computes, and nothing else.
TEST(Trace, AnAllocsafepointsLoopHoldsOnlyAllocsDropsRetainsAndNosafepointComputes) {
  absl::StatusOr<std::vector<TraceEvent>> events =
      ParseTrace("thp-trace 1\nloop 3 10 allocsafepoints\nalloc 1 80 scan 0 work 4\nretain 1\n"
                 "alloc 2 16 noscan 0 systemstack\ndrop 2\ncompute 7 nosafepoint\nend\n");
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 7u);
  EXPECT_TRUE(events->front().alloc_safe_points);
  EXPECT_FALSE(events->front().no_safe_point);
  for (const char* line : {"stack 1 8192 0", "go 1 0", "compute 5", "release", "gc"}) {
    EXPECT_EQ(ParseTrace(absl::StrCat("thp-trace 1\nloop 3 10 allocsafepoints\n", line, "\nend\n"))
                  .status()
                  .message(),
              absl::StrCat("trace line 3: inside the allocsafepoints loop opened on line 2 (such a "
                           "loop holds only allocs, drops, retains and nosafepoint computes: any "
                           "other event would reach a safe point between its allocs): \"",
                           line, "\""));
  }
}

// Allocations on the system stack reach no safe point, nor do the
// workload's own drops and retains, nor a nosafepoint compute: a nosafepoint
// loop may hold those and nothing else.
TEST(Trace, ANosafepointLoopHoldsOnlySystemStackAllocsDropsRetainsAndNosafepointComputes) {
  absl::StatusOr<std::vector<TraceEvent>> events =
      ParseTrace("thp-trace 1\nloop 3 10 nosafepoint\nalloc 1 80 scan 0 systemstack\nretain 1\n"
                 "alloc 2 16 noscan 0 systemstack\ndrop 2\ncompute 7 nosafepoint\nend\n");
  ASSERT_TRUE(events.ok()) << events.status();
  EXPECT_EQ(events->size(), 7u);
  const std::string why =
      " (such a loop holds only systemstack allocs, drops, retains, nosafepoint computes and a "
      "move: any other event would reach a safe point): ";
  EXPECT_EQ(ParseTrace("thp-trace 1\nloop 3 10 nosafepoint\nalloc 1 80 scan 0\nretain 1\nend\n")
                .status()
                .message(),
            "trace line 3: inside the nosafepoint loop opened on line 2" + why +
                "\"alloc 1 80 scan 0\"");
  for (const char* line : {"stack 1 8192 0", "go 1 0", "compute 5", "release", "freeosmemory"}) {
    EXPECT_EQ(ParseTrace(absl::StrCat("thp-trace 1\nloop 3 10 nosafepoint\n", line, "\nend\n"))
                  .status()
                  .message(),
              absl::StrCat("trace line 3: inside the nosafepoint loop opened on line 2", why, "\"",
                           line, "\""));
  }
  // A loop with safe points holds them all as before.
  EXPECT_TRUE(ParseTrace("thp-trace 1\nloop 3 10\nalloc 1 80 scan 0 systemstack\nretain 1\n"
                         "alloc 2 80 scan 0\ndrop 2\ncompute 5\nend\n")
                  .ok());
}

TEST(Trace, BoundsStopTracesThatWouldWrapOrRunForever) {
  // 2^62 iterations of 2^62 ns used to wrap and run for ever.
  EXPECT_EQ(ParseTrace("thp-trace 1\nloop 4611686018427387904 1\nend\n").status().message(),
            absl::StrCat(kLoopForm, ": \"loop 4611686018427387904 1\""));
  const std::string over = "the trace passes its bounds here (at most 10000000000 events and "
                           "100000000000000 ns of virtual time, loops expanded)";
  EXPECT_EQ(ParseTrace("thp-trace 1\nloop 100000000000 100000\nend\n").status().message(),
            "trace line 2: " + over + ": \"loop 100000000000 100000\"");
  EXPECT_EQ(ParseTrace("thp-trace 1\nsleep 60000000000000\ncompute 60000000000000\n").status().message(),
            "trace line 3: " + over + ": \"compute 60000000000000\"");
  // Events are counted once per iteration, at the loop's end.
  EXPECT_TRUE(ParseTrace("thp-trace 1\nloop 5000000000 1\ngc\nend\n").ok());
  EXPECT_EQ(ParseTrace("thp-trace 1\nloop 5000000000 1\ngc\ngc\ngc\nend\n").status().message(),
            "trace line 6: " + over + ": \"end\"");
  // A sleep inside a loop counts its iterations times.
  EXPECT_EQ(ParseTrace("thp-trace 1\nloop 100000 0\nsleep 10000000000\nend\n").status().message(),
            "trace line 3: " + over + ": \"sleep 10000000000\"");
  EXPECT_EQ(ParseTrace("thp-trace 1\ngo 1 256\n").status().message(),
            "trace line 2: expected go <id> <p> [work <units>], units from 0 to 2^32: \"go 1 256\"");
  EXPECT_TRUE(ParseTrace("thp-trace 1\ngo 1 255\nbench BenchmarkX 100000000000\n").ok());
  EXPECT_FALSE(ParseTrace("thp-trace 1\nbench BenchmarkX 100000000001\n").ok());
}

TEST(Trace, LinesAreBoundedEscapedAndMayEndInCrlf) {
  absl::StatusOr<std::vector<TraceEvent>> crlf = ParseTrace("thp-trace 1\r\ngc\r\nsleep 5\r\n");
  ASSERT_TRUE(crlf.ok()) << crlf.status();
  EXPECT_EQ(crlf->size(), 2u);
  EXPECT_EQ(ParseTrace("thp-trace 1\n" + std::string(5000, 'x') + "\n").status().message(),
            "trace line 2: longer than 4096 bytes: \"" + std::string(120, 'x') + "...\"");
  EXPECT_EQ(ParseTrace(std::string("thp-trace 1\nfoo\x01\n")).status().message().substr(0, 40),
            "trace line 2: unknown event (accepted: a");
  EXPECT_NE(ParseTrace(std::string("thp-trace 1\nfoo\x01\n")).status().message().find("\"foo\\x01\""),
            std::string::npos);
}

// Read from a file one line at a time, a trace gives the events ParseTrace
// gives, and fails where and as ParseTrace fails.
TEST(Trace, ReadingAFileLineByLineEqualsParsingItWhole) {
  const std::string long_line = "alloc 1 8 scan 0 " + std::string(5000, 'x');
  const std::vector<std::string> texts = {
      "thp-trace 1\nbench BenchmarkX 10\nloop 10 100\nalloc 1 8 scan 0\ndrop 1\nend\ngc\n",
      "# made by hand\r\n\r\nthp-trace 1\r\nalloc 1 8 scan 0\r\nsleep 5",  // CRLF, no final newline
      "thp-trace 1\nloop 3 10\nalloc 1 8 scan 0\n",                        // loop without an end
      "thp-trace 1\nalloc 1 8 scan 0\nalloc 2 8 sideways 0\n",              // a bad line
      "thp-trace 1\nloop 2 5 nosafepoint\nalloc 1 80 scan 0 systemstack\nretain 1\nend\n"
      "release\n",                                                          // on the system stack
      "thp-trace 1\nloop 2 5 nosafepoint\nalloc 1 80 scan 0\nend\n",       // ... or not
      "thp-trace 1\n" + long_line + "\n",                                   // a line past the bound
      "",                                                                   // no header
      "thp-trace 1\nloop 100000000000 1\nalloc 1 8 scan 0\nend\nloop 100000000000 1\n"
      "alloc 1 8 scan 0\nend\n",                                            // past the event bound
  };
  for (const std::string& text : texts) {
    SCOPED_TRACE(text.substr(0, 60));
    absl::StatusOr<std::vector<TraceEvent>> whole = ParseTrace(text);
    std::FILE* f = fmemopen(const_cast<char*>(text.data()), text.size(), "r");
    if (text.empty()) f = std::tmpfile();
    ASSERT_NE(f, nullptr);
    std::vector<std::string> read;
    absl::Status st = ForEachTraceEvent(f, [&read](TraceEvent&& e) {
      read.push_back(absl::StrCat(e.line, ": ", FormatTraceEvent(e)));
      return absl::OkStatus();
    });
    std::fclose(f);
    ASSERT_EQ(whole.ok(), st.ok()) << whole.status() << " / " << st;
    if (!whole.ok()) {
      EXPECT_EQ(whole.status(), st);
      continue;
    }
    std::vector<std::string> parsed;
    for (const TraceEvent& e : *whole) parsed.push_back(absl::StrCat(e.line, ": ", FormatTraceEvent(e)));
    EXPECT_EQ(parsed, read);
  }
}

}  // namespace
}  // namespace thp
