// Constructors of the individual huge-page policy variants (one .cc each).
// Use MakeHugePagePolicy() from huge_page_policy.h instead.
#ifndef THP_RUNTIME_PORT_MEM_LINUX_POLICIES_H_
#define THP_RUNTIME_PORT_MEM_LINUX_POLICIES_H_

#include <memory>

#include "runtime_port/mem_linux/huge_page_policy.h"

namespace thp {

// Where Go 1.21 and 1.22 hold mheap_.lock while calling madvise, for the
// variants that mirror them (read at 9f9bb26^ = the Go 1.21.0 code, 9f9bb26 =
// 1.21.1's cherry-pick 06df329, and c915215 = 1.22's disablethp):
//  - mheap.grow asserts the lock and calls sysMap and pageAlloc.grow, whose
//    sysHugePage on the new memory is OnHeapGrow (1.21.0 only);
//  - pageAlloc.allocRange and pageAlloc.allocToCache assert the lock and
//    call scavengeIndex.alloc, whose dense-chunk sysHugePage (1.21.0) or
//    sysHugePageCollapse (1.21.1) is OnChunkDense;
//  - pageAlloc.scavengeOne marks the pages allocated and clears the chunk's
//    huge mark under the lock, then unlocks *before* sysNoHugePage
//    (BeforeChunkScavenge, 1.21.0 only) and sysUnused (the DONTNEED);
//  - mheap.allocSpan calls sysUsed after unlocking (at HaveSpan).
bool Go121HeapLockHeld(AdviceSite site);

std::unique_ptr<HugePagePolicy> NewNonePolicy();
std::unique_ptr<HugePagePolicy> NewPrefixPolicy();
std::unique_ptr<HugePagePolicy> NewFixedPolicy();
std::unique_ptr<HugePagePolicy> NewFixedBatchedPolicy();
std::unique_ptr<HugePagePolicy> NewHugepageEagerPolicy();
std::unique_ptr<HugePagePolicy> NewCollapsePolicy();
std::unique_ptr<HugePagePolicy> NewTryCollapsePolicy();
std::unique_ptr<HugePagePolicy> NewDisableThpPolicy();

}  // namespace thp

#endif  // THP_RUNTIME_PORT_MEM_LINUX_POLICIES_H_
