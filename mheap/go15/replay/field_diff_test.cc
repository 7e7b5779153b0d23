#include "mheap/go15/replay/field_diff.h"

#include "gtest/gtest.h"

namespace thp {
namespace heaplog {
namespace {

TEST(FieldDiffTest, ListsFieldsInRecordOrderWithFlagsSplit) {
  Free f;
  f.page = 7;
  f.npages = 2;
  f.why = FreeWhy::kTrim;
  f.acctidle = true;
  const auto fields = ListFields(f);
  ASSERT_EQ(fields.size(), 10u);
  EXPECT_EQ(fields[0], std::make_pair(std::string("page"), std::string("7")));
  EXPECT_EQ(fields[2], std::make_pair(std::string("why"), std::string("trim")));
  EXPECT_EQ(fields[3].first, "acctinuse");
  EXPECT_EQ(fields[4], std::make_pair(std::string("acctidle"), std::string("1")));
  EXPECT_EQ(fields[5].first, "stamped");
}

TEST(FieldDiffTest, NamesTheFirstFieldThatDiffers) {
  SysUnused a, b;
  a.v = b.v = 0xc820000000;
  a.n = 8192;
  b.n = 16384;
  std::optional<FieldDiff> d = FirstFieldDiff(a, b);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->field, "n");
  EXPECT_EQ(d->recorded, "8192");
  EXPECT_EQ(d->port, "16384");
  b.n = 8192;
  EXPECT_FALSE(FirstFieldDiff(a, b).has_value());
}

TEST(FieldDiffTest, AddressesInHexAndSkippedFields) {
  Madvise a, b;
  a.v = 0xc820000000;
  b.v = 0xc820002000;
  a.result = -22;
  std::optional<FieldDiff> d = FirstFieldDiff(a, b, {"v"});
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->field, "result");
  d = FirstFieldDiff(a, b);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->field, "v");
  EXPECT_EQ(d->recorded, "0xc820000000");
  EXPECT_FALSE(FirstFieldDiff(a, b, {"v", "result"}).has_value());
}

TEST(FieldDiffTest, AllocDoneWithoutASpan) {
  AllocDone a, b;
  b.page = 0;
  std::optional<FieldDiff> d = FirstFieldDiff(a, b);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->recorded, "none");
  EXPECT_EQ(d->port, "0");
}

}  // namespace
}  // namespace heaplog
}  // namespace thp
