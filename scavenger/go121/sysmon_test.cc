#include "scavenger/go121/sysmon.h"

#include <cstdint>

#include "gtest/gtest.h"

namespace thp {
namespace go121 {
namespace {

constexpr int64_t kNever = INT64_MAX;

TEST(SysmonTest, BusyProgramSeesSysmonEvery10MsAfterFiftyRounds) {
  Sysmon s(0, SysmonOptions{0});
  int64_t t = 0;
  for (int i = 0; i < 51; ++i) {
    EXPECT_EQ(s.next_wake(), t + 20'000) << i;
    t = s.next_wake();
    ASSERT_TRUE(s.Wake(false, kNever));
  }
  // Round 52 onwards doubles: 40, 80, ... 10240 -> 10000 us.
  int64_t d = 20'000;
  for (int i = 0; i < 12; ++i) {
    d = std::min<int64_t>(d * 2, 10'000'000);
    EXPECT_EQ(s.next_wake() - t, d) << i;
    t = s.next_wake();
    ASSERT_TRUE(s.Wake(false, kNever));
  }
  EXPECT_EQ(s.next_wake() - t, 10'000'000);
}

TEST(SysmonTest, OvershootIsAddedToEveryUsleep) {
  Sysmon s(1000, SysmonOptions{100'000});
  EXPECT_EQ(s.next_wake(), 1000 + 20'000 + 100'000);
}

TEST(SysmonTest, IdleProgramSleepsUntilTheNextTimerAtMostAMinute) {
  Sysmon s(0, SysmonOptions{0});
  const int64_t t = s.next_wake();
  // No timer: a note sleep of forcegcperiod/2.
  EXPECT_FALSE(s.Wake(true, kNever));
  EXPECT_EQ(s.next_wake(), t + 60'000'000'000);
  EXPECT_TRUE(s.Wake(true, kNever));  // duties after the note sleep
  // A timer 5 ms after the usleep ends.
  const int64_t u = s.next_wake();
  EXPECT_FALSE(s.Wake(true, u + 5'000'000));
  EXPECT_EQ(s.next_wake(), u + 5'000'000);
  EXPECT_TRUE(s.Wake(true, u + 5'000'000));
  // A timer already due: no note sleep.
  EXPECT_TRUE(s.Wake(true, 0));
}

}  // namespace
}  // namespace go121
}  // namespace thp
