#include "mheap/go15/testing/page_model_observer.h"

#include "absl/strings/str_format.h"

namespace thp {

void PageModelObserver::OnFreeSpan(PageId start, PageCount npages, bool acctinuse, bool acctidle,
                                   bool /*stamped*/, const MSpan& /*merged*/) {
  const uintptr_t base = start.addr(), end = base + npages.bytes();
  if (acctinuse) {
    Keep(model_.Give(base, end));
  } else if (acctidle) {
    Keep(model_.AddArena(base, end));
  } else {
    Keep(model_.ExpectFree(base, end));
  }
}

void PageModelObserver::OnAllocSpan(const MSpan* s, PageCount /*found_npages*/,
                                    PageCount /*found_npreleased*/) {
  if (s != nullptr) Keep(model_.Take(s));
}

std::string PageModelObserver::Check(const MHeap& heap) const {
  if (!error_.empty()) return error_;
  if (std::string err = model_.CompareFreeRanges(heap); !err.empty()) return err;
  if (heap.stats().heap_idle != model_.FreeBytes()) {
    return absl::StrFormat("heap_idle is %d bytes, the model's free pages hold %d",
                           heap.stats().heap_idle, model_.FreeBytes());
  }
  return "";
}

}  // namespace thp
