// Why Go 1.5.1's cycles in BenchmarkAppendGrowString last tens of
// milliseconds (README item 4; go15_suite.cc, kSafePointsAtAllocs):
// growslice zeroes and copies arrays of many MiB without a preemption
// point, so the cycle's stack scan and its stops of the world wait, while
// the concurrent mark itself stays short; BenchmarkAppendGrowByte's 1 MiB
// arrays keep every phase under a millisecond. This reads the two benchmarks' gctrace runs
// (testdata/go151_gctrace_append/) and checks it, phase by phase, over the
// background cycles (runtime.GC()'s forced ones left out).
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "mheap/go15/events/byte_io.h"
#include "mheap/go15/testing/go15_gctrace.h"
#include "mheap/go15/testing/median.h"

namespace thp {
namespace {

std::vector<Go15GcLine> BackgroundCycles(const std::string& path) {
  std::vector<Go15GcLine> out;
  const absl::StatusOr<std::string> read = heaplog::ReadLogFile(path);
  EXPECT_TRUE(read.ok()) << path << ": " << read.status();
  if (!read.ok()) return out;
  for (absl::string_view line : absl::StrSplit(*read, '\n')) {
    Go15GcLine g;
    if (absl::StartsWith(line, "gc ") && ParseGo15GcLine(line, &g) && !g.forced) out.push_back(g);
  }
  return out;
}

// Each phase's median over the cycles, in microseconds.
struct Medians {
  double sweep_term, scan, install_wb, mark, mark_term;
};

Medians MediansOf(const std::vector<Go15GcLine>& cycles) {
  std::vector<double> st, sc, wb, mk, mt;
  for (const Go15GcLine& g : cycles) {
    st.push_back(g.sweep_term_ns / 1e3);
    sc.push_back(g.scan_ns / 1e3);
    wb.push_back(g.install_wb_ns / 1e3);
    mk.push_back(g.mark_ns / 1e3);
    mt.push_back(g.mark_term_ns / 1e3);
  }
  return {MedianRounded(st, 10), MedianRounded(sc, 10), MedianRounded(wb, 10),
          MedianRounded(mk, 10), MedianRounded(mt, 10)};
}

TEST(AppendGrowGctrace, AppendGrowStringsCyclesWaitInTheScanPhaseNotTheMark) {
  const std::vector<Go15GcLine> cycles =
      BackgroundCycles("testdata/go151_gctrace_append/AppendGrowString.txt.xz");
  ASSERT_EQ(cycles.size(), 103u);
  const Medians m = MediansOf(cycles);
  // The scan phase: a median 6.6 ms, five times the mark's 1.2 ms.
  EXPECT_EQ(m.scan, 6600);
  EXPECT_EQ(m.mark, 1200);
  // The longest cycles are in the phases that wait for the goroutine.
  int64_t longest = 0, its_mark = 0;
  for (const Go15GcLine& g : cycles) {
    const int64_t waits = g.sweep_term_ns + g.scan_ns + g.install_wb_ns + g.mark_term_ns;
    if (waits + g.mark_ns > longest) {
      longest = waits + g.mark_ns;
      its_mark = g.mark_ns;
    }
  }
  EXPECT_GT(longest, 50000000);  // past 50 ms
  EXPECT_LT(its_mark * 4, longest);
}

TEST(AppendGrowGctrace, AppendGrowBytesPhasesStayUnderAMillisecond) {
  const std::vector<Go15GcLine> cycles =
      BackgroundCycles("testdata/go151_gctrace_append/AppendGrowByte.txt.xz");
  ASSERT_EQ(cycles.size(), 848u);
  const Medians m = MediansOf(cycles);
  for (double us : {m.sweep_term, m.scan, m.install_wb, m.mark, m.mark_term}) {
    EXPECT_LT(us, 1000);
  }
}

TEST(AppendGrowGctrace, ParsesAGcLineAndRefusesOthers) {
  Go15GcLine g;
  ASSERT_TRUE(ParseGo15GcLine(
      "gc 3 @0.019s 36%: 0.045+5.3+0.31+0.37+5.5 ms clock, 0.090+5.3+0+0.34/0.054/0+11 ms cpu, "
      "4->6->3 MB, 4 MB goal, 2 P",
      &g));
  EXPECT_EQ(g.n, 3u);
  EXPECT_EQ(g.sweep_term_ns, 45000);
  EXPECT_EQ(g.scan_ns, 5300000);
  EXPECT_EQ(g.install_wb_ns, 310000);
  EXPECT_EQ(g.mark_ns, 370000);
  EXPECT_EQ(g.mark_term_ns, 5500000);
  EXPECT_FALSE(g.forced);
  ASSERT_TRUE(ParseGo15GcLine(
      "gc 1 @0.003s 6%: 0.13+0+0+0+0.50 ms clock, 0.13+0+0+0/0/0+0.50 ms cpu, 0->0->0 MB, 0 MB "
      "goal, 2 P (forced)",
      &g));
  EXPECT_TRUE(g.forced);
  EXPECT_FALSE(ParseGo15GcLine("GFREECYCLE i=0 made=0", &g));
  EXPECT_FALSE(ParseGo15GcLine("gc 4 @0.1s 5%: 1+2+3 ms clock", &g));
}

}  // namespace
}  // namespace thp
