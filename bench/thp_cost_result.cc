#include "bench/thp_cost_result.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime_port/kernel/kernel.h"

namespace thp {

double TouchCost::NsPerSmallPage() const {
  return bytes == 0 ? 0 : static_cast<double>(total_ns) / (static_cast<double>(bytes) / kOsPageSize);
}

double TouchCost::NsPerHugePage() const {
  return bytes == 0 ? 0
                    : static_cast<double>(total_ns) / (static_cast<double>(bytes) / kHugePageSize);
}

TouchCost TouchCost::Of(const LatencyHistogram& steps, int64_t anon_huge_bytes) {
  TouchCost t;
  t.bytes = steps.count() * static_cast<int64_t>(kHugePageSize);
  t.total_ns = steps.sum_ns();
  t.p50_huge_page_ns = steps.PercentileNs(0.5);
  t.max_huge_page_ns = steps.max_ns();
  t.anon_huge_bytes = anon_huge_bytes;
  return t;
}

// Lines: "variant=<name>", "kernel=<name>", "error=<text>", one
// "<key>=<int>" per scalar, "site.<name>=<int>", "errno.<name>=<int>" and
// "vmstat.<name>=<int>" per named count.
std::string SerializeThpCost(const ThpCostResult& r) {
  std::string s = absl::StrCat("variant=", r.variant, "\nkernel=", r.kernel, "\n");
  if (!r.error.empty()) absl::StrAppend(&s, "error=", r.error, "\n");
  VisitScalars(r, [&s](const std::string& key, int64_t v) { absl::StrAppend(&s, key, "=", v, "\n"); });
  for (const auto& [name, n] : r.calls_by_site) absl::StrAppend(&s, "site.", name, "=", n, "\n");
  for (const auto& [name, n] : r.madvise_errors) absl::StrAppend(&s, "errno.", name, "=", n, "\n");
  for (const auto& [name, n] : r.vmstat_delta) absl::StrAppend(&s, "vmstat.", name, "=", n, "\n");
  return s;
}

absl::StatusOr<ThpCostResult> ParseThpCost(const std::string& text) {
  ThpCostResult r;
  int scalars = 0, expected = 0;
  VisitScalars(r, [&expected](const std::string&, int64_t&) { ++expected; });
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    const size_t eq = line.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("result line without '=': ", line));
    }
    const absl::string_view key = line.substr(0, eq);
    const absl::string_view value = line.substr(eq + 1);
    if (key == "variant") {
      r.variant = std::string(value);
      continue;
    }
    if (key == "kernel") {
      r.kernel = std::string(value);
      continue;
    }
    if (key == "error") {
      r.error = std::string(value);
      continue;
    }
    int64_t n = 0;
    if (!absl::SimpleAtoi(value, &n)) {
      return absl::InvalidArgumentError(absl::StrCat("result line with a bad number: ", line));
    }
    if (absl::StartsWith(key, "site.")) {
      r.calls_by_site.emplace_back(std::string(key.substr(5)), n);
      continue;
    }
    if (absl::StartsWith(key, "errno.")) {
      r.madvise_errors.emplace_back(std::string(key.substr(6)), n);
      continue;
    }
    if (absl::StartsWith(key, "vmstat.")) {
      r.vmstat_delta.emplace_back(std::string(key.substr(7)), n);
      continue;
    }
    bool known = false;
    VisitScalars(r, [&](const std::string& k, int64_t& field) {
      if (k == key) {
        field = n;
        known = true;
      }
    });
    if (!known) return absl::InvalidArgumentError(absl::StrCat("unknown result key: ", key));
    ++scalars;
  }
  if (r.variant.empty()) return absl::InvalidArgumentError("result without a variant");
  if (r.error.empty() && scalars != expected) {
    return absl::InvalidArgumentError(
        absl::StrCat("result has ", scalars, " of ", expected, " figures"));
  }
  return r;
}

}  // namespace thp
