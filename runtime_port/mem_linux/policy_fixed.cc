// Variant "fixed": Go 1.5.2..1.20 sysUnused/sysUsed, commit 44078a3 ("adjust
// huge page flags only on huge page granularity", issue 12233).
//
// Only the huge pages that hold an unaligned end of the released range are
// marked NOHUGEPAGE (one 4 MiB call when they are neighbours), and only the
// aligned interior of a reused range is marked HUGEPAGE, so flags change at
// 2 MiB granularity: a pessimal heap needs 128 GiB to reach 65530 VMAs.
#include "runtime_port/mem_linux/policies.h"

namespace thp {
namespace {

class FixedPolicy final : public HugePagePolicy {
 public:
  absl::string_view Name() const override { return "fixed"; }
  absl::string_view Mirrors() const override {
    return "Go 1.5.2-1.20 mem_linux.go (commit 44078a3)";
  }
  std::vector<Advice> Needs() const override {
    return {Advice::kHugePage, Advice::kNoHugePage};
  }
  uintptr_t FlagGranularity() const override { return kHugePageSize; }

  // Mirrors sysUnused, Go 1.5.2/1.6: NOHUGEPAGE on the partial huge pages.
  void BeforeRelease(uintptr_t v, uintptr_t n, Advisor& a) const override {
    constexpr uintptr_t s = kHugePageSize;
    // 0 stands for "this end is aligned": no huge page to mark.
    const uintptr_t head = v % s != 0 ? RoundDown(v, s) : 0;
    const uintptr_t tail = (v + n) % s != 0 ? RoundDown(v + n - 1, s) : 0;
    if (head != 0 && head + s == tail) {
      a.Advise(head, 2 * s, Advice::kNoHugePage);  // adjacent: one call
      return;
    }
    if (head != 0) a.Advise(head, s, Advice::kNoHugePage);
    if (tail != 0 && tail != head) a.Advise(tail, s, Advice::kNoHugePage);
  }

  // Mirrors sysUsed, Go 1.5.2/1.6: HUGEPAGE on whole huge pages only; the
  // partial ends stay NOHUGEPAGE until their neighbours are freed.
  void OnReuse(uintptr_t v, uintptr_t n, Advisor& a) const override {
    AdviseHugeInterior(v, n, a);
  }
};

}  // namespace

std::unique_ptr<HugePagePolicy> NewFixedPolicy() { return std::make_unique<FixedPolicy>(); }

}  // namespace thp
