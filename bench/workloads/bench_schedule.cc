#include "bench/workloads/bench_schedule.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime_port/base/file_io.h"
#include "runtime_port/base/quote.h"

namespace thp {

namespace {

// Go 1.5's testing.B.launch stops raising b.N once it reaches 1e9, and one
// step multiplies it by at most 100 (then roundUp): b.N stays under 1e11.
// (The recorded suite has b.N = 2e9 for its fastest benchmarks.)
constexpr int64_t kMaxBenchN = 100000000000;
// A recorded ns/op above 1000 s is not a benchmark this suite ran.
constexpr double kMaxNsPerOp = 1e12;
absl::Status CheckRun(int line_no, absl::string_view what, int64_t n, double ns) {
  if (n < 1 || n > kMaxBenchN) {
    return absl::InvalidArgumentError(absl::StrCat("bench timings line ", line_no, ": ", what,
                                                   " N ", n, ": expected 1 to 100000000000"));
  }
  if (!std::isfinite(ns) || !(ns > 0) || ns > kMaxNsPerOp) {
    return absl::InvalidArgumentError(absl::StrCat("bench timings line ", line_no, ": ", what,
                                                   " ns/op ", ns, ": expected above 0, at most 1e12"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<RecordedBenchmark>> ParseBenchTimings(const std::string& text) {
  std::vector<RecordedBenchmark> out;
  int line_no = 0;
  bool header_seen = false;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    if (!header_seen) {
      header_seen = true;
      continue;
    }
    std::vector<absl::string_view> f = absl::StrSplit(line, '\t');
    RecordedBenchmark b;
    if (f.size() != 5 || f[0].empty() || !absl::SimpleAtoi(f[1], &b.n_go151) ||
        !absl::SimpleAtod(f[2], &b.ns_go151) || !absl::SimpleAtoi(f[3], &b.n_fix) ||
        !absl::SimpleAtod(f[4], &b.ns_fix)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "bench timings line ", line_no, ": expected name, N, ns/op, N, ns/op: ", QuoteForError(line)));
    }
    if (absl::Status st = CheckRun(line_no, "go151", b.n_go151, b.ns_go151); !st.ok()) return st;
    if (absl::Status st = CheckRun(line_no, "fix", b.n_fix, b.ns_fix); !st.ok()) return st;
    b.name = std::string(f[0]);
    out.push_back(b);
  }
  return out;
}

int64_t RoundUpBenchN(int64_t n) {
  int64_t base = 1;
  for (int64_t m = n; m >= 10; m /= 10) base *= 10;
  if (n <= base) return base;
  if (n <= 2 * base) return 2 * base;
  if (n <= 3 * base) return 3 * base;
  if (n <= 5 * base) return 5 * base;
  return 10 * base;
}

int64_t LaunchSchedule(const std::function<int64_t(int64_t n)>& run, int64_t benchtime_ns) {
  int64_t n = 1;
  int64_t duration = run(n);
  while (duration < benchtime_ns && n < 1000000000) {
    const int64_t last = n;
    const int64_t ns_per_op = duration / n;
    n = ns_per_op == 0 ? 1000000000 : benchtime_ns / ns_per_op;
    n = std::max(std::min(n + n / 5, 100 * last), last + 1);
    n = RoundUpBenchN(n);
    duration = run(n);
  }
  return n;
}

int64_t RunDurationNs(double ns_per_op, int64_t n) {
  return static_cast<int64_t>(std::llround(ns_per_op * static_cast<double>(n)));
}

std::vector<int64_t> LaunchRunsAt(double ns_per_op, int64_t benchtime_ns) {
  std::vector<int64_t> runs;
  LaunchSchedule(
      [&](int64_t n) {
        runs.push_back(n);
        return RunDurationNs(ns_per_op, n);
      },
      benchtime_ns);
  return runs;
}

std::vector<int64_t> LaunchRunsEndingAt(double ns_per_op, int64_t final_n, int64_t benchtime_ns) {
  const std::vector<int64_t> launch_runs = LaunchRunsAt(ns_per_op, benchtime_ns);
  std::vector<int64_t> runs = {1};
  // launch_runs[0] is 1, as runs[0].
  for (size_t i = 1; i < launch_runs.size(); ++i) {
    const int64_t n = launch_runs[i];
    if (n >= final_n) break;
    const bool cap_needs_more = 100 * runs.back() < final_n;
    if (!cap_needs_more && RunDurationNs(ns_per_op, n) >= benchtime_ns) break;
    runs.push_back(n);
  }
  while (100 * runs.back() < final_n) runs.push_back(100 * runs.back());
  if (final_n > runs.back()) runs.push_back(final_n);
  return runs;
}

absl::StatusOr<std::vector<RecordedBenchmark>> ReadBenchTimingsFile(const std::string& path) {
  absl::StatusOr<std::string> text = absl::StartsWith(path, "testdata/")
                                         ? ReadWorkspaceFile(path, kMaxTimingsFileBytes)
                                         : ReadWholeFile(path, kMaxTimingsFileBytes);
  if (!text.ok()) return text.status();
  return ParseBenchTimings(*text);
}

}  // namespace thp
