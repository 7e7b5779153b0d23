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

[[noreturn]] void RunHookAndExit(absl::string_view message) {
  ThrowHook hook = std::move(Hook());
  Hook() = nullptr;  // a hook that throws again must not recurse
  if (hook) hook(message);
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(2);
}

}  // namespace

void SetThrowHook(ThrowHook hook) { Hook() = std::move(hook); }

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
