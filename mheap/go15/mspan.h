// MSpan and its intrusive lists: a run of runtime pages and the doubly
// linked lists (with a dummy head) the heap keeps them on. Mirrors mspan,
// mSpan_Init and mSpanList_* of Go 1.5 mheap.go.
//
// States and their transitions (Go 1.5): a span is kFree on one of the
// heap's free lists; kInUse (garbage-collected memory) or kStack (goroutine
// stacks) once allocated; kDead once its struct was absorbed by a neighbour
// or returned to the span allocator. Free -> InUse/Stack happens in
// AllocSpanLocked; InUse/Stack -> Free in FreeSpanLocked.
#ifndef THP_MHEAP_GO15_MSPAN_H_
#define THP_MHEAP_GO15_MSPAN_H_

#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "runtime_port/base/units.h"

namespace thp {

enum class SpanState : uint8_t { kInUse = 0, kStack = 1, kFree = 2, kListHead = 3, kDead = 4 };
absl::string_view SpanStateName(SpanState s);

// One bit per object slot of a span (allocated, or marked by the last GC),
// kept in 64-bit words so that sweep can find a span's dead objects a word
// at a time. Bits past size() are always 0.
class SlotBits {
 public:
  size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  void clear() {
    n_ = 0;
    words_.clear();
  }
  // n slots, all clear.
  void AssignClear(size_t n) {
    n_ = n;
    words_.assign((n + 63) / 64, 0);
  }
  bool operator[](size_t i) const { return (words_[i >> 6] >> (i & 63)) & 1; }
  void Set(size_t i) { words_[i >> 6] |= uint64_t{1} << (i & 63); }
  void Reset(size_t i) { words_[i >> 6] &= ~(uint64_t{1} << (i & 63)); }
  size_t words() const { return words_.size(); }
  uint64_t word(size_t w) const { return words_[w]; }

 private:
  size_t n_ = 0;
  std::vector<uint64_t> words_;
};

struct MSpan {
  MSpan* next = nullptr;  // on a span list; both null when on none
  MSpan* prev = nullptr;
  PageId start;
  PageCount npages;
  SpanState state = SpanState::kDead;
  uint8_t sizeclass = 0;  // 0: a large object (or not an object span)
  uint8_t needzero = 0;
  bool incache = false;     // owned by an mcache
  uint16_t ref = 0;         // objects allocated from the span
  uint32_t sweepgen = 0;
  uintptr_t elemsize = 0;
  uintptr_t limit = 0;      // end of the data in the span
  int64_t unusedsince = 0;  // nanotime when it last became free; 0 while in use
  PageCount npreleased;     // pages believed released to the OS
  uint64_t serial = 0;      // creation order of the struct, for deterministic reports

  // Small-object spans (sizeclass != 0) only. freelist mirrors Go's singly
  // linked free list with its head at back(); allocated holds one flag per
  // object slot. ref == number of allocated slots.
  std::vector<uint16_t> freelist;
  SlotBits allocated;
  // Mark bits of the last GC cycle, one per object slot (one for a large
  // span); empty when the span was not in use at mark time. Sweep clears them.
  SlotBits marked;

  uintptr_t base() const { return start.addr(); }
  uintptr_t end() const { return (start + npages).addr(); }
  bool on_list() const { return next != nullptr || prev != nullptr; }
  uint32_t Capacity() const {
    return elemsize == 0 ? 0 : static_cast<uint32_t>(npages.bytes() / elemsize);
  }

  // Mirrors mSpan_Init, Go 1.5.
  void Init(PageId start_page, PageCount pages);
};

// Mirrors the mSpanList_* functions, Go 1.5: Insert pushes at the front,
// InsertBack appends.
class MSpanList {
 public:
  MSpanList();
  MSpanList(const MSpanList&) = delete;
  MSpanList& operator=(const MSpanList&) = delete;

  bool IsEmpty() const { return head_.next == &head_; }
  MSpan* First() { return head_.next; }
  const MSpan* First() const { return head_.next; }
  const MSpan* End() const { return &head_; }
  void Insert(MSpan* s);
  void InsertBack(MSpan* s);
  // Unlinks s from whatever list holds it (no-op if none).
  static void Remove(MSpan* s);
  size_t CountSlow() const;

 private:
  MSpan head_;
};

}  // namespace thp

#endif  // THP_MHEAP_GO15_MSPAN_H_
