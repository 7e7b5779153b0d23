// Throw, THP_CHECK and the scoped throw hooks: what reaches stderr, the exit
// status, and which hook runs when hooks nest.
#include "runtime_port/base/check.h"

#include <cstdio>

#include "gtest/gtest.h"

namespace thp {
namespace {

void Say(absl::string_view what) { std::fprintf(stderr, "hook: %.*s\n", int(what.size()), what.data()); }

TEST(CheckDeathTest, ThrowPrintsGosFatalLineAndExits2) {
  EXPECT_EXIT(Throw("runtime: out of memory"), testing::ExitedWithCode(2),
              "^fatal error: runtime: out of memory\n$");
  EXPECT_EXIT(PrintAndExit2("runtime: cannot map pages"), testing::ExitedWithCode(2),
              "^runtime: cannot map pages\n$");
  EXPECT_EXIT(THP_CHECK(1 + 1 == 3, "arithmetic"), testing::ExitedWithCode(2),
              "fatal error: check failed at runtime_port/base/check_test.cc:[0-9]+: 1 \\+ 1 == 3: "
              "arithmetic");
}

TEST(CheckDeathTest, TheInnermostHookRunsOnceWithTheMessage) {
  EXPECT_EXIT(
      {
        ScopedThrowHook outer([](absl::string_view m) { Say(std::string("outer ") + std::string(m)); });
        ScopedThrowHook inner([](absl::string_view m) { Say(std::string("inner ") + std::string(m)); });
        Throw("boom");
      },
      testing::ExitedWithCode(2), "^fatal error: boom\nhook: inner boom\n$");
}

TEST(CheckDeathTest, AnEndedScopePutsTheOuterHookBack) {
  EXPECT_EXIT(
      {
        ScopedThrowHook outer([](absl::string_view) { Say("outer"); });
        { ScopedThrowHook inner([](absl::string_view) { Say("inner"); }); }
        Throw("after the inner scope");
      },
      testing::ExitedWithCode(2), "^fatal error: after the inner scope\nhook: outer\n$");
  EXPECT_EXIT(
      {
        { ScopedThrowHook once([](absl::string_view) { Say("gone"); }); }
        Throw("no hook");
      },
      testing::ExitedWithCode(2), "^fatal error: no hook\n$");
}

TEST(CheckDeathTest, AnEmptyHookLeavesTheCurrentOne) {
  EXPECT_EXIT(
      {
        ScopedThrowHook outer([](absl::string_view) { Say("outer"); });
        ScopedThrowHook empty(nullptr);
        Throw("x");
      },
      testing::ExitedWithCode(2), "^fatal error: x\nhook: outer\n$");
}

TEST(CheckDeathTest, AHookThatThrowsDoesNotRunAgain) {
  EXPECT_EXIT(
      {
        ScopedThrowHook h([](absl::string_view) {
          Say("once");
          Throw("inside the hook");
        });
        Throw("first");
      },
      testing::ExitedWithCode(2), "^fatal error: first\nhook: once\nfatal error: inside the hook\n$");
}

TEST(CheckDeathTest, ScopesEndingOutOfOrderAreABug) {
  EXPECT_EXIT(
      {
        auto* a = new ScopedThrowHook([](absl::string_view) {});
        auto* b = new ScopedThrowHook([](absl::string_view) {});
        (void)b;
        delete a;  // b still installed
      },
      testing::ExitedWithCode(2), "throw hooks ended out of order");
}

}  // namespace
}  // namespace thp
