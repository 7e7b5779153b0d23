#include "bench/repro_result.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace thp {
namespace {

struct IntField {
  const char* key;
  int64_t VariantResult::*member;
};
struct UintField {
  const char* key;
  uint64_t VariantResult::*member;
};
struct StrField {
  const char* key;
  std::string VariantResult::*member;
};

constexpr StrField kStrFields[] = {
    {"variant", &VariantResult::variant},
    {"kernel", &VariantResult::kernel},
    {"profile", &VariantResult::profile},
    {"max_at_benchmark", &VariantResult::max_at_benchmark},
    {"error", &VariantResult::error},
};
constexpr IntField kIntFields[] = {
    {"max_vmas_go_equivalent", &VariantResult::max_go_vmas},
    {"max_vmas_runtime", &VariantResult::max_own_vmas},
    {"max_vmas_process", &VariantResult::max_process_vmas},
    {"max_split_vmas", &VariantResult::max_split_vmas},
    {"final_vmas_runtime", &VariantResult::final_own_vmas},
    {"final_vmas_process", &VariantResult::final_process_vmas},
    {"mmap_calls", &VariantResult::mmap_calls},
    {"munmap_calls", &VariantResult::munmap_calls},
    {"scavenge_passes", &VariantResult::scavenge_passes},
    {"gc_cycles", &VariantResult::gc_cycles},
    {"benchmarks", &VariantResult::benchmarks},
    {"runs", &VariantResult::runs},
    {"ops", &VariantResult::ops},
    {"events", &VariantResult::events},
    {"census_reads", &VariantResult::census_reads},
    {"virtual_ns", &VariantResult::virtual_ns},
    {"wall_ns", &VariantResult::wall_ns},
};
constexpr UintField kUintFields[] = {
    {"peak_rss_bytes", &VariantResult::peak_rss},
    {"final_rss_bytes", &VariantResult::final_rss},
    {"peak_anon_huge_bytes", &VariantResult::peak_anon_huge},
    {"final_anon_huge_bytes", &VariantResult::final_anon_huge},
    {"heap_sys_bytes", &VariantResult::heap_sys},
    {"heap_released_bytes", &VariantResult::heap_released},
    {"heap_inuse_bytes", &VariantResult::heap_inuse},
};

// Keys of the madvise maps in the child format and in ScalarFields.
constexpr absl::string_view kCallPrefix = "madvise_calls.";
constexpr absl::string_view kErrorPrefix = "madvise_errors.";

}  // namespace

std::vector<ResultField> ScalarFields(const VariantResult& r) {
  std::vector<ResultField> out;
  for (const StrField& f : kStrFields) out.push_back({f.key, r.*f.member, true});
  for (const IntField& f : kIntFields) out.push_back({f.key, absl::StrCat(r.*f.member), false});
  for (const UintField& f : kUintFields) out.push_back({f.key, absl::StrCat(r.*f.member), false});
  for (const auto& [k, v] : r.madvise_calls) out.push_back({absl::StrCat(kCallPrefix, k), absl::StrCat(v), false});
  for (const auto& [k, v] : r.madvise_errors) out.push_back({absl::StrCat(kErrorPrefix, k), absl::StrCat(v), false});
  return out;
}

std::vector<CensusPoint> DownsampleSeries(const std::vector<CensusPoint>& series, int64_t end_ns,
                                          int points) {
  if (series.size() <= static_cast<size_t>(points) || end_ns <= 0) return series;
  std::vector<CensusPoint> out;
  const int64_t width = end_ns / points + 1;
  for (const CensusPoint& p : series) {
    const int64_t bucket = p.t_ns / width;
    if (!out.empty() && out.back().t_ns / width == bucket) {
      out.back().process = std::max(out.back().process, p.process);
      out.back().own = std::max(out.back().own, p.own);
    } else {
      out.push_back(p);
    }
  }
  return out;
}

std::string SerializeResult(const VariantResult& r) {
  std::string out;
  for (const ResultField& f : ScalarFields(r)) {
    std::string v = f.value;
    std::replace(v.begin(), v.end(), '\n', ' ');
    std::replace(v.begin(), v.end(), '\t', ' ');
    absl::StrAppend(&out, f.key, "\t", v, "\n");
  }
  for (const CensusPoint& p : r.series) {
    absl::StrAppend(&out, "point\t", p.t_ns, "\t", p.process, "\t", p.own, "\n");
  }
  return out;
}

absl::StatusOr<VariantResult> ParseResult(const std::string& text) {
  VariantResult r;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    ++line_no;
    std::vector<absl::string_view> f = absl::StrSplit(line, '\t');
    auto bad = [&] {
      return absl::InvalidArgumentError(absl::StrCat("result line ", line_no, ": \"", line, "\""));
    };
    if (f[0] == "point") {
      CensusPoint p;
      if (f.size() != 4 || !absl::SimpleAtoi(f[1], &p.t_ns) || !absl::SimpleAtoi(f[2], &p.process) ||
          !absl::SimpleAtoi(f[3], &p.own)) {
        return bad();
      }
      r.series.push_back(p);
      continue;
    }
    if (f.size() != 2) return bad();
    bool known = false;
    for (const StrField& s : kStrFields) {
      if (f[0] == s.key) r.*s.member = std::string(f[1]), known = true;
    }
    for (const IntField& s : kIntFields) {
      if (f[0] == s.key) known = absl::SimpleAtoi(f[1], &(r.*s.member));
    }
    for (const UintField& s : kUintFields) {
      if (f[0] == s.key) known = absl::SimpleAtoi(f[1], &(r.*s.member));
    }
    int64_t v = 0;
    if (absl::ConsumePrefix(&f[0], kCallPrefix) && absl::SimpleAtoi(f[1], &v)) {
      r.madvise_calls.emplace_back(std::string(f[0]), v);
      known = true;
    } else if (absl::ConsumePrefix(&f[0], kErrorPrefix) && absl::SimpleAtoi(f[1], &v)) {
      r.madvise_errors.emplace_back(std::string(f[0]), v);
      known = true;
    }
    if (!known) return bad();
  }
  return r;
}

}  // namespace thp
