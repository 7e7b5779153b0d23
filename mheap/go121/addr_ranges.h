// Ordered address ranges in the offset view of the address space: the part of
// Go 1.21's mranges.go the page allocator uses (offAddr, addrRange,
// addrRanges with findSucc/findAddrGreaterEqual/add/cloneInto, and
// atomicOffAddr's marked-value protocol), at go1.21.0 (21ff9be0eb).
//
// Comparisons are made after subtracting arenaBaseOffset, as Go makes them,
// so the upper (sign-extended) half of the address space sorts first.
// The runtime's copies are atomic because the scavenger's find races with
// frees; this model is single-threaded, so plain integers do, with the same
// mark semantics: a "marked" cursor value was raised by a free or by nextGen
// and may only be lowered by the find that observed the mark.
//
// Compromise: Go keeps the ranges in persistentalloc'd memory that grows by
// doubling (16 entries first); here they are a std::vector, so those few
// bytes of metadata are not mapped through the kernel.
#ifndef THP_MHEAP_GO121_ADDR_RANGES_H_
#define THP_MHEAP_GO121_ADDR_RANGES_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mheap/go121/layout.h"

namespace thp {
namespace go121 {

// offAddr.
class OffAddr {
 public:
  constexpr OffAddr() = default;
  constexpr explicit OffAddr(uintptr_t a) : a_(a) {}

  constexpr uintptr_t addr() const { return a_; }
  constexpr OffAddr Add(uintptr_t bytes) const { return OffAddr(a_ + bytes); }
  constexpr OffAddr Sub(uintptr_t bytes) const { return OffAddr(a_ - bytes); }
  constexpr uintptr_t Diff(OffAddr o) const { return a_ - o.a_; }
  constexpr bool LessThan(OffAddr o) const {
    return a_ - kArenaBaseOffset < o.a_ - kArenaBaseOffset;
  }
  constexpr bool LessEqual(OffAddr o) const {
    return a_ - kArenaBaseOffset <= o.a_ - kArenaBaseOffset;
  }
  constexpr bool operator==(OffAddr o) const { return a_ == o.a_; }
  constexpr bool operator!=(OffAddr o) const { return a_ != o.a_; }

 private:
  uintptr_t a_ = 0;
};

// minOffAddr and maxOffAddr.
inline constexpr OffAddr kMinOffAddr{kArenaBaseOffset};
inline constexpr OffAddr kMaxOffAddr{((uintptr_t{1} << kHeapAddrBits) - 1) + kArenaBaseOffset};

// addrRange: [base, limit).
struct AddrRange {
  OffAddr base;
  OffAddr limit;

  AddrRange() = default;
  // makeAddrRange: throws if base and limit lie in different halves.
  AddrRange(uintptr_t b, uintptr_t l);

  uintptr_t Size() const { return base.LessThan(limit) ? limit.Diff(base) : 0; }
  bool Contains(uintptr_t addr) const {
    return base.LessEqual(OffAddr(addr)) && OffAddr(addr).LessThan(limit);
  }
  // subtract: this range minus b, where b overlaps at most one end (a b
  // strictly inside would split it: throws "bad prune").
  AddrRange Subtract(const AddrRange& b) const;

  friend bool operator==(const AddrRange& a, const AddrRange& b) {
    return a.base == b.base && a.limit == b.limit;
  }
};

// addrRanges: disjoint ranges sorted by base, coalesced on insertion.
class AddrRanges {
 public:
  // findSucc: the first index whose range's base is above addr.
  size_t FindSucc(uintptr_t addr) const;
  // findAddrGreaterEqual: the smallest address >= addr in the set.
  bool FindAddrGreaterEqual(uintptr_t addr, uintptr_t* out) const;
  bool Contains(uintptr_t addr) const;
  // add: r must not overlap the set and must not be empty.
  void Add(const AddrRange& r);

  const std::vector<AddrRange>& ranges() const { return ranges_; }
  uintptr_t total_bytes() const { return total_bytes_; }
  bool empty() const { return ranges_.empty(); }

 private:
  std::vector<AddrRange> ranges_;
  uintptr_t total_bytes_ = 0;
};

// atomicOffAddr, single-threaded: an offset address that may be "marked".
class SearchCursor {
 public:
  // Clear: store minOffAddr unless the value is marked.
  void Clear() {
    if (v_ >= 0) v_ = 0;
  }
  // StoreMin: lower to addr unless marked or already lower.
  void StoreMin(uintptr_t addr) {
    const int64_t n = Off(addr);
    if (v_ < n) return;  // a marked (negative) value is never replaced
    v_ = n;
  }
  // StoreUnmark: replace the marked value `marked` (as Load returned it)
  // with the unmarked new_addr, if it is still there.
  void StoreUnmark(uintptr_t marked, uintptr_t new_addr) {
    if (v_ == -Off(marked)) v_ = Off(new_addr);
  }
  // StoreMarked: store addr, marked.
  void StoreMarked(uintptr_t addr) { v_ = -Off(addr); }
  // Load: the address, and whether it was marked.
  uintptr_t Load(bool* marked) const {
    *marked = v_ < 0;
    return static_cast<uintptr_t>(v_ < 0 ? -v_ : v_) + kArenaBaseOffset;
  }

 private:
  static int64_t Off(uintptr_t addr) { return static_cast<int64_t>(addr - kArenaBaseOffset); }
  int64_t v_ = 0;  // offset from arenaBaseOffset, negated when marked
};

}  // namespace go121
}  // namespace thp

#endif  // THP_MHEAP_GO121_ADDR_RANGES_H_
