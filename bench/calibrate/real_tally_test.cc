#include "bench/calibrate/real_tally.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mheap/go15/events/byte_io.h"
#include "mheap/go15/events/heap_event_log.h"
#include "mheap/go15/events/test_events.h"

namespace thp {
namespace calibrate {
namespace {

// SampleLog (test_events.h): a startup with one small allocation (its grow
// and trim frees are the heap's own), then BenchmarkMalloc8-2.
TEST(TallyLogTest, SplitsTheSampleLogByBenchmark) {
  absl::StatusOr<std::string> bytes = heaplog::EncodeEvents(heaplog::SampleLog());
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  heaplog::HeapEventReader reader(heaplog::MemorySource(*bytes));
  std::vector<std::string> opened;
  absl::StatusOr<RealLog> log =
      TallyLog(reader, [&opened](const std::string& name) { opened.push_back(name); });
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(opened, (std::vector<std::string>{"(startup)", "BenchmarkMalloc8-2"}));
  ASSERT_TRUE(log->config.has_value());
  EXPECT_EQ(log->config->build, "prefix");
  EXPECT_EQ(log->records, heaplog::SampleLog().size());
  EXPECT_EQ(log->lost, 3u);
  ASSERT_EQ(log->segments.size(), 2u);

  const RealSegment& startup = log->segments[0];
  EXPECT_FALSE(startup.ended);
  EXPECT_EQ(startup.tally.allocs, (std::array<uint64_t, 3>{1, 0, 0}));
  EXPECT_EQ(startup.tally.frees, 0u);
  EXPECT_EQ(startup.tally.releases, 0u);
  EXPECT_EQ(startup.tally.free_spans_at_start, (SizeHistogram{}));

  const RealSegment& bench = log->segments[1];
  EXPECT_EQ(bench.name, "BenchmarkMalloc8-2");
  EXPECT_EQ(bench.base, "BenchmarkMalloc8");
  EXPECT_TRUE(bench.ended);
  const Tally& t = bench.tally;
  EXPECT_EQ(t.allocs, (std::array<uint64_t, 3>{0, 1, 1}));
  EXPECT_EQ(t.alloc_pages, (std::array<uint64_t, 3>{0, 3, 4}));
  EXPECT_EQ(t.alloc_hist, (SizeHistogram{0, 0, 2, 0, 0, 0, 0}));
  EXPECT_EQ(t.frees, 3u);  // central 1 page, stack 4, large 3
  EXPECT_EQ(t.free_pages, 8u);
  EXPECT_EQ(t.gc_cycles, 1u);
  EXPECT_EQ(t.scavenge_passes, 2u);  // sysmon's and FreeOSMemory's
  EXPECT_EQ(t.releases, 1u);
  EXPECT_EQ(t.released_pages, 128u);
  EXPECT_EQ(t.release_hist, (SizeHistogram{0, 0, 0, 0, 0, 1, 0}));
  EXPECT_EQ(t.hugepage_calls, 1u);
  EXPECT_EQ(t.nohugepage_calls, 1u);
  // The startup's allocation left the grown arena's 127-page tail free.
  EXPECT_EQ(t.free_spans_at_start, (SizeHistogram{0, 0, 0, 0, 0, 1, 0}));
}

TEST(TallyLogTest, AReaderErrorIsReturned) {
  heaplog::HeapEventReader reader(heaplog::MemorySource("not a log"));
  EXPECT_FALSE(TallyLog(reader, nullptr).ok());
}

}  // namespace
}  // namespace calibrate
}  // namespace thp
