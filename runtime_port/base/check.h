// Fatal errors, the way the Go runtime reports them.
//
// Go's runtime prints "fatal error: <message>" and exits with status 2 when it
// throws (runtime.throw). The port does the same through Throw(). A driver
// that must not lose its measurements installs a ThrowHook that writes its
// report first (ScopedThrowHook); the hook runs once, then the process exits
// with status 2, or with the status a driver set (SetThrowExitStatus).
//
// THP_CHECK is for broken invariants of this project's own structures (a
// corrupted heap, a kernel model that contradicts itself): those are bugs,
// reported with the file and line and the same exit path.
#ifndef THP_RUNTIME_PORT_BASE_CHECK_H_
#define THP_RUNTIME_PORT_BASE_CHECK_H_

#include <functional>
#include <string>
#include "absl/strings/string_view.h"

namespace thp {

// Called with the throw message before the process exits. A hook that
// throws again ends the process at once (no hook runs twice).
using ThrowHook = std::function<void(absl::string_view message)>;

// Installs a throw hook for its own lifetime and puts back the one it
// replaced when it ends, so hooks nest: a run's hook (which reads the
// objects of that run) covers the run, and the caller's covers the rest.
// An empty hook installs nothing and leaves the current one in place.
// Scopes must end in the reverse order of their start (checked).
class ScopedThrowHook {
 public:
  explicit ScopedThrowHook(ThrowHook hook);
  ~ScopedThrowHook();
  ScopedThrowHook(const ScopedThrowHook&) = delete;
  ScopedThrowHook& operator=(const ScopedThrowHook&) = delete;

 private:
  int depth_ = 0;  // 0: installed nothing
  ThrowHook previous_;
};

// The status Throw and PrintAndExit2 exit with: 2, as Go's runtime, unless
// set. A driver that runs the runtime in its own process sets 1, the
// project's status for "a variant died of a Go fatal error" (README, "Exit
// statuses"); a child of a driver keeps Go's 2 (its parent reads the error
// from its result, not its status).
void SetThrowExitStatus(int status);

// Mirrors runtime.throw (Go 1.5 panic.go): prints "fatal error: <message>" to
// stderr, runs the hook, exits with status 2 (see SetThrowExitStatus).
[[noreturn]] void Throw(absl::string_view message);

// Mirrors the Go 1.5 paths that print a message and call exit(2) without the
// "fatal error:" prefix (sysAlloc's EACCES/EAGAIN reports).
[[noreturn]] void PrintAndExit2(absl::string_view message);

[[noreturn]] void CheckFailed(const char* file, int line, const char* condition,
                              const std::string& detail);

}  // namespace thp

#define THP_CHECK(cond, detail)                                        \
  do {                                                                 \
    if (!(cond)) ::thp::CheckFailed(__FILE__, __LINE__, #cond, detail); \
  } while (0)

#endif  // THP_RUNTIME_PORT_BASE_CHECK_H_
