#include "runtime_port/base/check.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/str_format.h"

namespace thp {
namespace {

ThrowHook& Hook() {
  static ThrowHook* hook = new ThrowHook();
  return *hook;
}

int throw_exit_status = 2;

// How many ScopedThrowHooks are installed now.
int& HookDepth() {
  static int depth = 0;
  return depth;
}

[[noreturn]] void RunHookAndExit(absl::string_view message) {
  ThrowHook hook = std::move(Hook());
  Hook() = nullptr;  // a hook that throws again must not recurse
  if (hook) hook(message);
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(throw_exit_status);
}

}  // namespace

void SetThrowExitStatus(int status) { throw_exit_status = status; }

ScopedThrowHook::ScopedThrowHook(ThrowHook hook) {
  if (!hook) return;
  previous_ = std::exchange(Hook(), std::move(hook));
  depth_ = ++HookDepth();
}

ScopedThrowHook::~ScopedThrowHook() {
  if (depth_ == 0) return;
  THP_CHECK(HookDepth() == depth_, "throw hooks ended out of order");
  --HookDepth();
  Hook() = std::move(previous_);
}

void Throw(absl::string_view message) {
  absl::FPrintF(stderr, "fatal error: %s\n", message);
  RunHookAndExit(message);
}

void PrintAndExit2(absl::string_view message) {
  absl::FPrintF(stderr, "%s\n", message);
  RunHookAndExit(message);
}

void CheckFailed(const char* file, int line, const char* condition,
                 const std::string& detail) {
  std::string message =
      absl::StrFormat("check failed at %s:%d: %s: %s", file, line, condition, detail);
  Throw(message);
}

}  // namespace thp
