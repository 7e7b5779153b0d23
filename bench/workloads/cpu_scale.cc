#include "bench/workloads/cpu_scale.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "runtime_port/base/quote.h"

namespace thp {

absl::StatusOr<double> CpuScale(const std::vector<BenchSpeed>& run,
                                const std::vector<RecordedBenchmark>& recorded) {
  absl::flat_hash_map<std::string, double> at;
  for (const RecordedBenchmark& r : recorded) at[r.name] = r.ns_go151;
  std::vector<double> ratios;
  for (const BenchSpeed& b : run) {
    auto it = at.find(b.name);
    if (it == at.end()) continue;
    if (!(b.ns_per_op > 0) || !(it->second > 0)) {
      return absl::InvalidArgumentError(absl::StrCat(b.name, ": an ns/op not above 0"));
    }
    ratios.push_back(b.ns_per_op / it->second);
  }
  if (ratios.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no benchmark in common with the recorded run's timings (", kRecordedRunTimingsFile, ")",
        run.empty() ? "" : absl::StrCat(", e.g. ", run.front().name)));
  }
  std::sort(ratios.begin(), ratios.end());
  const size_t n = ratios.size();
  const double median = n % 2 == 1 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
  return std::round(median * 100) / 100;
}

std::vector<BenchSpeed> SpeedsOf(const std::vector<RecordedBenchmark>& timings, bool fix,
                                 double time_scale) {
  std::vector<BenchSpeed> out;
  out.reserve(timings.size());
  for (const RecordedBenchmark& t : timings) {
    out.push_back(BenchSpeed{t.name, (fix ? t.ns_fix : t.ns_go151) * time_scale});
  }
  return out;
}

absl::StatusOr<std::optional<double>> ParseCpuScaleFlag(const std::string& value) {
  if (value == "auto") return std::optional<double>();
  double v = 0;
  if (!absl::SimpleAtod(value, &v) || !std::isfinite(v) || v <= 0 || v > 100) {
    return absl::InvalidArgumentError(
        absl::StrCat("--cpu_scale=", QuoteForError(value),
                     ": expected auto or a number above 0, at most 100 (e.g. 0.6)"));
  }
  return std::optional<double>(v);
}

absl::StatusOr<CpuScaleChoice> ChooseCpuScale(const std::string& flag,
                                              const std::vector<BenchSpeed>& run,
                                              const std::string& source) {
  absl::StatusOr<std::optional<double>> given = ParseCpuScaleFlag(flag);
  if (!given.ok()) return given.status();
  if (given->has_value()) return CpuScaleChoice{**given, /*automatic=*/false};
  absl::StatusOr<std::vector<RecordedBenchmark>> recorded = ReadRecordedRunTimings();
  if (!recorded.ok()) return recorded.status();
  absl::StatusOr<double> scale = CpuScale(run, *recorded);
  if (!scale.ok()) {
    return absl::Status(scale.status().code(), absl::StrCat(source, ": ", scale.status().message(),
                                                            "; give --cpu_scale"));
  }
  return CpuScaleChoice{*scale, /*automatic=*/true};
}

absl::StatusOr<std::vector<RecordedBenchmark>> ReadRecordedRunTimings() {
  absl::StatusOr<std::vector<RecordedBenchmark>> parsed =
      ReadBenchTimingsFile(kRecordedRunTimingsFile);
  if (!parsed.ok()) {
    return absl::Status(parsed.status().code(),
                        absl::StrCat(kRecordedRunTimingsFile, ": ", parsed.status().message()));
  }
  return parsed;
}

}  // namespace thp
