// The port's decisions as heap-event records: an observer of the ported
// MHeap (MHeapObserver) and of its memory layer (MemLinuxObserver) that
// writes each decision in the form Go 1.5.1's recording patch gives it
// (tools/go151/FORMAT.md), in the order the port made them, so that the
// replay can set them beside the recorded ones record by record.
//
// What becomes a record: sysReserve, sysMap, sysUsed, sysUnused, each
// madvise, mHeap_Grow, every mHeap_FreeSpanLocked (after coalescing) and
// mHeap_AllocSpanLocked's return. sysAlloc and sysFree are only tallied:
// their callers off the heap (persistentalloc, allspans, Go's other users)
// differ between Go and the port, and their addresses are the kernel's.
#ifndef THP_MHEAP_GO15_REPLAY_PORT_DECISIONS_H_
#define THP_MHEAP_GO15_REPLAY_PORT_DECISIONS_H_

#include <cstdint>
#include <deque>
#include <vector>

#include "mheap/go15/events/heap_event.h"
#include "mheap/go15/mheap.h"
#include "runtime_port/mem_linux/mem_linux.h"

namespace thp {
namespace heaplog {

// One decision of the port. For a Free, `stamp` is the merged span's
// unusedsince (the record's unusedsince_age is relative to a record time
// the port does not have; the replay fills it in from Go's record).
struct PortDecision {
  EventBody body;
  int64_t stamp = 0;
};

// Calls to an off-heap allocator entry point: how many, how many bytes, and
// each size in order.
struct SysTally {
  int64_t calls = 0;
  uint64_t bytes = 0;
  std::vector<uint64_t> sizes;
  void Add(uint64_t n) {
    ++calls;
    bytes += n;
    sizes.push_back(n);
  }
};

class PortDecisions final : public MHeapObserver, public MemLinuxObserver {
 public:
  // Arena page numbers are counted from here (the port's arena_start).
  void set_arena_start(uintptr_t arena_start) { arena_start_page_ = PageId::ForAddr(arena_start); }
  // Who is freeing: the `why` given to frees with acctinuse and acctidle set
  // (the replay's mHeap_Free or mHeap_FreeStack call now running). Frees
  // inside an allocation tell themselves apart by their flags: (0,1) grow,
  // (0,0) trim.
  void set_free_why(FreeWhy why) { free_why_ = why; }

  // The decisions not yet compared, oldest first.
  std::deque<PortDecision>& queue() { return queue_; }
  const SysTally& sys_alloc() const { return sys_alloc_; }
  const SysTally& sys_free() const { return sys_free_; }
  // The span as the port logs an AllocDone for it.
  AllocDone AllocDoneOf(const MSpan* s, PageCount found_npages, PageCount found_npreleased) const;

  // MHeapObserver.
  void OnGrow(PageCount npage, uintptr_t ask, uintptr_t v) override;
  void OnFreeSpan(PageId start, PageCount npages, bool acctinuse, bool acctidle, bool stamped,
                  const MSpan& merged) override;
  void OnAllocSpan(const MSpan* s, PageCount found_npages, PageCount found_npreleased) override;

  // MemLinuxObserver.
  void OnSysAlloc(uintptr_t p, uintptr_t n, int err) override;
  void OnSysReserve(uintptr_t v, uintptr_t n, uintptr_t p, bool reserved) override;
  void OnSysMap(uintptr_t v, uintptr_t n, bool reserved) override;
  void OnSysUnused(uintptr_t v, uintptr_t n) override;
  void OnSysUsed(uintptr_t v, uintptr_t n) override;
  void OnSysFree(uintptr_t v, uintptr_t n) override;
  void OnMadvise(uintptr_t v, uintptr_t n, Advice advice, int err) override;

 private:
  void Push(EventBody body, int64_t stamp = 0) { queue_.push_back(PortDecision{std::move(body), stamp}); }

  PageId arena_start_page_;
  FreeWhy free_why_ = FreeWhy::kCentral;
  std::deque<PortDecision> queue_;
  SysTally sys_alloc_;
  SysTally sys_free_;
};

}  // namespace heaplog
}  // namespace thp

#endif  // THP_MHEAP_GO15_REPLAY_PORT_DECISIONS_H_
