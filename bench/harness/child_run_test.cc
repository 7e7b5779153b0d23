// The child-run plumbing with real child processes: this test binary starts
// itself again as the children, which act out what their variant names
// (finish, die of a signal, fail without a result, ...).
#include "bench/harness/child_run.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "runtime_port/base/file_io.h"

namespace thp {
namespace {

std::vector<std::string>* parent_argv = nullptr;

std::string SharedDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr ? dir : "/tmp";
}

// How many children are running now, counted by their marker files.
int RunningNow() {
  int n = 0;
  DIR* d = opendir(SharedDir().c_str());
  if (d == nullptr) return -1;
  while (dirent* e = readdir(d)) n += absl::StartsWith(e->d_name, "running.");
  closedir(d);
  return n;
}

// What a child does, by its variant.
int ActAsChild(const ChildRole& role) {
  const std::string pid = absl::StrCat(getpid());
  if (role.variant == "say" || role.variant == "say_then_die") {
    // Two lines of its own on stderr, a while apart, so that children run
    // side by side interleave if their stderr is shared.
    std::fprintf(stderr, "line 1 of %s\n", pid.c_str());
    usleep(100 * 1000);
    std::fprintf(stderr, "line 2 of %s", pid.c_str());  // no newline at the end
    if (role.variant == "say_then_die") raise(SIGKILL);
    return FinishChild("child_run_test", role, absl::StrCat("pid\t", pid, "\n"), "");
  }
  if (role.variant == "signal") raise(SIGKILL);
  if (role.variant == "segv") {
    // Default action, so that a sanitizer's own SIGSEGV handler (which
    // aborts) does not turn it into SIGABRT under --config=asan.
    signal(SIGSEGV, SIG_DFL);
    raise(SIGSEGV);
  }
  if (role.variant == "interrupt_parent") {
    // As a Ctrl-C would, to the parent only; then wait to be killed.
    kill(getppid(), SIGINT);
    for (;;) pause();
  }
  if (role.variant == "fail3") return 3;
  if (role.variant == "fatal") {
    WriteFile(role.result_path, "error\tfatal error: runtime: out of memory\n");
    return 2;
  }
  if (role.variant == "count") {
    const std::string marker = absl::StrCat(SharedDir(), "/running.", pid);
    WriteFile(marker, "");
    const int running = RunningNow();
    usleep(150 * 1000);
    std::remove(marker.c_str());
    return FinishChild("child_run_test", role, absl::StrCat("running\t", running, "\n"), "");
  }
  std::string map;
  if (role.variant == "map") {
    AddressMap m;
    m.title = "drawn by " + pid;
    m.lo = 0x1000;
    m.hi = 0x3000;
    map = SerializeAddressMap(m);
  }
  return FinishChild("child_run_test", role, absl::StrCat("pid\t", pid, "\n"), map);
}

std::vector<char*> Argv() {
  std::vector<char*> out;
  for (std::string& a : *parent_argv) out.push_back(a.data());
  return out;
}

ChildOutcome RunOne(const std::string& variant, bool wants_map = false) {
  std::vector<char*> argv = Argv();
  ChildRunner runner("child_run_test", static_cast<int>(argv.size()), argv.data());
  return runner.RunOne(ChildSpec{variant, {}, wants_map});
}

TEST(ChildRunTest, AChildThatFinishesHandsOverItsResult) {
  const ChildOutcome c = RunOne("ok");
  ASSERT_TRUE(c.result.ok()) << c.result.status();
  EXPECT_TRUE(absl::StartsWith(*c.result, "pid\t"));
  EXPECT_EQ(c.variant, "ok");
  EXPECT_EQ(ChildFailure(c, true, false), "");
}

TEST(ChildRunTest, ASignalledChildIsReportedAsSuch) {
  const ChildOutcome c = RunOne("signal");
  EXPECT_FALSE(c.result.ok());
  EXPECT_EQ(ChildFailure(c, false, false), "child killed by signal 9 (SIGKILL)");
}

TEST(ChildRunTest, TheSignalIsNamed) {
  EXPECT_EQ(ChildFailure(RunOne("segv"), false, false), "child killed by signal 11 (SIGSEGV)");
}

TEST(ChildRunTest, AnInterruptKeepsWhatEndedAndMarksTheRest) {
  std::vector<char*> argv = Argv();
  ChildRunner runner("child_run_test", static_cast<int>(argv.size()), argv.data());
  std::vector<ChildSpec> specs = {{"ok", {}, false}, {"interrupt_parent", {}, false},
                                  {"ok", {}, false}};
  std::vector<std::string> failures(3, "not called");
  runner.Run(specs, 1, [&](size_t i, ChildOutcome c) {
    failures[i] = ChildFailure(c, c.result.ok(), false);
  });
  EXPECT_EQ(failures, (std::vector<std::string>{"", "interrupted", "interrupted"}));
  EXPECT_TRUE(runner.interrupted());
  EXPECT_EQ(runner.InterruptExitStatus(), 130);
  // Nothing more starts.
  EXPECT_EQ(ChildFailure(runner.RunOne({"ok", {}, false}), false, false), "interrupted");
  // Another runner is not interrupted.
  EXPECT_EQ(ChildFailure(RunOne("ok"), true, false), "");
}

TEST(ChildRunTest, AFailedChildWithoutAResultSaysItsStatus) {
  const ChildOutcome c = RunOne("fail3");
  EXPECT_EQ(ChildFailure(c, false, false), "child exited with status 3, no result");
}

TEST(ChildRunTest, AChildThatDiedOfAFatalErrorKeepsItsOwnWords) {
  const ChildOutcome c = RunOne("fatal");
  ASSERT_TRUE(c.result.ok());
  // The result says why (a report row shows its error) ...
  EXPECT_EQ(ChildFailure(c, true, /*result_reports_error=*/true), "");
  // ... unless it does not.
  EXPECT_EQ(ChildFailure(c, true, false), "child exited with status 2, no result");
}

TEST(ChildRunTest, TheSameVariantTwiceWritesTwoResultFiles) {
  std::vector<char*> argv = Argv();
  ChildRunner runner("child_run_test", static_cast<int>(argv.size()), argv.data());
  std::vector<std::string> results(3);
  runner.Run({{"ok", {}, false}, {"ok", {}, false}, {"ok", {}, false}}, 3,
             [&](size_t i, ChildOutcome c) {
               ASSERT_TRUE(c.result.ok()) << c.result.status();
               results[i] = *c.result;
             });
  EXPECT_EQ(std::set<std::string>(results.begin(), results.end()).size(), 3u);
}

TEST(ChildRunTest, NoMoreThanJobsChildrenRunAtOnce) {
  for (size_t jobs : {1, 2}) {
    std::vector<char*> argv = Argv();
    ChildRunner runner("child_run_test", static_cast<int>(argv.size()), argv.data());
    std::vector<ChildSpec> specs(5, ChildSpec{"count", {}, false});
    int most = 0, ended = 0;
    runner.Run(specs, jobs, [&](size_t, ChildOutcome c) {
      ASSERT_TRUE(c.result.ok()) << c.result.status();
      int running = 0;
      ASSERT_TRUE(absl::SimpleAtoi(absl::StripPrefix(*c.result, "running\t").substr(0, 1), &running));
      most = std::max(most, running);
      ++ended;
    });
    EXPECT_EQ(ended, 5);
    EXPECT_GE(most, 1);
    EXPECT_LE(most, static_cast<int>(jobs)) << "jobs=" << jobs;
  }
}

TEST(ChildRunTest, MapsComeBackParsedWhenAskedFor) {
  const ChildOutcome c = RunOne("map", /*wants_map=*/true);
  ASSERT_EQ(c.maps.size(), 1u);
  EXPECT_TRUE(absl::StartsWith(c.maps[0].title, "drawn by "));
  EXPECT_TRUE(RunOne("map").maps.empty());  // not asked for
  // Asked for, but the child wrote none: no map (and a line on stderr).
  EXPECT_TRUE(RunOne("ok", /*wants_map=*/true).maps.empty());
}

TEST(ChildRunTest, ACapturedStderrComesBackWholeForEachChild) {
  std::vector<char*> argv = Argv();
  ChildRunner runner("child_run_test", static_cast<int>(argv.size()), argv.data());
  ChildSpec say{"say", {}, false};
  say.capture_stderr = true;
  std::vector<ChildOutcome> got(2);
  runner.Run({say, say}, 2, [&](size_t i, ChildOutcome c) { got[i] = std::move(c); });
  for (const ChildOutcome& c : got) {
    ASSERT_TRUE(c.result.ok()) << c.result.status();
    const std::string pid(absl::StripSuffix(absl::StripPrefix(*c.result, "pid\t"), "\n"));
    EXPECT_EQ(c.captured_stderr, absl::StrCat("line 1 of ", pid, "\nline 2 of ", pid));
  }
  // Not asked for: the child's stderr is the parent's, nothing comes back.
  EXPECT_EQ(RunOne("say").captured_stderr, "");
}

TEST(ChildRunTest, ACapturedStderrSurvivesTheChildsDeath) {
  std::vector<char*> argv = Argv();
  ChildRunner runner("child_run_test", static_cast<int>(argv.size()), argv.data());
  ChildSpec spec{"say_then_die", {}, false};
  spec.capture_stderr = true;
  const ChildOutcome c = runner.RunOne(spec);
  EXPECT_EQ(ChildFailure(c, false, false), "child killed by signal 9 (SIGKILL)");
  EXPECT_TRUE(absl::StartsWith(c.captured_stderr, "line 1 of ")) << c.captured_stderr;
  EXPECT_NE(c.captured_stderr.find("\nline 2 of "), std::string::npos) << c.captured_stderr;
}

TEST(ChildRunTest, RelayPutsTheHeaderFirstAndEndsTheLastLine) {
  ChildOutcome c;
  c.captured_stderr = "a\nb";
  testing::internal::CaptureStderr();
  RelayChildStderr("# header", c);
  c.captured_stderr = "c\n";
  RelayChildStderr("# again", c);
  c.captured_stderr = "";
  RelayChildStderr("# empty", c);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "# header\na\nb\n# again\nc\n# empty\n");
}

TEST(ChildRunTest, TheTemporaryDirectoryGoesWithTheRunner) {
  auto dirs = [] {
    std::set<std::string> out;
    DIR* d = opendir("/tmp");
    while (dirent* e = d != nullptr ? readdir(d) : nullptr) {
      if (absl::StartsWith(e->d_name, "child_run_test.")) out.insert(e->d_name);
    }
    if (d != nullptr) closedir(d);
    return out;
  };
  const std::set<std::string> before = dirs();
  RunOne("ok");
  RunOne("signal");
  {
    std::vector<char*> argv = Argv();
    ChildRunner runner("child_run_test", static_cast<int>(argv.size()), argv.data());
    ChildSpec spec{"say_then_die", {}, false};
    spec.capture_stderr = true;
    runner.RunOne(spec);
  }
  EXPECT_EQ(dirs(), before);
}

}  // namespace
}  // namespace thp

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  absl::ParseCommandLine(argc, argv);
  if (std::optional<thp::ChildRole> role = thp::ChildRoleFromFlags()) return thp::ActAsChild(*role);
  thp::parent_argv = new std::vector<std::string>(argv, argv + argc);
  return RUN_ALL_TESTS();
}
