// Constructors of the individual huge-page policy variants (one .cc each).
// Use MakeHugePagePolicy() from huge_page_policy.h instead.
#ifndef THP_RUNTIME_PORT_POLICIES_H_
#define THP_RUNTIME_PORT_POLICIES_H_

#include <memory>

#include "runtime_port/huge_page_policy.h"

namespace thp {

std::unique_ptr<HugePagePolicy> NewNonePolicy();
std::unique_ptr<HugePagePolicy> NewPrefixPolicy();
std::unique_ptr<HugePagePolicy> NewFixedPolicy();
std::unique_ptr<HugePagePolicy> NewFixedBatchedPolicy();
std::unique_ptr<HugePagePolicy> NewHugepageEagerPolicy();
std::unique_ptr<HugePagePolicy> NewCollapsePolicy();
std::unique_ptr<HugePagePolicy> NewTryCollapsePolicy();
std::unique_ptr<HugePagePolicy> NewDisableThpPolicy();

}  // namespace thp

#endif  // THP_RUNTIME_PORT_POLICIES_H_
