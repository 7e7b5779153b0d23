#include "mheap/go15/events/event_text.h"

#include "gtest/gtest.h"
#include "mheap/go15/events/test_events.h"

namespace thp {
namespace heaplog {
namespace {

TEST(EventTextTest, OneLinePerEventWithNamedFields) {
  Free f;
  f.page = 12;
  f.npages = 2;
  f.why = FreeWhy::kCentral;
  f.acctinuse = f.acctidle = f.stamped = true;
  f.unusedsince_age = 51;
  f.merged_pages_before = 1;
  f.merged_npages = 5;
  f.merged_npreleased = 1;
  EXPECT_EQ(FormatEvent(At(1000, f)),
            "1000 free page=12 npages=2 why=central acctinuse=1 acctidle=1 stamped=1 "
            "unusedsince_age=51 merged_pages_before=1 merged_npages=5 merged_npreleased=1");
  EXPECT_EQ(FormatEvent(At(1000, Madvise{0xc820002000, 8192, 15, -22}), TimeFormat::kRelative, 900),
            "100 madvise v=0xc820002000 n=8192 advice=15 result=-22");
  EXPECT_EQ(FormatEvent(At(5, AllocDone{}), TimeFormat::kNone),
            "alloc_done page=none found_npages=0 found_npreleased=0");
  EXPECT_EQ(FormatEvent(At(5, BenchStart{2, "Bench\"x\n"}), TimeFormat::kNone),
            "bench_start procs=2 name=\"Bench\\x22x\\x0a\"");
}

TEST(EventTextTest, EveryKindFormats) {
  for (const HeapEvent& e : SampleLog()) {
    const std::string line = FormatEvent(e, TimeFormat::kNone);
    EXPECT_EQ(line.substr(0, KindName(e.kind()).size()), KindName(e.kind())) << line;
    EXPECT_EQ(line.find('\n'), std::string::npos);
  }
}

TEST(EventTextTest, TimeFormats) {
  TimeFormat t;
  EXPECT_TRUE(ParseTimeFormat("abs", &t));
  EXPECT_EQ(t, TimeFormat::kAbsolute);
  EXPECT_TRUE(ParseTimeFormat("none", &t));
  EXPECT_EQ(t, TimeFormat::kNone);
  EXPECT_FALSE(ParseTimeFormat("seconds", &t));
}

}  // namespace
}  // namespace heaplog
}  // namespace thp
