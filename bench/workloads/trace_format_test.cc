// The trace format: every event round-trips through its line, and bad
// lines are errors naming their line number.
#include "bench/workloads/trace_format.h"

#include "gtest/gtest.h"

namespace thp {
namespace {

TEST(Trace, EveryEventRoundTrips) {
  const char* lines[] = {"alloc 7 4096 noscan 1", "drop 7", "stack 3 8192 0", "unstack 3 0",
                         "gc", "freeosmemory", "compute 2000000", "sleep 10000000",
                         "bench BenchmarkMalloc8 100", "loop 100 33", "end", "retain 4", "release",
                         "go 5 1", "gogrow 5 65536 1", "goexit 5 0"};
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
            "trace line 3: expected alloc <id> <bytes> scan|noscan <p>: \"alloc 1 64 maybe 0\"");
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
  EXPECT_EQ(ParseTrace("thp-trace 1\nend\n").status().message(),
            "trace line 2: end without a loop: \"end\"");
  EXPECT_EQ(ParseTrace("thp-trace 1\ngc\n\ngo 1\n").status().message(),
            "trace line 4: expected go <id> <p>: \"go 1\"");
  EXPECT_EQ(ParseTrace("thp-trace 1\ngogrow 1 4096\n").status().message(),
            "trace line 2: expected gogrow <id> <bytes> <p>: \"gogrow 1 4096\"");
  EXPECT_EQ(ParseTrace("thp-trace 1\ngoexit 1 -1\n").status().message(),
            "trace line 2: expected goexit <id> <p>: \"goexit 1 -1\"");
}

}  // namespace
}  // namespace thp
