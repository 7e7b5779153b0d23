// Variant "disablethp": Go 1.21.6+/1.22 with GODEBUG=disablethp=1 (commit
// c915215, issue 64332): NOHUGEPAGE on every range sysMap maps, so the heap
// never gets transparent huge pages whatever the system setting.
#include "runtime_port/mem_linux/policies.h"

namespace thp {
namespace {

class DisableThpPolicy final : public HugePagePolicy {
 public:
  absl::string_view Name() const override { return "disablethp"; }
  absl::string_view Mirrors() const override {
    return "Go 1.21.6+/1.22 GODEBUG=disablethp=1 (commit c915215)";
  }
  std::vector<Advice> Needs() const override { return {Advice::kNoHugePage}; }
  uintptr_t FlagGranularity() const override { return 0; }  // one flag for all memory

  // Mirrors sysMapOS's sysNoHugePageOS call, Go 1.22.
  void AfterSysMap(uintptr_t v, uintptr_t n, Advisor& a) const override {
    a.Advise(v, n, Advice::kNoHugePage);
  }
  // Go 1.22 keeps Go 1.21's locking (sysMap inside mheap.grow).
  bool HeapLockHeld(AdviceSite site) const override { return Go121HeapLockHeld(site); }
};

}  // namespace

std::unique_ptr<HugePagePolicy> NewDisableThpPolicy() {
  return std::make_unique<DisableThpPolicy>();
}

}  // namespace thp
