// Strong types for the page heap: runtime page numbers, page counts and the
// byte lengths between them, so a shift between pages and bytes cannot go
// unnoticed. A runtime page is 8 KiB (_PageShift = 13), not the OS's 4 KiB.
#ifndef THP_RUNTIME_PORT_BASE_UNITS_H_
#define THP_RUNTIME_PORT_BASE_UNITS_H_

#include <cstdint>

namespace thp {

inline constexpr uintptr_t kPageShift = 13;
inline constexpr uintptr_t kPageSize = uintptr_t{1} << kPageShift;

// A number of runtime pages.
class PageCount {
 public:
  constexpr PageCount() = default;
  constexpr explicit PageCount(uintptr_t n) : n_(n) {}
  // The pages needed to hold `bytes` (rounded up).
  static constexpr PageCount ForBytes(uintptr_t bytes) {
    return PageCount((bytes + kPageSize - 1) >> kPageShift);
  }

  constexpr uintptr_t raw() const { return n_; }
  constexpr uintptr_t bytes() const { return n_ << kPageShift; }

  constexpr PageCount operator+(PageCount o) const { return PageCount(n_ + o.n_); }
  constexpr PageCount operator-(PageCount o) const { return PageCount(n_ - o.n_); }
  PageCount& operator+=(PageCount o) { n_ += o.n_; return *this; }
  PageCount& operator-=(PageCount o) { n_ -= o.n_; return *this; }
  constexpr bool operator==(PageCount o) const { return n_ == o.n_; }
  constexpr bool operator!=(PageCount o) const { return n_ != o.n_; }
  constexpr bool operator<(PageCount o) const { return n_ < o.n_; }
  constexpr bool operator<=(PageCount o) const { return n_ <= o.n_; }
  constexpr bool operator>(PageCount o) const { return n_ > o.n_; }
  constexpr bool operator>=(PageCount o) const { return n_ >= o.n_; }

 private:
  uintptr_t n_ = 0;
};

// A runtime page number: address >> 13 (Go's pageID).
class PageId {
 public:
  constexpr PageId() = default;
  constexpr explicit PageId(uintptr_t id) : id_(id) {}
  static constexpr PageId ForAddr(uintptr_t addr) { return PageId(addr >> kPageShift); }

  constexpr uintptr_t raw() const { return id_; }
  constexpr uintptr_t addr() const { return id_ << kPageShift; }

  constexpr PageId operator+(PageCount n) const { return PageId(id_ + n.raw()); }
  constexpr PageId operator-(PageCount n) const { return PageId(id_ - n.raw()); }
  constexpr PageCount operator-(PageId o) const { return PageCount(id_ - o.id_); }
  constexpr bool operator==(PageId o) const { return id_ == o.id_; }
  constexpr bool operator!=(PageId o) const { return id_ != o.id_; }
  constexpr bool operator<(PageId o) const { return id_ < o.id_; }
  constexpr bool operator<=(PageId o) const { return id_ <= o.id_; }
  constexpr bool operator>(PageId o) const { return id_ > o.id_; }
  constexpr bool operator>=(PageId o) const { return id_ >= o.id_; }

 private:
  uintptr_t id_ = 0;
};

constexpr uintptr_t RoundUpTo(uintptr_t x, uintptr_t a) { return (x + a - 1) / a * a; }

}  // namespace thp

#endif  // THP_RUNTIME_PORT_BASE_UNITS_H_
