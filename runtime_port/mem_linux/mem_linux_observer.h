// What a memory layer tells an observer that only reads (the memory-layer
// stream's recorder, runtime_port/memstream; calibrate's tally): the calls
// the heap makes of it, with their results where they have one. Both
// heaps' memory layers report through it (runtime_port/mem_linux/mem_linux.h
// for Go 1.5, mheap/go121/mem_linux.h for Go 1.21).
#ifndef THP_RUNTIME_PORT_MEM_LINUX_MEM_LINUX_OBSERVER_H_
#define THP_RUNTIME_PORT_MEM_LINUX_MEM_LINUX_OBSERVER_H_

#include <cstdint>

#include "runtime_port/kernel/kernel.h"
#include "runtime_port/mem_linux/huge_page_policy.h"

namespace thp {

// Watches the memory layer's entry points and the madvise calls they make,
// in call order, each with what the port decided (the heap-event replay
// compares them with Go 1.5.1's own log, tools/go151/FORMAT.md). An
// observer only reads: it must not call back into MemLinux or the kernel.
class MemLinuxObserver {
 public:
  virtual ~MemLinuxObserver() = default;
  // sysAlloc after its mmap: the address got, or 0 and the errno.
  virtual void OnSysAlloc(uintptr_t /*p*/, uintptr_t /*n*/, int /*err*/) {}
  // sysReserve as it returns: hint, size, the result (0: failed), *reserved.
  virtual void OnSysReserve(uintptr_t /*v*/, uintptr_t /*n*/, uintptr_t /*p*/, bool /*reserved*/) {}
  // sysMap, sysUnused, sysUsed and sysFree at their entry.
  virtual void OnSysMap(uintptr_t /*v*/, uintptr_t /*n*/, bool /*reserved*/) {}
  virtual void OnSysUnused(uintptr_t /*v*/, uintptr_t /*n*/) {}
  virtual void OnSysUsed(uintptr_t /*v*/, uintptr_t /*n*/) {}
  virtual void OnSysFree(uintptr_t /*v*/, uintptr_t /*n*/) {}
  virtual void OnSysFault(uintptr_t /*v*/, uintptr_t /*n*/) {}
  // The heap's hooks and scavenge pass (below), at their entry.
  virtual void OnHeapGrown(uintptr_t /*v*/, uintptr_t /*n*/) {}
  virtual void OnChunkBecameDense(uintptr_t /*chunk*/, uint64_t /*alloc_pages*/) {}
  virtual void OnBeforeChunkScavenge(uintptr_t /*chunk*/) {}
  virtual void OnScavengePass(bool /*begin*/) {}
  // The program writing memory the heap handed it (Touch).
  virtual void OnTouch(uintptr_t /*v*/, uintptr_t /*n*/) {}
  // The Go 1.21 heap's memory layer (mheap/go121/mem_linux.h) at the calls
  // the Go 1.5 one does not have: sysAllocOS after its mmap (p, 0 on
  // failure), sysFreeOS, sysUsed with its prepared bytes, and the advice
  // for the heap's own metadata, at their entry. It reports sysReserve,
  // sysMap, sysUnused, the policy hooks and touches through the calls above.
  virtual void OnSysAllocOS(uintptr_t /*p*/, uintptr_t /*n*/) {}
  virtual void OnSysFreeOS(uintptr_t /*v*/, uintptr_t /*n*/) {}
  virtual void OnSysUsedPrepared(uintptr_t /*v*/, uintptr_t /*n*/, uintptr_t /*prepared*/) {}
  virtual void OnSysHugePage(uintptr_t /*v*/, uintptr_t /*n*/, AdviceSite /*site*/, bool /*huge*/) {}
  // Each range advised, once its call returned, with its errno (0: done);
  // a batch reports its ranges in order.
  virtual void OnMadvise(uintptr_t /*v*/, uintptr_t /*n*/, Advice /*advice*/, int /*err*/) {}
};

}  // namespace thp

#endif  // THP_RUNTIME_PORT_MEM_LINUX_MEM_LINUX_OBSERVER_H_
