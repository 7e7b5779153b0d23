// RunBenchmarks' set-up objects (go15_bench_setup.h): their sizes and order
// as GODEBUG=allocfreetrace=1 printed them on Go 1.5.1's recording build,
// and each one let go where its variable is overwritten.
#include "bench/workloads/go15_bench_setup.h"

#include <string>
#include <vector>

#include "bench/workloads/trace_format.h"
#include "gtest/gtest.h"

namespace thp {
namespace {

std::vector<std::string> Lines(size_t nth, const char* name, int procs) {
  std::vector<std::string> out;
  for (const TraceEvent& e : Go151BenchSetupEvents(nth, name, procs)) {
    out.push_back(FormatTraceEvent(e));
  }
  return out;
}

TEST(Go15BenchSetup, TheSecondBenchmarksSetUpHasNothingToLetGo) {
  // Bank 1 (nth 1 is odd): ids 2100000000000008 and up.
  EXPECT_EQ(Lines(1, "BenchmarkMalloc16", 2),
            (std::vector<std::string>{
                "alloc 2100000000000008 96 noscan 0",    // makechan's hchan
                "alloc 2100000000000009 256 scan 0",     // &B
                "alloc 2100000000000013 16 scan 0",      // Sprintf's string box
                "alloc 2100000000000014 8 noscan 0",     // Sprintf's int box
                "alloc 2100000000000010 19 noscan 0",    // "BenchmarkMalloc16-2"
                "drop 2100000000000013", "drop 2100000000000014",
                "alloc 2100000000000011 8 noscan 0",     // Printf's maxlen box
                "alloc 2100000000000012 16 scan 0",      // Printf's benchName box
            }));
}

TEST(Go15BenchSetup, LaterOnesLetGoOfThePreviousBenchmarksWhereGoOverwritesThem) {
  EXPECT_EQ(Lines(2, "BenchmarkMallocTypeInfo8", 2),
            (std::vector<std::string>{
                "alloc 2100000000000000 96 noscan 0",
                "alloc 2100000000000001 256 scan 0",
                "drop 2100000000000008",  // b := ... leaves the old B and its channel
                "drop 2100000000000009",
                "alloc 2100000000000005 16 scan 0",
                "alloc 2100000000000006 8 noscan 0",
                "alloc 2100000000000002 26 noscan 0",
                "drop 2100000000000005", "drop 2100000000000006",
                "drop 2100000000000010",  // the old benchName
                "alloc 2100000000000003 8 noscan 0",
                "alloc 2100000000000004 16 scan 0",
                "drop 2100000000000011",  // Printf's variadic array, overwritten
                "drop 2100000000000012",
            }));
}

TEST(Go15BenchSetup, AtOneProcBenchmarkNameAllocatesNothing) {
  EXPECT_EQ(Lines(3, "BenchmarkMalloc8", 1),
            (std::vector<std::string>{
                "alloc 2100000000000008 96 noscan 0",
                "alloc 2100000000000009 256 scan 0",
                "drop 2100000000000000",
                "drop 2100000000000001",
                "alloc 2100000000000011 8 noscan 0",
                "alloc 2100000000000012 16 scan 0",
                "drop 2100000000000003",
                "drop 2100000000000004",
            }));
}

}  // namespace
}  // namespace thp
