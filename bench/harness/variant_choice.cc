#include "bench/harness/variant_choice.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "bench/harness/cli.h"
#include "runtime_port/mem_linux/huge_page_policy.h"
#include "runtime_port/mem_linux/mem_linux.h"

namespace thp {

VariantSet VariantsOrExit(const KernelChoice& kernel, absl::string_view list, bool allow_sets,
                          UnsupportedVariant unsupported) {
  std::unique_ptr<Kernel> probe = MakeKernelOrExit(kernel);
  const bool go = allow_sets && list == "go";
  const bool set = go || (allow_sets && list == "all");
  VariantSet out;
  for (const std::string& v : set ? HugePagePolicyNames() : SplitList(list)) {
    absl::StatusOr<std::unique_ptr<HugePagePolicy>> policy = MakeHugePagePolicy(v);
    if (!policy.ok()) ExitUsage(absl::StrCat("--variants: ", policy.status().message()));
    if (go && (*policy)->BeyondGo()) {
      out.skipped.push_back({v, "not a Go release; --variants=all includes it"});
      continue;
    }
    // NewMemLinux checks that the kernel has the advices the variant sends.
    absl::StatusOr<std::unique_ptr<MemLinux>> m = NewMemLinux(*probe, v, MemLinuxOptions());
    if (m.ok()) {
      out.run.push_back(v);
    } else if (set || unsupported == UnsupportedVariant::kSkip) {
      out.skipped.push_back({v, std::string(m.status().message())});
    } else {
      ExitUsage(absl::StrCat("--variants: ", m.status().message()));
    }
  }
  if (out.run.empty() && out.skipped.empty()) {
    ExitUsage(absl::StrCat("--variants=", list, ": no variant to run"));
  }
  return out;
}

}  // namespace thp
