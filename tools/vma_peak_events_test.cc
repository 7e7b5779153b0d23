#include "tools/vma_peak_events.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace thp {
namespace {

using ::testing::HasSubstr;

TEST(BpftraceScriptTest, FiltersByTgidAndReadsMapCountAtExit) {
  const int mmap = CallId("mmap");
  const int brk = CallId("brk");
  const std::string s = BpftraceScript(4242, {mmap, brk});
  EXPECT_THAT(s, HasSubstr("tracepoint:syscalls:sys_enter_mmap /pid == 4242/"));
  EXPECT_THAT(s, HasSubstr("tracepoint:syscalls:sys_exit_mmap /pid == 4242/"));
  EXPECT_THAT(s, HasSubstr("curtask->mm->map_count"));
  EXPECT_THAT(s, HasSubstr("@a[tid] = (uint64)args->addr;"));
  EXPECT_THAT(s, HasSubstr("END { print(@n);"));
  EXPECT_THAT(s, ::testing::Not(HasSubstr("sys_exit_munmap")));
}

TEST(ParseBpftraceLineTest, Event) {
  const int madvise = CallId("madvise");
  auto line = ParseBpftraceLine("E " + std::to_string(madvise) + " 1151986820517 115 -12 4096 1 14");
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(line->kind, BpftraceLine::kEvent);
  EXPECT_EQ(line->event.call, madvise);
  EXPECT_EQ(line->event.nsecs, 1151986820517u);
  EXPECT_EQ(line->event.map_count, 115);
  EXPECT_EQ(line->event.ret, -12);
  EXPECT_EQ(line->event.addr, 4096u);
  EXPECT_EQ(line->event.len, 1u);
  EXPECT_EQ(line->event.arg, 14);
}

TEST(ParseBpftraceLineTest, BpftraceOwnLines) {
  auto lost = ParseBpftraceLine("Lost 17 events");
  ASSERT_TRUE(lost.ok());
  EXPECT_EQ(lost->kind, BpftraceLine::kLost);
  EXPECT_EQ(lost->count, 17u);
  auto total = ParseBpftraceLine("@n: 30211");
  ASSERT_TRUE(total.ok());
  EXPECT_EQ(total->kind, BpftraceLine::kTotal);
  EXPECT_EQ(total->count, 30211u);
  EXPECT_EQ(ParseBpftraceLine("Attaching 37 probes...")->kind, BpftraceLine::kIgnored);
  EXPECT_EQ(ParseBpftraceLine("")->kind, BpftraceLine::kIgnored);
}

TEST(ParseBpftraceLineTest, BadLinesAreErrorsQuotingTheLine) {
  for (const char* bad : {"E 1 2 3", "E 9999 1 1 1 1 1 1", "E 0 x 1 1 1 1 1", "E 0 1 -1 0 0 0 0",
                          "hello", "Lost many events", "@n: lots"}) {
    auto line = ParseBpftraceLine(bad);
    ASSERT_FALSE(line.ok()) << bad;
    EXPECT_THAT(std::string(line.status().message()), HasSubstr(bad));
  }
  EXPECT_FALSE(ParseBpftraceLine(std::string(kMaxBpftraceLine + 1, 'E')).ok());
}

CallEvent Ev(const char* call, uint64_t ns, int64_t count, int64_t ret = 0, int64_t arg = 0) {
  CallEvent e;
  e.call = CallId(call);
  e.nsecs = ns;
  e.map_count = count;
  e.ret = ret;
  e.arg = arg;
  return e;
}

TEST(AnalyzeEventsTest, CountsFromExecInTimeOrder) {
  // Given out of order (per-CPU buffers); the probe checks before the exec
  // (a failed execve, a failed munmap) are dropped.
  std::vector<CallEvent> events = {
      Ev("mprotect", 1500, 12),  // the transient peak
      Ev("munmap", 100, 40, -22),
      Ev("execve", 150, 40, -2),
      Ev("execve", 1000, 9),
      Ev("madvise", 1700, 12, 0, 15),
      Ev("mprotect", 1600, 10),
      Ev("madvise", 1800, 12, -22, 15),
      Ev("mmap", 1200, 10),
  };
  const PeakRun run = AnalyzeEvents(events, /*start_ns=*/900);
  ASSERT_TRUE(run.exec_seen);
  EXPECT_EQ(run.events, 6);
  EXPECT_EQ(run.max, 12);
  EXPECT_DOUBLE_EQ(run.max_at, 600e-9);
  EXPECT_EQ(run.final_count, 12);
  EXPECT_EQ(run.madvise.at("NOHUGEPAGE"), 1);
  EXPECT_EQ(run.madvise.at("NOHUGEPAGE/EINVAL"), 1);
  std::vector<std::pair<double, int64_t>> want = {
      {100e-9, 9}, {300e-9, 10}, {600e-9, 12}, {700e-9, 10}, {800e-9, 12}};
  EXPECT_EQ(run.series, want);
}

TEST(AnalyzeEventsTest, NoExecNoCount) {
  const PeakRun run = AnalyzeEvents({Ev("mmap", 10, 5)}, 0);
  EXPECT_FALSE(run.exec_seen);
  EXPECT_EQ(run.events, 0);
}

}  // namespace
}  // namespace thp
