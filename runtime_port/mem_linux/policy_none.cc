// Variant "none": Go 1.4's sysUnused (DONTNEED only, sysUsed a no-op), which
// is also what the heap does from Go 1.21.4 on.
#include "runtime_port/mem_linux/policies.h"

namespace thp {
namespace {

class NonePolicy final : public HugePagePolicy {
 public:
  absl::string_view Name() const override { return "none"; }
  absl::string_view Mirrors() const override {
    return "Go 1.4 and Go 1.21.4+ heap: MADV_DONTNEED only";
  }
  std::vector<Advice> Needs() const override { return {}; }
  uintptr_t FlagGranularity() const override { return 0; }
};

}  // namespace

std::unique_ptr<HugePagePolicy> NewNonePolicy() { return std::make_unique<NonePolicy>(); }

}  // namespace thp
