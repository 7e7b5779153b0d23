// The parent/child plumbing of the drivers that run each variant in a fresh
// address space (vma_repro, thp_bloat, thp_cost). It mirrors no Go code.
//
// A child is this same binary started again with the parent's command line
// plus --child_variant=<v>, --child_result=<file>, --child_map=<file> (when
// the parent wants address maps) and the driver's own extra flags. The
// parent (ChildRunner):
//   - makes one private temporary directory, $TMPDIR/<tool>.XXXXXX (/tmp
//     without TMPDIR), and gives every child files of its own there (two
//     children of the same variant never share one);
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
// Interrupts and dying parents (issue 18):
//   - a child is started by fork+exec and asks, before its exec, for
//     SIGKILL when its parent dies (PR_SET_PDEATHSIG), then checks that the
//     parent it was forked by is still its parent (it may have died in
//     between); so no child outlives its parent, whatever ends the parent;
//   - the ChildRunner blocks SIGINT and SIGTERM (and SIGCHLD) in the parent
//     from its construction to the process's end, and waits for them with
//     sigtimedwait in Run(); on SIGINT or SIGTERM it kills (SIGKILL) and
//     reaps the children still running, keeps the results of those that
//     had already ended, and hands the driver every other child as
//     `interrupted` (ChildFailure: "interrupted"); the driver then writes
//     its table and files with what it has, the runner's destructor removes
//     the temporary directory, and the driver exits InterruptExitStatus()
//     (130 for SIGINT, 143 for SIGTERM; CombineExitStatus in cli.h ranks it
//     first). Children get the parent's signal mask as it was before.
//
// Test-only: THP_TEST_CHILD_HOOK=<variant>:<action> makes each child of
// that variant, as its first act, hang (pause() until a signal ends it,
// after one line "<tool>: test hook: child <variant> hangs" on stderr) or
// die of SIGSEGV, SIGKILL or SIGABRT (action hang, segv, kill or abort).
// It exists for //bench/harness:robustness_test, which needs a child that
// dies of a signal, or a run that is still going when it is interrupted,
// at a known point; no user run sets it. A malformed value is one line and
// exit status 2 in the parent.
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
  // The run was interrupted (SIGINT/SIGTERM to the parent) before this
  // child ended on its own: it was killed, or never started.
  bool interrupted = false;
};

// Writes `header` as a line of its own, then the child's captured stderr
// as it is (a newline added only if its last line has none), to this
// process's stderr. When every child's stderr is captured, only the parent
// writes there, so each child's block stays whole.
void RelayChildStderr(absl::string_view header, const ChildOutcome& child);

// What a report row says of a child's run, or "" if its result stands:
// "interrupted"; "child killed by signal N (SIGNAME)"; "child exited with status N, no result" when
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
  // outcome) for spec i as each child ends, in the order they end. On
  // SIGINT/SIGTERM: done() for the children killed, then for those never
  // started, in the specs' order, each marked interrupted; once the runner
  // is interrupted, later calls start no child (every spec is interrupted).
  void Run(const std::vector<ChildSpec>& specs, size_t jobs,
           const std::function<void(size_t index, ChildOutcome outcome)>& done);
  // Runs one child to its end.
  ChildOutcome RunOne(const ChildSpec& spec);

  // The private temporary directory; a file the driver puts there for its
  // children (vma_repro's memory-layer streams) is the driver's to remove
  // before the runner ends.
  const std::string& dir() const { return dir_; }

  // Whether SIGINT or SIGTERM has stopped a Run() so far.
  bool interrupted() const { return interrupt_signal_ != 0; }
  // 128 + the signal (130 for SIGINT, 143 for SIGTERM) if a run was
  // interrupted, or one of them arrived since (it is taken), else 0.
  int InterruptExitStatus();

 private:
  struct Running {
    size_t index;
    pid_t pid;
    std::string result_path;
    std::string map_path;  // empty unless wanted
    std::string stderr_path;  // empty unless captured
  };
  Running Start(size_t index, const ChildSpec& spec);
  ChildOutcome Collect(const ChildSpec& spec, const Running& child, int wait_status, bool lost);

  std::string tool_;
  std::vector<std::string> argv_;
  std::string dir_;
  int started_ = 0;  // children started, numbering their files
  int interrupt_signal_ = 0;  // SIGINT or SIGTERM once one stopped a run
};

}  // namespace thp

#endif  // THP_BENCH_HARNESS_CHILD_RUN_H_
