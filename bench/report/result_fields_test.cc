// The field-table engine on a sample result with one field of every kind:
// the child text round trip, what makes it fail, and the JSON and CSV forms.
#include "bench/report/result_fields.h"

#include "gtest/gtest.h"

namespace thp {

struct SampleResult {
  std::string name;
  std::string error;
  int64_t count = 0;
  uint64_t bytes = 0;
  bool flag = false;
  NamedCounts calls;    // flat
  NamedCounts reasons;  // nested
  std::vector<int64_t> times;
  std::vector<CensusPoint> series;
};

template <>
struct FieldTable<SampleResult> {
  template <typename R, typename V>
  static void Visit(R& r, V& v) {
    v("name", r.name);
    v("error", r.error, kEverywhere | kFailure);
    v("count", r.count);
    v("bytes", r.bytes, kInJson);
    v("flag", r.flag, kChildOnly);
    v("calls", r.calls);
    v("reasons", r.reasons, kEverywhere | kNested);
    v("times", r.times, kChildOnly);
    v("series", r.series, kInJson);
  }
};

namespace {

SampleResult Sample() {
  SampleResult r;
  r.name = "a,b \"c\"";
  r.count = -3;
  r.bytes = uint64_t{1} << 63;
  r.flag = true;
  r.calls = {{"DONTNEED", 4}, {"HUGEPAGE", 0}};
  r.reasons = {{"x", 1}, {"y/z", 2}};
  r.times = {5, 6};
  r.series = {{10, 300, 7}, {20, 301, 8}};
  return r;
}

TEST(ResultFields, ChildTextHoldsEveryFieldAndRoundTrips) {
  const std::string text = SerializeFields(Sample());
  EXPECT_EQ(text,
            "name\ta,b \"c\"\nerror\t\ncount\t-3\nbytes\t9223372036854775808\nflag\t1\n"
            "calls.DONTNEED\t4\ncalls.HUGEPAGE\t0\nreasons.x\t1\nreasons.y/z\t2\ntimes\t5,6\n"
            "series\t10\t300\t7\nseries\t20\t301\t8\n");
  absl::StatusOr<SampleResult> back = ParseFields<SampleResult>(text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(SerializeFields(*back), text);
  EXPECT_EQ(back->calls, Sample().calls);
  EXPECT_EQ(back->series.size(), 2u);
}

TEST(ResultFields, AStringStaysOneLine) {
  SampleResult r = Sample();
  r.error = "two\nlines\tand a tab";
  absl::StatusOr<SampleResult> back = ParseFields<SampleResult>(SerializeFields(r));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->error, "two lines and a tab");
}

TEST(ResultFields, BadLinesAreNamed) {
  const std::string text = SerializeFields(Sample());
  EXPECT_EQ(ParseFields<SampleResult>("count\tmany\n" + text).status().message(),
            "result line 1: \"count\tmany\"");
  EXPECT_EQ(ParseFields<SampleResult>(text + "mystery\t1\n").status().message(),
            "result line 13: \"mystery\t1\"");
  EXPECT_EQ(ParseFields<SampleResult>(text + "no tab here\n").status().message(),
            "result line 13: \"no tab here\"");
  EXPECT_FALSE(ParseFields<SampleResult>(text + "calls.X\tx\n").ok());
  EXPECT_FALSE(ParseFields<SampleResult>(text + "series\t1\t2\n").ok());
  std::string bad_list = text;
  bad_list.replace(bad_list.find("5,6"), 3, "5,x");
  EXPECT_FALSE(ParseFields<SampleResult>(bad_list).ok());
  std::string bad_flag = text;
  bad_flag.replace(bad_flag.find("flag\t1"), 6, "flag\t2");
  EXPECT_FALSE(ParseFields<SampleResult>(bad_flag).ok());
}

TEST(ResultFields, MissingFieldsAreErrorsUnlessTheRunFailed) {
  std::string text = SerializeFields(Sample());
  const std::string no_count = text.substr(0, text.find("count\t"));
  EXPECT_EQ(ParseFields<SampleResult>(no_count).status().message(), "result lacks count");
  EXPECT_EQ(ParseFields<SampleResult>(text.substr(text.find('\n') + 1)).status().message(),
            "result lacks name");
  // A failed run's child writes what it has: the fields up to the failure.
  absl::StatusOr<SampleResult> failed =
      ParseFields<SampleResult>("name\tn\nerror\tfatal error: runtime: out of memory\n");
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_EQ(failed->error, "fatal error: runtime: out of memory");
  EXPECT_EQ(ParseFields<SampleResult>("error\tboom\n").status().message(), "result lacks name");
  // Counts and series may be empty.
  SampleResult empty;
  EXPECT_TRUE(ParseFields<SampleResult>(SerializeFields(empty)).ok());
}

TEST(ResultFields, JsonHasTheJsonFieldsInTableOrder) {
  EXPECT_EQ(JsonFields(Sample()),
            "{\"name\": \"a,b \\\"c\\\"\", \"error\": \"\", \"count\": -3, "
            "\"bytes\": 9223372036854775808, \"calls.DONTNEED\": 4, \"calls.HUGEPAGE\": 0, "
            "\"reasons\": {\"x\": 1, \"y/z\": 2}, \"series\": [[10,300,7],[20,301,8]]}");
  EXPECT_EQ(JsonString("tab\there"), "\"tab\\u0009here\"");
}

TEST(ResultFields, CsvHasTheCsvFieldsInTableOrder) {
  const SampleResult r = Sample();
  EXPECT_EQ(CsvHeader(r), (std::vector<std::string>{"name", "error", "count", "calls.DONTNEED",
                                                   "calls.HUGEPAGE", "reasons"}));
  EXPECT_EQ(CsvCells(r),
            (std::vector<std::string>{"\"a,b \"\"c\"\"\"", "", "-3", "4", "0", "x=1;y/z=2"}));
  EXPECT_EQ(CsvTable(std::vector<SampleResult>{}), "name,error,count,reasons\n");
  EXPECT_EQ(CsvTable(std::vector<SampleResult>{r}),
            "name,error,count,calls.DONTNEED,calls.HUGEPAGE,reasons\n"
            "\"a,b \"\"c\"\"\",,-3,4,0,x=1;y/z=2\n");
}

}  // namespace
}  // namespace thp
