// The parent/child plumbing of the drivers that run each variant in a fresh
// address space (vma_repro, thp_bloat, thp_cost). It mirrors no Go code.
//
// A child is this same binary started again with the parent's command line
// plus --child_variant=<v>, --child_result=<file>, --child_map=<file> (when
// the parent wants address maps) and the driver's own extra flags. The
// parent (ChildRunner):
//   - makes one private temporary directory, /tmp/<tool>.XXXXXX, and gives
//     every child files of its own there (two children of the same variant
//     never share one);
//   - starts at most `jobs` children at a time and waits for them;
//   - on each child's end hands the driver a ChildOutcome: how it ended
//     (ChildFailure turns that into the text a report row shows, a child
//     killed by a signal included), the text of its result file (the
//     driver parses it with its field table, result_fields.h) and the
//     address maps it wrote, and its stderr when the spec asked for it to
//     be captured; then removes its files;
//   - removes the directory when it ends.
// A captured stderr (ChildSpec::capture_stderr) is how a driver keeps each
// child's GODEBUG=gctrace=1 lines together when several children run at
// once: the child writes to its stderr as a Go program does, the file
// behind it is the child's alone, and the parent relays it whole, under a
// header line, when the child ends (RelayChildStderr).
// The child (ChildRoleFromFlags) runs its variant, writes its result with
// FinishChild, and on a fatal runtime error writes what it has from its
// throw hook (check.h).
//
// Interrupts and dying parents (issue 18) belong here and nowhere else:
// Start() is where a child joins the runner's process group or is given a
// parent-death signal (ChildRoleFromFlags is the child's first act, where
// it could ask for PR_SET_PDEATHSIG itself); WaitForAny() is the one place
// the parent blocks, where an interrupt would stop the children still
// running and end Run() with what finished; ~ChildRunner is where the
// files of stopped children would be removed with the directory.
#ifndef THP_BENCH_HARNESS_CHILD_RUN_H_
#define THP_BENCH_HARNESS_CHILD_RUN_H_

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bench/report/address_map.h"

namespace thp {

// --- The child's side.

struct ChildRole {
  std::string variant;      // --child_variant
  std::string result_path;  // --child_result
  std::string map_path;     // --child_map; empty when the parent wants no maps
};

// The role this process was started in by a ChildRunner (--child_variant
// given), or nullopt in the parent.
std::optional<ChildRole> ChildRoleFromFlags();

// The part of a driver's main after its flags are checked: the child's run
// when this process is a child, else the parent's.
template <typename Setup>
int RunChildOrParent(int argc, char** argv, const Setup& setup,
                     int (*child)(const Setup&, const ChildRole&),
                     int (*parent)(int, char**, const Setup&)) {
  if (const std::optional<ChildRole> role = ChildRoleFromFlags()) return child(setup, *role);
  return parent(argc, argv, setup);
}

// Writes the child's address maps (with a map path) and then its result;
// returns the child's exit status: 0, or 2 after "<tool>: cannot write
// <path>" on stderr.
int FinishChild(absl::string_view tool, const ChildRole& role, const std::string& result_text,
                const std::string& map_text);

// --- The parent's side.

struct ChildSpec {
  std::string variant;
  std::vector<std::string> extra_flags;  // the driver's own, e.g. --child_khugepaged=true
  bool wants_map = false;
  // The child's stderr goes to a file of its own, handed back in
  // ChildOutcome::captured_stderr, instead of to the parent's stderr.
  bool capture_stderr = false;
};

struct ChildOutcome {
  std::string variant;
  int wait_status = 0;  // waitpid's
  bool lost = false;    // waitpid failed: nothing is known of its end
  // The result file's text, or why there is none.
  absl::StatusOr<std::string> result = absl::NotFoundError("no result file");
  // The address maps it wrote, in order (empty unless it was asked for them;
  // a file that cannot be read or parsed was reported on stderr).
  std::vector<AddressMap> maps;
  // With capture_stderr: all the child wrote to its stderr, up to its end
  // whatever that was (a fatal error or a signal included).
  std::string captured_stderr;
};

// Writes `header` as a line of its own, then the child's captured stderr
// as it is (a newline added only if its last line has none), to this
// process's stderr. When every child's stderr is captured, only the parent
// writes there, so each child's block stays whole.
void RelayChildStderr(absl::string_view header, const ChildOutcome& child);

// What a report row says of a child's run, or "" if its result stands:
// "child killed by signal N"; "child exited with status N, no result" when
// there is no parsable result, or the child failed (status not 0) without a
// result that says why (`result_reports_error`).
std::string ChildFailure(const ChildOutcome& child, bool result_parsed, bool result_reports_error);

// The child's result read by `parse` (a default R when there is none or it
// does not parse), with its `error` field set to ChildFailure's text when
// the run has no standing result.
template <typename R>
R ChildResult(const ChildOutcome& child, absl::StatusOr<R> (*parse)(absl::string_view),
              std::string R::*error) {
  absl::StatusOr<R> parsed =
      child.result.ok() ? parse(*child.result) : absl::StatusOr<R>(child.result.status());
  R r = parsed.ok() ? *std::move(parsed) : R();
  std::string failure = ChildFailure(child, parsed.ok(), !(r.*error).empty());
  if (!failure.empty()) r.*error = std::move(failure);
  return r;
}

class ChildRunner {
 public:
  // Makes the temporary directory (one line and exit 2 if it cannot). `argv`
  // is the parent's command line, which every child gets first.
  ChildRunner(std::string tool, int argc, char** argv);
  ~ChildRunner();
  ChildRunner(const ChildRunner&) = delete;
  ChildRunner& operator=(const ChildRunner&) = delete;

  // Runs every spec, at most `jobs` (>= 1) at a time, and calls done(i,
  // outcome) for spec i as each child ends, in the order they end.
  void Run(const std::vector<ChildSpec>& specs, size_t jobs,
           const std::function<void(size_t index, ChildOutcome outcome)>& done);
  // Runs one child to its end.
  ChildOutcome RunOne(const ChildSpec& spec);

 private:
  struct Running {
    size_t index;
    pid_t pid;
    std::string result_path;
    std::string map_path;  // empty unless wanted
    std::string stderr_path;  // empty unless captured
  };
  Running Start(size_t index, const ChildSpec& spec);
  // Waits for any child; false if waiting failed (no child left to wait for).
  bool WaitForAny(pid_t* pid, int* status);
  ChildOutcome Collect(const ChildSpec& spec, const Running& child, int wait_status, bool lost);

  std::string tool_;
  std::vector<std::string> argv_;
  std::string dir_;
  int started_ = 0;  // children started, numbering their files
};

}  // namespace thp

#endif  // THP_BENCH_HARNESS_CHILD_RUN_H_
