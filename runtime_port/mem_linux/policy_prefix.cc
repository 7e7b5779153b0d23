// Variant "prefix": Go 1.5.0/1.5.1 sysUnused/sysUsed, commit 7e1b61c
// ("mark pages we return to kernel as NOHUGEPAGE", issue 8832).
//
// Every released range that is not 2 MiB aligned in both start and length is
// marked NOHUGEPAGE exactly, and every reused range HUGEPAGE exactly. Span
// boundaries are 8 KiB apart, so each call can split a VMA: this is the
// behaviour that exhausted vm.max_map_count in issue 12233.
#include "runtime_port/mem_linux/policies.h"

namespace thp {
namespace {

class PrefixPolicy final : public HugePagePolicy {
 public:
  absl::string_view Name() const override { return "prefix"; }
  absl::string_view Mirrors() const override {
    return "Go 1.5.0-1.5.1 mem_linux.go (commit 7e1b61c)";
  }
  std::vector<Advice> Needs() const override {
    return {Advice::kHugePage, Advice::kNoHugePage};
  }
  uintptr_t FlagGranularity() const override { return 8192; }

  // Mirrors sysUnused, Go 1.5: the NOHUGEPAGE part.
  void BeforeRelease(uintptr_t v, uintptr_t n, Advisor& a) const override {
    if (v % kHugePageSize != 0 || n % kHugePageSize != 0) {
      a.Advise(v, n, Advice::kNoHugePage);  // issue 8832; errors ignored
    }
  }

  // Mirrors sysUsed, Go 1.5: no alignment test, since spans may have merged
  // since they were released.
  void OnReuse(uintptr_t v, uintptr_t n, Advisor& a) const override {
    a.Advise(v, n, Advice::kHugePage);
  }
};

}  // namespace

std::unique_ptr<HugePagePolicy> NewPrefixPolicy() { return std::make_unique<PrefixPolicy>(); }

}  // namespace thp
