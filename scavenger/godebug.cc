#include "scavenger/godebug.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime_port/mem_linux/huge_page_policy.h"

namespace thp {

absl::StatusOr<DebugVars> ParseGodebug(const std::string& value,
                                       std::vector<std::string>* warnings) {
  DebugVars v;
  for (absl::string_view field : absl::StrSplit(value, ',', absl::SkipEmpty())) {
    const size_t eq = field.find('=');
    if (eq == absl::string_view::npos) {
      warnings->push_back(absl::StrCat("GODEBUG: ignoring \"", field, "\" (no '=')"));
      continue;
    }
    const absl::string_view key = field.substr(0, eq);
    const absl::string_view val = field.substr(eq + 1);
    if (key == "thpvariant") {
      absl::StatusOr<std::unique_ptr<HugePagePolicy>> p = MakeHugePagePolicy(val);
      if (!p.ok()) return absl::InvalidArgumentError(absl::StrCat("GODEBUG thpvariant: ", p.status().message()));
      v.thpvariant = std::string(val);
      continue;
    }
    int* target = key == "scavenge"       ? &v.scavenge
                  : key == "gctrace"      ? &v.gctrace
                  : key == "scavtrace"    ? &v.scavtrace
                  : key == "madvdontneed" ? &v.madvdontneed
                  : key == "disablethp"   ? &v.disablethp
                                          : nullptr;
    if (target == nullptr) {
      warnings->push_back(absl::StrCat("GODEBUG: ignoring unknown key \"", key, "\""));
      continue;
    }
    if (!absl::SimpleAtoi(val, target)) {
      return absl::InvalidArgumentError(absl::StrCat("GODEBUG ", key, "=", val,
                                                     ": expected an integer"));
    }
    if (target == &v.scavenge) v.scavenge_named = true;
  }
  return v;
}

absl::StatusOr<int> ParseGomaxprocs(const std::string& value, int default_procs) {
  if (value.empty()) return default_procs;
  int n = 0;
  if (!absl::SimpleAtoi(value, &n) || n < 1 || n > 256) {
    return absl::InvalidArgumentError(
        absl::StrCat("GOMAXPROCS=", value, ": expected an integer from 1 to 256"));
  }
  return n;
}

}  // namespace thp
