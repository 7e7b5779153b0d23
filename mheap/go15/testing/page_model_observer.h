// Feeds a PageModel from a running heap's own decisions: an MHeapObserver
// (mheap.h) that sees every span mHeap_AllocSpanLocked hands out and every
// call of mHeap_FreeSpanLocked, so a heap driven by anything (the whole
// runtime: mcentral, stacks, the GC's sweep) keeps its model in step.
// mHeap_FreeSpanLocked's accounting flags say which free it is:
//   acctinuse             a span the program gave back (mHeap_Free,
//                         mHeap_FreeStack): its pages were in use;
//   acctidle only         mHeap_Grow's new memory: the arena gains it;
//   neither               the tail trimmed off a free span being handed
//                         out: its pages were free and stay free.
// The first disagreement is kept (an observer must not call back into the
// heap or die in the middle of its operation); the caller reads error()
// between operations.
#ifndef THP_MHEAP_GO15_TESTING_PAGE_MODEL_OBSERVER_H_
#define THP_MHEAP_GO15_TESTING_PAGE_MODEL_OBSERVER_H_

#include <string>

#include "mheap/go15/mheap.h"
#include "mheap/go15/testing/page_model.h"

namespace thp {

class PageModelObserver final : public MHeapObserver {
 public:
  // The model starts as a snapshot of `heap` (which may have grown already).
  explicit PageModelObserver(const MHeap& heap) : model_(PageModel::Snapshot(heap)) {}

  // The first disagreement seen, empty if none.
  const std::string& error() const { return error_; }
  const PageModel& model() const { return model_; }
  // The checks between operations: the first disagreement the observer
  // saw, else the model's free pages against the heap's free spans and
  // its free bytes against heap_idle. Empty if all agree.
  std::string Check(const MHeap& heap) const;

  void OnGrow(PageCount, uintptr_t, uintptr_t) override {}
  void OnFreeSpan(PageId start, PageCount npages, bool acctinuse, bool acctidle, bool stamped,
                  const MSpan& merged) override;
  void OnAllocSpan(const MSpan* s, PageCount found_npages, PageCount found_npreleased) override;

 private:
  void Keep(std::string err) {
    if (error_.empty()) error_ = std::move(err);
  }
  PageModel model_;
  std::string error_;
};

}  // namespace thp

#endif  // THP_MHEAP_GO15_TESTING_PAGE_MODEL_OBSERVER_H_
