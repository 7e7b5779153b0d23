#include "bench/harness/cli.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bench/harness/flag_range.h"
#include "runtime_port/base/quote.h"

namespace thp {
namespace {

std::string& ProgramName() {
  static std::string* name = new std::string("thp");
  return *name;
}

// Whether stdout has been checked (FinishMain); the check at exit then
// does nothing.
bool stdout_checked = false;

// --help and its kin were asked for: Abseil prints the usage and exits 1,
// which the check at exit turns into 0 (a usage asked for is a success).
bool usage_asked = false;

// "" if everything written to stdout (and std::cout) reached it, else why not.
std::string FlushStdout() {
  // stdout first: std::cout (synced with stdio) flushes it too, and a
  // second failed flush has no errno to tell.
  errno = 0;
  const bool flushed = std::fflush(stdout) == 0;
  const int err = errno;
  std::cout.flush();
  if (flushed && !std::ferror(stdout) && !std::cout.fail()) return "";
  return err != 0 ? std::strerror(err) : "write failed";
}

void ReportStdout(const std::string& why) {
  std::fprintf(stderr, "%s: cannot write stdout: %s\n", ProgramName().c_str(), why.c_str());
}

void CheckStdoutAtExit() {
  if (stdout_checked) return;
  stdout_checked = true;
  const std::string why = FlushStdout();
  if (why.empty()) {
    if (usage_asked) _exit(0);
    return;
  }
  ReportStdout(why);
  // Inside exit(): _exit, as exit() may not be called again. Whatever status
  // was on its way (0, 1 or 2; interrupts go through FinishMain) ranks below
  // or with 2.
  std::fflush(stderr);
  _exit(2);
}

// What a flag of this type accepts, for the error line.
std::string TypeName(const absl::CommandLineFlag& flag) {
  if (flag.IsOfType<bool>()) return "true or false";
  if (flag.IsOfType<int>() || flag.IsOfType<int64_t>()) return "an integer";
  if (flag.IsOfType<uint64_t>() || flag.IsOfType<uint32_t>()) return "a non-negative integer";
  if (flag.IsOfType<double>()) return "a number";
  return absl::StrCat("a value of the flag's type (default ", EscapeForError(flag.DefaultValue()), ")");
}

// The one line ExitUsage prints, bounded whatever its caller composed (a
// value is meant to be quoted escaped and cut, QuoteForError, but not every
// message does it): control bytes are escaped, so a newline in a value
// cannot make two lines, and past kMaxUsageChars the middle is cut,
// keeping the start (what is wrong) and the end (what is accepted).
constexpr size_t kMaxUsageChars = 480;

std::string BoundedLine(absl::string_view message) {
  std::string line;
  for (char c : message) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      absl::StrAppend(&line, "\\x", absl::Hex(u, absl::kZeroPad2));
    } else {
      line.push_back(c);
    }
  }
  if (line.size() <= kMaxUsageChars) return line;
  constexpr size_t kHead = 280;
  constexpr size_t kTail = kMaxUsageChars - kHead - 3;
  return absl::StrCat(line.substr(0, kHead), "...", line.substr(line.size() - kTail));
}

int Rank(int status) {
  if (status > 128) return 3;
  if (status == 0) return 0;
  if (status == 1) return 1;
  return 2;
}

}  // namespace

int CombineExitStatus(std::initializer_list<int> statuses) {
  int worst = 0;
  for (int s : statuses) {
    if (Rank(s) > Rank(worst)) worst = s;
  }
  return worst;
}

int FinishMain(int status) {
  stdout_checked = true;
  const std::string why = FlushStdout();
  if (why.empty()) return status;
  ReportStdout(why);
  return CombineExitStatus({status, 2});
}

void ExitUsage(absl::string_view message) {
  std::fprintf(stderr, "%s: %s\n", ProgramName().c_str(), BoundedLine(message).c_str());
  std::exit(2);
}

void ExitIfError(const absl::Status& status) {
  if (!status.ok()) ExitUsage(status.message());
}

std::vector<std::string> SplitList(absl::string_view list) {
  std::vector<std::string> out;
  for (absl::string_view item : absl::StrSplit(list, ',', absl::SkipEmpty())) {
    out.emplace_back(item);
  }
  return out;
}

std::vector<std::string> ParseFlagsOrExit(int argc, char** argv, absl::string_view usage,
                                          bool allow_positional) {
  std::string prog = argc > 0 ? argv[0] : "thp";
  ProgramName() = prog.substr(prog.find_last_of('/') + 1);
  absl::SetProgramUsageMessage(usage);
  static const bool registered = std::atexit(&CheckStdoutAtExit) == 0;
  (void)registered;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") {
      for (++i; i < argc; ++i) positional.emplace_back(argv[i]);
      break;
    }
    if (!absl::StartsWith(arg, "-") || arg == "-") {
      positional.emplace_back(arg);
      continue;
    }
    absl::string_view body = arg.substr(absl::StartsWith(arg, "--") ? 2 : 1);
    absl::string_view name = body.substr(0, body.find('='));
    const bool has_value = body.find('=') != absl::string_view::npos;
    if (name == "help" || name == "helpfull" || name == "helpshort" || name == "version" ||
        name == "helpon" || name == "helpmatch" || name == "helppackage" ||
        name == "only_check_args") {
      usage_asked = true;
      continue;  // Abseil's own usage flags
    }
    if (name == "flagfile" || name == "fromenv" || name == "tryfromenv") {
      ExitUsage(absl::StrCat("--", name,
                             ": not accepted here (accepted: flags on the command line, see --help)"));
    }
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    bool negated = false;
    if (flag == nullptr && absl::StartsWith(name, "no")) {
      flag = absl::FindCommandLineFlag(name.substr(2));
      negated = flag != nullptr && flag->IsOfType<bool>() && !has_value;
      if (!negated) flag = nullptr;
    }
    if (flag == nullptr) ExitUsage(absl::StrCat("unknown flag --", EscapeForError(name), " (see --help)"));
    std::string value;
    if (has_value) {
      value = std::string(body.substr(body.find('=') + 1));
    } else if (flag->IsOfType<bool>()) {
      value = negated ? "false" : "true";
    } else if (i + 1 < argc) {
      value = argv[++i];  // "--rounds 5": the next argument is the value
    } else {
      ExitUsage(absl::StrCat("flag --", EscapeForError(name), " needs a value"));
    }
    // Validate on a throw-away parse; Abseil sets the value below.
    std::string error;
    std::string saved = flag->CurrentValue();
    const FlagRange* range = FindFlagRange(flag->Name());
    if (!flag->ParseFrom(value, &error)) {
      ExitUsage(absl::StrCat("--", flag->Name(), "=", EscapeForError(value), ": expected ", TypeName(*flag),
                             range != nullptr ? absl::StrCat(" (accepted: ", range->accepted, ")")
                                              : std::string(" (see --help)")));
    }
    const bool in_range = range == nullptr || InFlagRange(*range, flag->CurrentValue());
    (void)flag->ParseFrom(saved, &error);
    if (!in_range) {
      ExitUsage(absl::StrCat("--", flag->Name(), "=", EscapeForError(value), ": expected ", range->accepted));
    }
  }
  if (!allow_positional && !positional.empty()) {
    ExitUsage(absl::StrCat("unexpected argument ", QuoteForError(positional.front()), " (see --help)"));
  }
  absl::ParseCommandLine(argc, argv);
  return positional;
}

}  // namespace thp
