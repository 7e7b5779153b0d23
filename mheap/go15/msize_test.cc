// The generated size classes against Go 1.5's table, and the lookups. Go 1.5
// ships no table: initSizes (Go 1.5.1 runtime/msize.go) computes it at start-up
// (67 classes), so the table below is that rule's output, computed apart from
// msize.cc.
#include "mheap/go15/msize.h"

#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "runtime_port/base/units.h"

namespace thp {
namespace {

// class: bytes / pages / objects per span, as Go 1.5.1's initSizes makes them.
constexpr char kGo15Table[] =
    "1:8/1/1024 2:16/1/512 3:32/1/256 4:48/1/170 5:64/1/128 6:80/1/102 7:96/1/85 8:112/1/73 "
    "9:128/1/64 10:144/1/56 11:160/1/51 12:176/1/46 13:192/1/42 14:208/1/39 15:224/1/36 "
    "16:240/1/34 17:256/1/32 18:288/1/28 19:320/1/25 20:352/1/23 21:384/1/21 22:416/1/19 "
    "23:448/1/18 24:480/1/17 25:512/1/16 26:576/1/14 27:640/1/12 28:704/1/11 29:768/1/10 "
    "30:896/1/9 31:1024/1/8 32:1152/1/7 33:1280/1/6 34:1408/2/11 35:1536/1/5 36:1664/2/9 "
    "37:2048/1/4 38:2304/2/7 39:2560/1/3 40:2816/3/8 41:3072/2/5 42:3328/3/7 43:4096/1/2 "
    "44:4608/3/5 45:5376/2/3 46:6144/3/4 47:6400/4/5 48:6656/5/6 49:6912/6/7 50:8192/1/1 "
    "51:8448/7/6 52:8704/6/5 53:9472/5/4 54:10496/4/3 55:12288/3/2 56:13568/5/3 57:14080/7/4 "
    "58:16384/2/1 59:16640/9/4 60:17664/7/3 61:20480/5/2 62:21248/8/3 63:24576/3/1 "
    "64:24832/10/3 65:28416/7/2 66:32768/4/1";

TEST(SizeClasses, GeneratedTableEqualsGo15sTable) {
  const SizeClasses& t = GetSizeClasses();
  std::ostringstream got;
  for (int c = 1; c < kNumSizeClasses; ++c) {
    if (c > 1) got << ' ';
    got << c << ':' << t.ClassToSize(c) << '/' << t.ClassToAllocNPages(c) << '/'
        << t.ObjectsPerSpan(c);
  }
  EXPECT_EQ(got.str(), kGo15Table);
}

TEST(SizeClasses, LookupGivesTheSmallestClassThatFits) {
  const SizeClasses& t = GetSizeClasses();
  for (uintptr_t size = 1; size <= kMaxSmallSize; ++size) {
    const int c = t.SizeToClass(size);
    ASSERT_GE(t.ClassToSize(c), size) << size;
    if (c > 1) {
      ASSERT_LT(t.ClassToSize(c - 1), size) << size;
    }
  }
  EXPECT_EQ(t.SizeToClass(8), 1);
  EXPECT_EQ(t.SizeToClass(16), 2);
  EXPECT_EQ(t.SizeToClass(1016), 31);
  EXPECT_EQ(t.SizeToClass(1017), 31);  // through the 128-byte table: 1024 fits
  EXPECT_EQ(t.SizeToClass(1025), 32);
  EXPECT_EQ(t.SizeToClass(32768), 66);
}

TEST(SizeClasses, RoundUpSizeAsMallocSeesIt) {
  const SizeClasses& t = GetSizeClasses();
  EXPECT_EQ(t.RoundUpSize(24), 32u);       // Node1 in gc_test.go
  EXPECT_EQ(t.RoundUpSize(1008), 1024u);
  EXPECT_EQ(t.RoundUpSize(33280), 40960u);  // large: whole pages
  EXPECT_EQ(t.RoundUpSize(262656), 270336u);
}

}  // namespace
}  // namespace thp
