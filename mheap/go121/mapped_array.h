// A large runtime array that lives in a PROT_NONE reservation and is mapped
// piecemeal: the summary levels of pageAlloc (up to 512 MiB each) and the
// scavenge index. Go slices the reservation (`cap` = the whole reservation,
// `len` = how far the heap has grown) and touches only the pages it mapped;
// this class keeps the same contract and backs only the 4 KiB pages that were
// mapped, zero-filled as fresh mmap memory is. Indexing past len is Go's
// bounds-check panic; touching a page that was never mapped is the fault Go
// would take. Both are fatal here, so a port bug that reads an unmapped
// summary (issue 40191's class) cannot go unnoticed.
//
// The reservation's address comes from the memory layer; this class only
// stores the entries, it makes no system call.
#ifndef THP_MHEAP_GO121_MAPPED_ARRAY_H_
#define THP_MHEAP_GO121_MAPPED_ARRAY_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/strings/str_format.h"
#include "mheap/go121/layout.h"
#include "runtime_port/base/check.h"

namespace thp {
namespace go121 {

template <typename T>
class MappedArray {
 public:
  static constexpr size_t kPerPage = kPhysPageSize / sizeof(T);
  static_assert(kPhysPageSize % sizeof(T) == 0, "entries must tile a page");

  // The reservation at `base` holds `cap` entries; nothing is mapped yet.
  void Reserve(uintptr_t base, size_t cap) {
    base_ = base;
    cap_ = cap;
    pages_.clear();
    pages_.resize((cap + kPerPage - 1) / kPerPage);
  }
  uintptr_t base() const { return base_; }
  size_t cap() const { return cap_; }
  size_t len() const { return len_; }
  void set_len(size_t len) {
    THP_CHECK(len <= cap_, "slice length past the reservation");
    len_ = len;
  }
  // The address of entry i (which need not be mapped).
  uintptr_t AddrOf(size_t i) const { return base_ + i * sizeof(T); }

  // Backs the pages of [lo, hi), addresses inside the reservation, page
  // aligned: they were just mapped. Mapping a page twice would zero it in
  // Go; the runtime never does, and neither may the port.
  void Map(uintptr_t lo, uintptr_t hi) {
    THP_CHECK(lo >= base_ && hi <= base_ + cap_ * sizeof(T) && lo % kPhysPageSize == 0 &&
                  hi % kPhysPageSize == 0,
              absl::StrFormat("mapping [%#x, %#x) outside the reservation at %#x", lo, hi, base_));
    for (uintptr_t p = lo; p < hi; p += kPhysPageSize) {
      std::unique_ptr<T[]>& page = pages_[(p - base_) / kPhysPageSize];
      THP_CHECK(page == nullptr, absl::StrFormat("page %#x mapped twice", p));
      page = std::make_unique<T[]>(kPerPage);  // value-initialized: zero
    }
  }
  bool Mapped(size_t i) const { return i < cap_ && pages_[i / kPerPage] != nullptr; }

  T& operator[](size_t i) { return *At(i); }
  const T& operator[](size_t i) const { return *At(i); }

 private:
  T* At(size_t i) const {
    if (i >= len_) {
      Throw(absl::StrFormat("index out of range [%d] with length %d", i, len_));
    }
    const std::unique_ptr<T[]>& page = pages_[i / kPerPage];
    if (page == nullptr) {
      Throw(absl::StrFormat("unexpected fault address %#x (unmapped runtime metadata)",
                            AddrOf(i)));
    }
    return &page[i % kPerPage];
  }

  uintptr_t base_ = 0;
  size_t cap_ = 0;
  size_t len_ = 0;
  std::vector<std::unique_ptr<T[]>> pages_;
};

}  // namespace go121
}  // namespace thp

#endif  // THP_MHEAP_GO121_MAPPED_ARRAY_H_
