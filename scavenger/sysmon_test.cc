// sysmon's timing on the virtual clock: when it wakes, when it scavenges and
// when it forces a GC, for both settings, and what the overshoot does.
#include "scavenger/sysmon.h"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace thp {
namespace {

struct Recorder {
  std::vector<std::string> calls;  // "scavenge" and "gc", in order
  std::vector<int64_t> scavenges;
  std::vector<int64_t> forced;
  int64_t now = 0;
  int64_t last_gc = 0;
  bool idle = false;
  int64_t busy_at = 0;
  SysmonActions Actions() {
    SysmonActions a;
    a.note_sleep = [this](int64_t, int64_t* b) {
      *b = busy_at;
      return idle;
    };
    a.last_gc = [this] { return last_gc; };
    a.force_gc = [this] {
      calls.push_back("gc");
      forced.push_back(now);
      last_gc = now;
    };
    a.scavenge = [this](int32_t, uint64_t t, uint64_t) {
      calls.push_back("scavenge");
      scavenges.push_back(static_cast<int64_t>(t));
    };
    return a;
  }
};

// GODEBUG=scavenge=1 with every sleep returning on time.
SysmonOptions ScavengeDebugWithoutOvershoot() {
  SysmonOptions o;
  o.scavenge_debug = true;
  o.usleep_overshoot_ns = 0;
  o.note_timeout_overshoot_ns = 0;
  o.capped_overshoot_ns.fill(0);
  o.capped_overshoot_every_p_busy_ns = 0;
  return o;
}

TEST(Sysmon, ScavengeDebugWithoutOvershootScavengesEvery20ms) {
  Sysmon s(0, ScavengeDebugWithoutOvershoot());
  Recorder r;
  s.RunUntil(200000000, r.Actions(), [&](int64_t t) { r.now = t; });
  // 51 sleeps of 20 us, then doubling to the 10 ms cap; the strict
  // "last + 10 ms < now" then holds on every second 10 ms wake.
  ASSERT_GE(r.scavenges.size(), 5u);
  for (size_t i = 2; i < r.scavenges.size(); ++i) {
    EXPECT_EQ(r.scavenges[i] - r.scavenges[i - 1], 20000000) << i;
  }
}

// With the default overshoots every 10 ms round scavenges (each share is
// above 0 and the test is strict), and each round draws one of the shares:
// over 2,000 rounds every share comes up and their mean is the table's.
TEST(Sysmon, WithUsleepOvershootItScavengesAtEveryTenMsWakeAndDrawsTheShares) {
  SysmonOptions o;
  o.scavenge_debug = true;
  Sysmon s(0, o);
  Recorder r;
  s.RunUntil(int64_t{21} * 1000000000, r.Actions(), [&](int64_t t) { r.now = t; });
  ASSERT_GE(r.scavenges.size(), 2000u);
  std::vector<int> drawn(kCappedOvershootShares, 0);
  double sum = 0;
  int rounds = 0;
  for (size_t i = 3; i < r.scavenges.size(); ++i) {
    const int64_t over = r.scavenges[i] - r.scavenges[i - 1] - 10000000;
    const auto it = std::find(o.capped_overshoot_ns.begin(), o.capped_overshoot_ns.end(), over);
    ASSERT_NE(it, o.capped_overshoot_ns.end()) << i << ": " << over;
    ++drawn[it - o.capped_overshoot_ns.begin()];
    sum += static_cast<double>(over);
    ++rounds;
  }
  for (int k = 0; k < kCappedOvershootShares; ++k) {
    // Equal shares repeat in the table: a share's value counts for all.
    const int64_t v = o.capped_overshoot_ns[k];
    const int first = static_cast<int>(
        std::find(o.capped_overshoot_ns.begin(), o.capped_overshoot_ns.end(), v) -
        o.capped_overshoot_ns.begin());
    EXPECT_GT(drawn[first], 0) << "share " << k;
  }
  const double mean = sum / rounds;
  const double table = static_cast<double>(CappedOvershootMeanNs(o));
  EXPECT_NEAR(mean, table, 0.1 * table);
  // The same seed draws the same rounds.
  Sysmon again(0, o);
  Recorder r2;
  again.RunUntil(int64_t{21} * 1000000000, r2.Actions(), [&](int64_t t) { r2.now = t; });
  EXPECT_EQ(r2.scavenges, r.scavenges);
}

// The sleeps under the cap (20 us, doubled after 50 idle rounds) take the
// usleep overshoot; a 10 ms one takes the capped overshoot, or the every-P-
// busy one while the program keeps every P running.
TEST(Sysmon, TheOvershootFollowsTheSleepAndWhetherEveryPIsBusy) {
  SysmonOptions o;
  o.scavenge_debug = true;
  o.usleep_overshoot_ns = 1000;
  o.capped_overshoot_ns.fill(500000);
  o.capped_overshoot_every_p_busy_ns = 200000;
  Sysmon s(0, o);
  Recorder r;
  bool busy = false;
  SysmonActions a = r.Actions();
  a.every_p_busy = [&busy] { return busy; };
  std::vector<int64_t> wakes;
  const auto clock = [&](int64_t t) {
    r.now = t;
    wakes.push_back(t);
  };
  s.RunUntil(300000000, a, clock);
  ASSERT_GE(wakes.size(), 60u);
  EXPECT_EQ(wakes[0], 20000 + 1000);
  EXPECT_EQ(wakes[1] - wakes[0], 20000 + 1000);
  int capped = 0;
  for (size_t i = 1; i < wakes.size(); ++i) {
    const int64_t gap = wakes[i] - wakes[i - 1];
    if (gap >= 10000000) {
      EXPECT_EQ(gap, 10000000 + 500000) << i;
      ++capped;
    } else {
      EXPECT_EQ((gap - 1000) % 20000, 0) << i << ": " << gap;
    }
  }
  EXPECT_GT(capped, 10);
  // The program keeps every P busy from here: the next sleeps' overshoot.
  busy = true;
  const size_t from = wakes.size();
  s.RunUntil(400000000, a, clock);
  ASSERT_GT(wakes.size(), from + 5);
  for (size_t i = from + 1; i < wakes.size(); ++i) {
    EXPECT_EQ(wakes[i] - wakes[i - 1], 10000000 + 200000) << i;
  }
}

// sysmon readies the forcegc goroutine and goes straight on to
// mHeap_Scavenge (go1.5.1 proc1.go); the GC reaches the heap later, on a P.
// So in a round that does both, the scavenge comes first.
TEST(Sysmon, ARoundThatForcesAGcScavengesBeforeTheGcRuns) {
  Sysmon s(0, ScavengeDebugWithoutOvershoot());
  Recorder r;
  r.last_gc = 1;  // a GC ended at the start
  s.RunUntil(200000000, r.Actions(), [&](int64_t t) { r.now = t; });
  ASSERT_GE(r.forced.size(), 3u);
  // Without overshoot both tests first hold on the same 10 ms wake, and
  // every second wake after it: each such round scavenges, then forces.
  int both = 0;
  for (size_t i = 0; i + 1 < r.calls.size(); ++i) {
    if (r.calls[i + 1] == "gc") {
      ASSERT_EQ(r.calls[i], "scavenge") << i;
      ++both;
    }
  }
  EXPECT_EQ(both, static_cast<int>(r.forced.size()));
  for (size_t i = 0; i < r.forced.size(); ++i) {
    EXPECT_NE(std::find(r.scavenges.begin(), r.scavenges.end(), r.forced[i]), r.scavenges.end())
        << "forced GC at " << r.forced[i] << " has no scavenge in its round";
  }
}

TEST(Sysmon, DefaultPeriodsAreTwoAndFiveMinutes) {
  Sysmon s(0, SysmonOptions());
  EXPECT_EQ(s.forcegcperiod(), int64_t{120} * 1000000000);
  EXPECT_EQ(s.scavengelimit(), int64_t{300} * 1000000000);
  Recorder r;
  r.last_gc = 1;  // a GC ran at the start
  s.RunUntil(int64_t{200} * 1000000000, r.Actions(), [&](int64_t t) { r.now = t; });
  // First scavenge once 2.5 minutes have passed; a forced GC after 2 minutes.
  ASSERT_EQ(r.forced.size(), 1u);
  EXPECT_GT(r.forced[0], int64_t{120} * 1000000000);
  EXPECT_LT(r.forced[0], int64_t{121} * 1000000000);
  ASSERT_EQ(r.scavenges.size(), 1u);
  EXPECT_GT(r.scavenges[0], int64_t{150} * 1000000000);
  EXPECT_LT(r.scavenges[0], int64_t{151} * 1000000000);
}

TEST(Sysmon, WhenEveryPIsIdleItSleepsOnTheNoteAndStartsOverAt20us) {
  Sysmon s(0, ScavengeDebugWithoutOvershoot());
  Recorder r;
  r.idle = true;
  r.busy_at = int64_t{1} << 60;  // never busy again
  s.RunUntil(2000000, r.Actions(), [&](int64_t t) { r.now = t; });
  // First wake at 20 us, then a 5 ms note sleep (maxsleep = forcegcperiod/2).
  EXPECT_EQ(s.wakes(), 1);
  EXPECT_EQ(s.next_wake(), 20000 + 5000000);
  s.RunUntil(5020000, r.Actions(), [&](int64_t t) { r.now = t; });
  EXPECT_EQ(s.next_wake(), 5020000 + 20000 + 0);  // the period starts over
}

// While a stop of the world waits (sched.gcwaiting, its end not known),
// each round is a 20 us usleep (100 us late) and a 5 ms note sleep that
// times out (220 us late), and the scavenge test holds every second round:
// passes 2 x (20 us + 100 us + 5 ms + 220 us) apart, Go's mean 10.68 ms.
// Then the restart's notewakeup ends the note sleep under way at once.
TEST(Sysmon, AStoppingWorldHoldsItOnTheNoteAndTheRestartWakesIt) {
  SysmonOptions o;
  o.scavenge_debug = true;
  Sysmon s(0, o);
  Recorder r;
  r.idle = true;
  r.busy_at = std::numeric_limits<int64_t>::max();
  s.RunUntil(200000000, r.Actions(), [&](int64_t t) { r.now = t; });
  ASSERT_GE(r.scavenges.size(), 10u);
  for (size_t i = 1; i < r.scavenges.size(); ++i) {
    EXPECT_EQ(r.scavenges[i] - r.scavenges[i - 1], 10680000) << i;
  }
  // sysmon is on its note now: the restart wakes it where it is.
  const int64_t due = s.next_wake();
  ASSERT_GT(due, 200000000);
  ASSERT_LE(due, 200000000 + 5340000);
  const int64_t wakes = s.wakes();
  s.NoteWakeup(200000000);
  EXPECT_EQ(s.next_wake(), 200000000);
  r.idle = false;
  s.RunUntil(200000000, r.Actions(), [&](int64_t t) { r.now = t; });
  EXPECT_EQ(s.wakes(), wakes);  // the round goes on; no new wake
  EXPECT_EQ(s.next_wake(), 200000000 + 20000 + 100000);  // starts over at 20 us
  // A wakeup while sysmon is not on its note changes nothing.
  s.NoteWakeup(200050000);
  EXPECT_EQ(s.next_wake(), 200000000 + 20000 + 100000);
}

}  // namespace
}  // namespace thp
