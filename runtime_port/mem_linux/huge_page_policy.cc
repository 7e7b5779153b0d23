#include "runtime_port/mem_linux/huge_page_policy.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runtime_port/mem_linux/policies.h"

namespace thp {
namespace {

struct Entry {
  const char* name;
  std::unique_ptr<HugePagePolicy> (*make)();
};

constexpr Entry kPolicies[] = {
    {"none", NewNonePolicy},
    {"prefix", NewPrefixPolicy},
    {"fixed", NewFixedPolicy},
    {"fixed_batched", NewFixedBatchedPolicy},
    {"hugepage_eager", NewHugepageEagerPolicy},
    {"collapse", NewCollapsePolicy},
    {"try_collapse", NewTryCollapsePolicy},
    {"disablethp", NewDisableThpPolicy},
};

}  // namespace

absl::string_view AdviceSiteName(AdviceSite site) {
  switch (site) {
    case AdviceSite::kSysUnused: return "sysUnused";
    case AdviceSite::kSysUsed: return "sysUsed";
    case AdviceSite::kSysMap: return "sysMap";
    case AdviceSite::kHeapGrow: return "grow";
    case AdviceSite::kChunkDense: return "dense";
    case AdviceSite::kChunkScavenge: return "scavenge";
    case AdviceSite::kMetadata: return "metadata";
  }
  return "?";
}

void AdviseHugeInterior(uintptr_t v, uintptr_t n, Advisor& a) {
  const uintptr_t beg = RoundUp(v, kHugePageSize);
  const uintptr_t end = RoundDown(v + n, kHugePageSize);
  if (beg < end) a.Advise(beg, end - beg, Advice::kHugePage);
}

std::vector<std::string> HugePagePolicyNames() {
  std::vector<std::string> names;
  for (const Entry& e : kPolicies) names.push_back(e.name);
  return names;
}

absl::StatusOr<std::unique_ptr<HugePagePolicy>> MakeHugePagePolicy(absl::string_view name) {
  for (const Entry& e : kPolicies) {
    if (name == e.name) return e.make();
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown variant \"", name, "\" (accepted: ",
                                                 absl::StrJoin(HugePagePolicyNames(), ", "), ")"));
}

}  // namespace thp
