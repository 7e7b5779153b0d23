// A trivially correct reference model of the Go 1.5 page heap's arena: one
// state byte per arena page, free or in use. Tests and fuzzers feed it the
// spans the heap hands out and takes back and compare its free pages with
// the heap's free spans; it knows nothing of lists, coalescing or release,
// so it cannot share a bug with MHeap.
//
// Every method that checks returns an error text (empty if fine) rather
// than dying, so the caller can say which step broke it.
#ifndef THP_MHEAP_GO15_TESTING_PAGE_MODEL_H_
#define THP_MHEAP_GO15_TESTING_PAGE_MODEL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "mheap/go15/mheap.h"

namespace thp {

class PageModel {
 public:
  enum State : uint8_t { kFree = 1, kUsed = 2 };
  // An empty arena starting at arena_start (no page known yet).
  explicit PageModel(uintptr_t arena_start) : arena_start_(arena_start) {}
  // The arena as the heap holds it now: every page up to arena_used, free
  // where a free span covers it. For a model attached to a heap that has
  // already grown.
  static PageModel Snapshot(const MHeap& heap);

  // The arena now ends at arena_used; the pages it gained are free.
  void GrowTo(uintptr_t arena_used) {
    if (arena_used > End()) pages_.resize((arena_used - arena_start_) / kPageSize, kFree);
  }
  // The heap grew by [base, end) (mHeap_Grow's fake span, freed at once):
  // it must start where the known arena ends; the new pages are free.
  std::string AddArena(uintptr_t base, uintptr_t end);
  // The heap handed out s: each of its pages must have been free.
  std::string Take(const MSpan* s);
  // The heap took [base, end) back: each page must have been in use.
  std::string Give(uintptr_t base, uintptr_t end);
  // [base, end) was split off a free span and freed again (the trim in
  // mHeap_AllocSpanLocked): each page must be free, and stays free.
  std::string ExpectFree(uintptr_t base, uintptr_t end) const;
  uint64_t FreeBytes() const;
  // Compares, page by page, the heap's free spans with the model's free
  // pages (the first page that differs is named).
  std::string CompareFreeRanges(const MHeap& heap) const;
  uintptr_t End() const { return Addr(pages_.size()); }

 private:
  uintptr_t Index(uintptr_t addr) const { return (addr - arena_start_) / kPageSize; }
  uintptr_t Addr(uintptr_t index) const { return arena_start_ + index * kPageSize; }
  uintptr_t arena_start_;
  std::vector<uint8_t> pages_;
};

}  // namespace thp

#endif  // THP_MHEAP_GO15_TESTING_PAGE_MODEL_H_
